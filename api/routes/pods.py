"""Pods: discover and search, one pod, its members, join, ask to join, leave."""

from django.core.exceptions import PermissionDenied
from ninja import Query, Router, Schema

from communities.policy import policy_for
from microgroups.models import Pod
from microgroups.selectors import DiscoverFilters, pod_discover, pod_get_for, pod_members, pod_page
from microgroups.services.membership import pod_join, pod_leave, pod_request_join, waitlist_accept, waitlist_join

from .. import presenters
from ..auth import READ, WRITE, require_scope
from ..responses import answers
from ..schemas import Done, JoinOut, JoinRequestIn, PodDetail, PodMemberOut, PodPage

router = Router(tags=["pods"])


class PodQuery(Schema):
    q: str = ""
    species: str = ""
    need: str = ""
    region: str = ""
    privacy: str = ""
    room: bool = False
    cursor: str | None = None


@router.get("/pods", response=answers(PodPage))
def pod_list(request, f: Query[PodQuery]):
    """Pods the caller may know of, by name; `q` searches names, descriptions and tags."""
    require_scope(request, READ)
    filters = DiscoverFilters(query=f.q.strip()[:100], species=f.species[:60], need=f.need[:60],
                              region=f.region[:120], privacy=f.privacy[:10], has_room=f.room)
    page = pod_discover(user=request.user, filters=filters, cursor=f.cursor)
    return {"items": [presenters.pod(p) for p in page.pods], "next_cursor": page.next_cursor}


@router.get("/pods/{slug}", response=answers(PodDetail))
def pod_detail(request, slug: str):
    require_scope(request, READ)
    pod = pod_get_for(user=request.user, slug=slug)
    return presenters.pod_detail(pod_page(user=request.user, pod=pod))


@router.get("/pods/{slug}/members", response=answers(list[PodMemberOut]))
def pod_member_list(request, slug: str):
    """Who is in the pod: for those who may read it (403 for a pod they know but may not read)."""
    require_scope(request, READ)
    pod = pod_get_for(user=request.user, slug=slug)
    policy_for(request.user).check_can_read_pod(pod)
    return [presenters.pod_member(m) for m in pod_members(pod=pod)]


@router.post("/pods/{slug}/join", response=answers(JoinOut, extra=(409,)))
def pod_join_now(request, slug: str, data: JoinRequestIn):
    """Join, as the pod's page does: an open pod at once (its waitlist when full), a pod that takes
    requests by asking its stewards (`answer` answers its question), the place a waitlist offer holds.
    Invite-only pods need an invite link (403)."""
    require_scope(request, WRITE)
    pod = pod_get_for(user=request.user, slug=slug)
    info = pod_page(user=request.user, pod=pod)
    if info.membership:
        return {"status": "already"}
    if info.offer_open:
        result = waitlist_accept(actor=request.user, pod=pod, charter_version=data.charter_version)
    elif pod.privacy == Pod.Privacy.INVITE:
        raise PermissionDenied("This pod is invite only: ask a steward for an invite link.")
    elif pod.privacy == Pod.Privacy.REQUEST:
        result = pod_request_join(actor=request.user, pod=pod, answer=data.answer,
                                  charter_version=data.charter_version)
    else:
        service = pod_join if pod.has_room else waitlist_join
        result = service(actor=request.user, pod=pod, charter_version=data.charter_version)
    return {"status": result.status, "position": result.position}


@router.post("/pods/{slug}/leave", response=answers(Done))
def pod_leave_now(request, slug: str):
    require_scope(request, WRITE)
    pod_leave(actor=request.user, pod=pod_get_for(user=request.user, slug=slug))
    return {"ok": True}
