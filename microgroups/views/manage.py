"""Starting a pod and the stewards' settings pages (one view per section)."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from common.forms import form_add_service_error
from communities.models import Tag
from communities.policy import check_can_steward
from petcommunity.parsing import parse_id

from ..forms import (
    BanForm,
    CharterForm,
    HandOverForm,
    InviteForm,
    LadderForm,
    PodCreateForm,
    PodDetailsForm,
    RungForm,
    StewardAddForm,
    StewardRemoveForm,
)
from ..models import EmergingNiche, Invite, JoinRequest, Membership
from ..selectors import (
    charter_current,
    invites_list,
    join_requests_pending,
    membership_events,
    pod_bans,
    pod_get_for,
    pod_members,
    pod_stewards,
    waitlist_list,
)
from ..services import charter as charter_services
from ..services import invites as invite_services
from ..services import ladder as ladder_services
from ..services import membership as membership_services
from ..services import pods as pod_services
from ..services import splits as split_services
from .pages import pod_url

SECTIONS = [("details", "Details"), ("charter", "Charter"), ("ladder", "Ladder"), ("invites", "Invites"),
            ("requests", "Requests"), ("members", "Members"), ("stewards", "Stewards"), ("waitlist", "Waitlist"),
            ("split", "Split"), ("webhooks", "Webhooks")]


def _niche_initial(niche_id: str) -> dict:
    """Prefill from an emerging niche: its name, its topics, and needs/interests with the same slugs."""
    niche = EmergingNiche.objects.filter(pk=parse_id(niche_id) or 0).prefetch_related("tags").first()
    if niche is None:
        return {}
    slugs = [t.slug for t in niche.tags.all()]
    same = list(Tag.objects.filter(slug__in=slugs, kind__in=["need", "interest"]))
    return {"name": niche.label.capitalize()[:80], "topics": " ".join(f"#{s}" for s in slugs),
            "needs": [t for t in same if t.kind == "need"], "interests": [t for t in same if t.kind == "interest"]}


@login_required
def pod_new(request):
    try:
        pod_services.check_can_create_pod(request.user)
    except PermissionDenied as exc:
        return render(request, "microgroups/pod_new.html", {"refused": str(exc)}, status=403)
    form = PodCreateForm(request.POST or None, initial=_niche_initial(request.GET.get("niche", "")))
    if request.method == "POST" and form.is_valid():
        try:
            pod = pod_services.pod_create(actor=request.user, charter=form.cleaned_data["charter"],
                                          tags=form.tag_list(), **form.details())
            messages.success(request, f"{pod.name} is ready. Invite people, or wait for them to find it.")
            return redirect(pod_url(pod))
        except ValidationError as exc:
            form_add_service_error(form, exc)
    return render(request, "microgroups/pod_new.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


def _posted_id(request, key: str) -> int:
    """A posted row id; anything that isn't one finds nothing (404), never a 500."""
    raw = request.POST.get(key, "")
    return parse_id(raw) or 0


def _steward_pod(request, slug: str):
    pod = pod_get_for(user=request.user, slug=slug)
    check_can_steward(request.user, pod)
    return pod


def _section(request, pod, section: str, ctx: dict, status: int = 200):
    ctx.update(pod=pod, section=section, sections=SECTIONS,
               split_offered=split_services.split_offered(pod))
    return render(request, "microgroups/settings.html", ctx, status=status)


def _done(request, pod, section: str, text: str):
    messages.success(request, text)
    return redirect(f"{pod_url(pod)}settings/{section + '/' if section != 'details' else ''}")


@login_required
def settings_details(request, slug: str):
    pod = _steward_pod(request, slug)
    form = PodDetailsForm(request.POST or None, initial=PodDetailsForm.initial_for(pod))
    if request.method == "POST" and form.is_valid():
        try:
            pod = pod_services.pod_update(actor=request.user, pod=pod, tags=form.tag_list(), **form.details())
            return _done(request, pod, "details", "Saved.")
        except ValidationError as exc:
            form_add_service_error(form, exc)
    return _section(request, pod, "details", {"form": form}, status=400 if form.errors else 200)


@login_required
def settings_charter(request, slug: str):
    pod = _steward_pod(request, slug)
    current = charter_current(pod)
    form = CharterForm(request.POST or None, initial={"body": current.body if current else ""})
    if request.method == "POST" and form.is_valid():
        try:
            changed = charter_services.charter_update(actor=request.user, pod=pod, body=form.cleaned_data["body"])
            text = "New charter version saved: members will be asked to acknowledge it." if changed else "No changes."
            return _done(request, pod, "charter", text)
        except ValidationError as exc:
            form_add_service_error(form, exc)
    return _section(request, pod, "charter", {"form": form, "charter": current,
                                              "versions": list(pod.charters.only("version", "created_at"))},
                    status=400 if form.errors else 200)


@login_required
def settings_ladder(request, slug: str):
    pod = _steward_pod(request, slug)
    form = LadderForm(request.POST or None, pod=pod)
    if request.method == "POST" and form.is_valid():
        try:
            ladder_services.pod_ladder_update(actor=request.user, pod=pod, settings=form.cleaned_data)
            return _done(request, pod, "ladder", "Ladder saved. The nightly recompute applies it.")
        except ValidationError as exc:
            form_add_service_error(form, exc)
    return _section(request, pod, "ladder", {"form": form, "pace": pod.ladder_pace,
                                             "effective": ladder_services.thresholds(pod)},
                    status=400 if form.errors else 200)


@login_required
def settings_invites(request, slug: str):
    pod = _steward_pod(request, slug)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invite_services.invite_create(actor=request.user, pod=pod, **form.cleaned_data)
            return _done(request, pod, "invites", "Invite link created: copy it below.")
        except ValidationError as exc:
            form_add_service_error(form, exc)
    return _section(request, pod, "invites", {"form": form, "invites": invites_list(pod=pod), "now": timezone.now(),
                                              "base": request.build_absolute_uri("/pods/join/")},
                    status=400 if form.errors else 200)


@login_required
@require_POST
def invite_revoke(request, slug: str, invite_id: int):
    pod = _steward_pod(request, slug)
    invite_services.invite_revoke(actor=request.user, invite=get_object_or_404(Invite, pk=invite_id, pod=pod))
    return _done(request, pod, "invites", "Invite withdrawn.")


@login_required
def settings_requests(request, slug: str):
    pod = _steward_pod(request, slug)
    if request.method == "POST":
        jr = get_object_or_404(JoinRequest, pk=_posted_id(request, "request"), pod=pod)
        approve = request.POST.get("decision") == "approve"
        try:
            membership_services.join_request_decide(actor=request.user, join_request=jr, approve=approve)
            return _done(request, pod, "requests", f"{jr.member.name}: {'approved' if approve else 'declined'}.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return _section(request, pod, "requests", {"requests": join_requests_pending(pod=pod)})


MEMBER_ACTIONS = {
    "remove": lambda r, pod, m, f: membership_services.member_remove(actor=r.user, pod=pod, member=m,
                                                                     reason=f.get("reason", "")),
    "ban": lambda r, pod, m, f: membership_services.member_ban(
        actor=r.user, pod=pod, member=m, reason=f.get("reason", ""),
        until=timezone.now() + timedelta(days=f["days"]) if f.get("days") else None),
    "unban": lambda r, pod, m, f: membership_services.member_unban(actor=r.user, pod=pod, member=m),
    "rung": lambda r, pod, m, f: ladder_services.membership_set_rung(actor=r.user, pod=pod, member=m,
                                                                     rung=f["rung"], reason=f.get("reason", "")),
    "steward": lambda r, pod, m, f: pod_services.membership_set_role(actor=r.user, pod=pod, member=m,
                                                                     role=Membership.Role.STEWARD),
    "member": lambda r, pod, m, f: pod_services.membership_set_role(actor=r.user, pod=pod, member=m,
                                                                    role=Membership.Role.MEMBER),
    "handover": lambda r, pod, m, f: pod_services.steward_hand_over(actor=r.user, pod=pod, to_member=m),
}
ACTION_FORMS = {"rung": RungForm, "ban": BanForm, "remove": BanForm}


@login_required
def settings_members(request, slug: str):
    pod = _steward_pod(request, slug)
    if request.method == "POST":
        return _member_action(request, pod)
    return _members_page(request, pod)


def _members_page(request, pod, status: int = 200):
    members = pod_members(pod=pod)
    banned = pod_bans(pod=pod)
    others = get_user_model().objects.filter(pk__in=[m.member_id for m in members if m.member_id != request.user.pk])
    return _section(request, pod, "members", {
        "members": members, "banned": banned, "events": membership_events(pod=pod, limit=30),
        "handover": HandOverForm(members=others), "rungs": RungForm.base_fields["rung"].choices,
    }, status=status)


def _member_action(request, pod):
    action = request.POST.get("action", "")
    member = get_object_or_404(get_user_model(), pk=_posted_id(request, "member"))
    form = ACTION_FORMS.get(action, BanForm)(request.POST)
    if action not in MEMBER_ACTIONS or not form.is_valid():
        messages.error(request, "That didn't work: check the fields and try again.")
        return _members_page(request, pod, status=400)
    try:
        MEMBER_ACTIONS[action](request, pod, member, form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return _members_page(request, pod, status=400)
    return _done(request, pod, "members", f"Done: {member.name}.")


def _steward_forms(pod, data=None, action: str | None = None):
    def people(role: str):
        ids = Membership.objects.filter(pod=pod, status=Membership.Status.ACTIVE, role=role).values("member_id")
        return get_user_model().objects.filter(pk__in=ids).order_by("display_name", "username")

    add = StewardAddForm(data if action == "add" else None, members=people(Membership.Role.MEMBER))
    remove = StewardRemoveForm(data if action == "remove" else None, stewards=people(Membership.Role.STEWARD))
    return add, remove


@login_required
def settings_stewards(request, slug: str):
    """Co-stewards: add one from the members, or take the role back (never from the last steward)."""
    pod = _steward_pod(request, slug)
    action = request.POST.get("action") if request.method == "POST" else None
    add, remove = _steward_forms(pod, request.POST, action)
    form = add if action == "add" else remove if action == "remove" else None
    if form is not None and form.is_valid():
        member = form.cleaned_data["member"]
        role = Membership.Role.STEWARD if action == "add" else Membership.Role.MEMBER
        try:
            pod_services.membership_set_role(actor=request.user, pod=pod, member=member, role=role,
                                             reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            text = (f"{member.name} is now a co-steward." if action == "add"
                    else f"{member.name} is no longer a steward.")
            if member.pk == request.user.pk and action == "remove":
                messages.success(request, "You stepped down as steward.")
                return redirect(pod_url(pod))
            return _done(request, pod, "stewards", text)
    stewards = pod_stewards(pod=pod)
    for row in stewards:  # the row whose form failed shows its errors, with the reason as typed
        row.failed = remove if action == "remove" and str(row.member_id) == remove.data.get("remove-member") else None
    return _section(request, pod, "stewards", {
        "stewards": stewards, "add": add, "remove": remove, "action": action,
        "events": [e for e in membership_events(pod=pod, limit=100) if e.kind == "role"][:20],
    }, status=400 if action else 200)


@login_required
def settings_waitlist(request, slug: str):
    pod = _steward_pod(request, slug)
    if request.method == "POST":
        member = get_object_or_404(get_user_model(), pk=_posted_id(request, "member"))
        membership_services.waitlist_remove(actor=request.user, pod=pod, member=member)
        return _done(request, pod, "waitlist", f"{member.name} is off the waitlist.")
    return _section(request, pod, "waitlist", {"waitlist": waitlist_list(pod=pod),
                                               "offer_hours": membership_services.OFFER_HOURS})


@login_required
def settings_split(request, slug: str):
    pod = _steward_pod(request, slug)
    if request.method == "POST":
        try:
            children = split_services.split_confirm(actor=request.user, pod=pod, basis=request.POST.get("basis", ""),
                                                    fingerprint=request.POST.get("fingerprint", ""))
            messages.success(request, f"Split into {len(children)} pods; everyone has an invitation to theirs.")
            return redirect(pod_url(pod))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return _section(request, pod, "split", {"proposals": split_services.split_proposals(pod) if not pod.is_umbrella
                                            else [], "waiting": pod.waitlist.count()})
