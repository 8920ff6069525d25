"""The pod's charter: versioned; a new version asks every member to acknowledge it again."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from communities.models import NotificationKind
from communities.policy import check_can_act
from communities.rendering import render_markdown
from communities.services.notifications import notification_bulk_create

from ..models import Charter, Membership, Pod
from ._common import check_steward, pod_url


@transaction.atomic
def charter_update(*, actor, pod: Pod, body: str) -> Charter | None:
    """Store a new version (None when the text did not change). Members then see a banner and can't
    post until they acknowledge; the steward who wrote it has acknowledged it by writing it."""
    check_steward(actor, pod)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "A charter can't be empty."})
    if len(body) > 10000:
        raise ValidationError({"body": f"Keep the charter under 10,000 characters (this is {len(body):,})."})
    locked = Pod.objects.select_for_update().get(pk=pod.pk)
    current = locked.charters.order_by("-version").first()
    if current is not None and current.body == body:
        return None
    version = locked.charter_version + 1
    charter = Charter.objects.create(pod=locked, version=version, body=body, body_html=render_markdown(body),
                                     created_by=actor)
    Pod.objects.filter(pk=pod.pk).update(charter_version=F("charter_version") + 1)
    pod.charter_version = version
    Membership.objects.filter(pod=pod, member=actor, status=Membership.Status.ACTIVE).update(
        charter_version_acknowledged=version)
    _tell_members(actor=actor, pod=pod)
    return charter


def _tell_members(*, actor, pod: Pod) -> None:


    members = pod.memberships.filter(status=Membership.Status.ACTIVE).exclude(member=actor).values("member_id")
    recipients = list(get_user_model().objects.filter(pk__in=members, is_active=True, deleted_at__isnull=True))
    notification_bulk_create(recipients=recipients, kind=NotificationKind.POD, actor=actor, url=pod_url(pod),
                             verb=f"{pod.name} has an updated charter: please read and acknowledge it")


@transaction.atomic
def charter_acknowledge(*, actor, pod: Pod, version: int) -> Membership:
    """Acknowledge the version the member read; an older one (the charter changed meanwhile) is refused."""
    check_can_act(actor)
    membership = Membership.objects.select_for_update().filter(
        pod=pod, member=actor, status=Membership.Status.ACTIVE).first()
    if membership is None:
        raise ValidationError({"acknowledge": "Join the pod first."})
    current = Pod.objects.values_list("charter_version", flat=True).get(pk=pod.pk)
    if version != current:
        raise ValidationError({"acknowledge": "The charter changed while you were reading it: please read the "
                                              "new version."})
    membership.charter_version_acknowledged = version
    membership.save(update_fields=["charter_version_acknowledged"])
    return membership
