"""Creating pods, changing their details, and stewardship (co-stewards, handing over)."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.text import slugify

from communities import pagecache
from communities.policy import can_steward, check_can_act, is_manager, policy_forget
from communities.rendering import render_markdown
from communities.streams import close_streams, moderation_queue_group, pod_group

from ..models import Charter, Membership, MembershipEvent, Pod, Rung
from ._common import access_grew, check_steward, log_event, notify
from .membership import waitlist_offer_places
from .niches import niches_cover

RESERVED_SLUGS = {"new", "join", "settings", "steward-invitations"}
ROLE_REASON_MAX = 300
DETAIL_FIELDS = ("name", "slug", "description", "privacy", "is_unlisted", "member_cap", "question",
                 "welcome_message", "prompt_text", "prompt_weekday", "region", "split_offer_waitlist")


def pods_created_count(member) -> int:
    """Pods counting towards the per-member limit: those they started (split children don't count)."""
    return Pod.objects.filter(created_by=member, parent__isnull=True).count()


def check_can_create_pod(actor, *, parent: Pod | None = None, vouched: bool = False) -> None:
    """Verified members, within the per-member limit (a steward splitting their pod is exempt, and so is a
    member a community manager invited to start one: `vouched`, from `steward_invitation_accept` only)."""
    check_can_act(actor)
    if vouched or is_manager(actor) or (parent is not None and can_steward(actor, parent)):
        return
    if not EmailAddress.objects.filter(user=actor, verified=True).exists():
        raise PermissionDenied("Verify your email address to start a pod.")
    limit = settings.PODS_PER_MEMBER_LIMIT
    if pods_created_count(actor) >= limit:
        raise PermissionDenied(f"You have started {limit} pods, the most one member may start.")


def _validate_details(values: dict, *, pod: Pod | None) -> dict:
    """Field errors keyed by the form's field names, so forms show them in place."""
    errors = {}
    name = (values.get("name") or "").strip()
    if not name:
        errors["name"] = "Give the pod a name."
    slug = slugify(values.get("slug") or name)[:80]
    values["name"], values["slug"] = name, slug
    if name and not slug:
        errors["slug"] = "Use letters or numbers in the address."
    elif slug in RESERVED_SLUGS or Pod.objects.filter(slug=slug).exclude(pk=getattr(pod, "pk", None)).exists():
        errors["slug"] = f"The address /pods/{slug}/ is taken. Try another."
    cap = values.get("member_cap")
    if cap is not None and not 3 <= cap <= 500:
        errors["member_cap"] = "A pod holds between 3 and 500 members."
    if values.get("is_unlisted") and values.get("privacy") != Pod.Privacy.INVITE:
        errors["is_unlisted"] = "Only invite-only pods can be unlisted."
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def pod_create(*, actor, name: str, charter: str, slug: str = "", description: str = "",
               privacy: str = Pod.Privacy.OPEN, is_unlisted: bool = False, member_cap: int = 50,
               question: str = "", welcome_message: str = "", prompt_text: str = "", prompt_weekday=None,
               region=None, tags=(), parent: Pod | None = None, split_offer_waitlist: int = 5,
               vouched: bool = False) -> Pod:
    """Start a pod: the creator becomes its steward and the charter its first version."""
    check_can_create_pod(actor, parent=parent, vouched=vouched)
    values = _validate_details({"name": name, "slug": slug, "member_cap": member_cap, "privacy": privacy,
                                "is_unlisted": is_unlisted}, pod=None)
    if not (charter or "").strip():
        raise ValidationError({"charter": "Write a short charter: how members treat each other here."})
    now = timezone.now()
    try:
        with transaction.atomic():
            pod = Pod.objects.create(
                name=values["name"], slug=values["slug"], description=description.strip(), privacy=privacy,
                is_unlisted=is_unlisted, member_cap=member_cap, question=question.strip(),
                welcome_message=welcome_message.strip(), prompt_text=prompt_text.strip(),
                prompt_weekday=prompt_weekday, region=region, parent=parent, created_by=actor, created_at=now,
                charter_version=1, member_count=1, split_offer_waitlist=split_offer_waitlist,
            )
    except IntegrityError:  # someone took the slug between our check and the insert
        raise ValidationError({"slug": f"The address /pods/{values['slug']}/ is taken. Try another."}) from None
    pod.tags.set(list(tags))
    Charter.objects.create(pod=pod, version=1, body=charter.strip(), body_html=render_markdown(charter.strip()),
                           created_by=actor, created_at=now)
    Membership.objects.create(pod=pod, member=actor, role=Membership.Role.STEWARD, rung=Rung.TRUSTED,
                              joined_at=now, charter_version_acknowledged=1, rung_changed_at=now)
    log_event(pod=pod, member=actor, kind=MembershipEvent.Kind.JOINED, actor=actor, reason="started the pod")
    access_grew(actor)

    niches_cover(pod=pod)
    return pod


@transaction.atomic
def pod_update(*, actor, pod: Pod, tags=None, **changes) -> Pod:
    """Change a pod's details. The cap may not go below the current membership (counted under a lock)."""
    check_steward(actor, pod)
    unknown = set(changes) - set(DETAIL_FIELDS)
    if unknown:
        raise TypeError(f"pod_update got unknown fields: {sorted(unknown)}")
    locked = Pod.objects.select_for_update().get(pk=pod.pk)
    values = {f: changes.get(f, getattr(locked, f)) for f in DETAIL_FIELDS}
    _validate_details(values, pod=locked)
    active = locked.memberships.filter(status=Membership.Status.ACTIVE).count()
    if values["member_cap"] < active:
        raise ValidationError({"member_cap": f"The pod has {active} members; the cap can't be lower than that."})
    for f in DETAIL_FIELDS:
        setattr(locked, f, values[f])
    locked.save(update_fields=list(DETAIL_FIELDS))
    # Who may read the pod may have changed (privacy): no shared anonymous page may outlive that.
    pagecache.bump(pagecache.POLICY, pagecache.pod(locked.pk))
    if tags is not None:
        locked.tags.set(list(tags))

        niches_cover(pod=locked)

    waitlist_offer_places(pod=locked)  # a raised cap opens places for the waitlist
    return locked


def _steward_count(pod: Pod) -> int:
    return pod.memberships.filter(status=Membership.Status.ACTIVE, role=Membership.Role.STEWARD).count()


@transaction.atomic
def membership_set_role(*, actor, pod: Pod, member, role: str, reason: str = "") -> Membership:
    """Make a member a co-steward, or a steward a member again (never the last steward: hand over)."""
    check_steward(actor, pod)
    reason = (reason or "").strip()
    if len(reason) > ROLE_REASON_MAX:
        raise ValidationError({"reason": f"Keep the reason under {ROLE_REASON_MAX} characters (this is "
                                         f"{len(reason)})."})
    Pod.objects.select_for_update().get(pk=pod.pk)
    membership = Membership.objects.select_for_update().get(pod=pod, member=member, status=Membership.Status.ACTIVE)
    if role not in Membership.Role.values:
        raise ValidationError({"role": "Unknown role."})
    if membership.role == role:
        return membership
    if role == Membership.Role.MEMBER and _steward_count(pod) <= 1:
        raise ValidationError({"role": f"{member.name} is the last steward of {pod.name}, and a pod needs a "
                                       "steward: make someone else a steward first."})
    old, membership.role = membership.role, role
    membership.save(update_fields=["role"])
    log_event(pod=pod, member=member, kind=MembershipEvent.Kind.ROLE, actor=actor, from_value=old, to_value=role,
              reason=reason)
    if role == Membership.Role.STEWARD:
        access_grew(member)
        notify(recipient=member, pod=pod, actor=actor, verb=f"You are now a steward of {pod.name}")
    else:
        cut_off_trusted_if_needed(member, pod, membership)
        notify(recipient=member, pod=pod, actor=actor, verb=f"You are no longer a steward of {pod.name}")
    return membership


def cut_off_trusted_if_needed(member, pod: Pod, membership: Membership) -> None:
    """A member who loses steward rights without the trusted rung stops hearing trusted-only frames; and,
    no longer moderating the pod by role, their open queue pages re-check what they may still see."""
    policy_forget(member)
    groups = [moderation_queue_group(member.pk)]
    if membership.rung != Rung.TRUSTED:
        groups.append(pod_group(pod.pk, trusted=True))
    close_streams(member.pk, groups=groups)


@transaction.atomic
def steward_hand_over(*, actor, pod: Pod, to_member) -> None:
    """A steward steps down, handing the role to another active member (who becomes steward first)."""
    check_steward(actor, pod)
    if to_member.pk == actor.pk:
        raise ValidationError({"member": "Choose another member to hand over to."})
    if not Membership.objects.filter(pod=pod, member=to_member, status=Membership.Status.ACTIVE).exists():
        raise ValidationError({"member": "Hand over to a current member of the pod."})
    membership_set_role(actor=actor, pod=pod, member=to_member, role=Membership.Role.STEWARD, reason="handed over")
    if Membership.objects.filter(pod=pod, member=actor, status=Membership.Status.ACTIVE,
                                 role=Membership.Role.STEWARD).exists():
        membership_set_role(actor=actor, pod=pod, member=actor, role=Membership.Role.MEMBER, reason="stepped down")


@transaction.atomic
def pod_counters_sync(*, pod_ids: list[int] | None = None) -> list[int]:
    """Set each pod's member_count (every pod's, or those in `pod_ids`) to its active memberships;
    returns the ids that had drifted."""

    pods = Pod.objects.all() if pod_ids is None else Pod.objects.filter(pk__in=pod_ids)
    drifted = list(pods.annotate(n=Count("memberships", filter=Q(memberships__status="active")))
                   .exclude(member_count=F("n")).values_list("pk", "n"))
    for pk, n in drifted:
        Pod.objects.filter(pk=pk).update(member_count=n)
    return [pk for pk, _ in drifted]


__all__ = ["pod_create", "pod_update", "membership_set_role", "steward_hand_over", "pod_counters_sync",
           "check_can_create_pod"]
