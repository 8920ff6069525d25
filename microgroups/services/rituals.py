"""The pod's weekly rhythm: the stewards' prompt on their chosen weekday, and a Monday welcome thread
introducing the week's newcomers. Both are idempotent: a conditional UPDATE claims the week first,
so a re-run (or two workers) posts once."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from communities.models import Visibility
from communities.services.posts import post_published_effects, post_save_new

from ..models import Membership, MembershipEvent, Pod
from ._common import voice_of


def _week_begins(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _publish(*, pod: Pod, body: str):

    post = post_save_new(author=voice_of(pod), body=body, pod=pod)
    post_published_effects(post=post)
    return post


@transaction.atomic
def weekly_prompt_post(*, pod: Pod, today: date):
    """Post the prompt if today is the pod's weekday and it wasn't posted in the last six days."""
    if not pod.prompt_text or pod.prompt_weekday != today.weekday():
        return None
    claimed = Pod.objects.filter(pk=pod.pk).filter(
        Q(prompt_last_posted_on__isnull=True) | Q(prompt_last_posted_on__lte=today - timedelta(days=7))
    ).update(prompt_last_posted_on=today)
    if not claimed:
        return None
    return _publish(pod=pod, body=f"**This week's prompt:** {pod.prompt_text}")


def weekly_prompts_post(*, today: date | None = None) -> int:
    today = today or timezone.localdate()
    pods = Pod.objects.filter(prompt_weekday=today.weekday()).exclude(prompt_text="").order_by("pk")
    return sum(1 for pod in pods if weekly_prompt_post(pod=pod, today=today))


def _pets_line(member, pod: Pod) -> str:
    """Pets are named only when the member shows them to the people who can read this pod's posts."""
    shown = Visibility.EVERYONE if pod.privacy == Pod.Privacy.OPEN else Visibility.MEMBERS
    if member.pets_visibility not in (Visibility.EVERYONE, shown):
        return ""
    pets = [f"{p.name} ({p.species.name.lower()})" for p in member.pets.all()]
    return f" with {', '.join(pets)}" if pets else ""


def _intro(membership: Membership, pod: Pod) -> str:
    member = membership.member
    line = f"- **{member.name}** (@{member.username}){_pets_line(member, pod)}"
    if pod.question and membership.answer:
        line += f": “{' '.join(membership.answer.split())}”"
    return line


@transaction.atomic
def cohort_welcome_post(*, pod: Pod, week_start: date):
    """The welcome thread for the members who joined in the week starting `week_start` and stayed."""
    start = _week_begins(week_start)
    joined = MembershipEvent.objects.filter(pod=pod, kind=MembershipEvent.Kind.JOINED, created_at__gte=start,
                                            created_at__lt=start + timedelta(days=7)).values("member_id")
    newcomers = list(Membership.objects.filter(pod=pod, status=Membership.Status.ACTIVE, member_id__in=joined,
                                               role=Membership.Role.MEMBER)
                     .select_related("member").prefetch_related("member__pets__species").order_by("joined_at", "pk"))
    if not newcomers:
        return None
    claimed = Pod.objects.filter(pk=pod.pk).filter(
        Q(cohort_welcomed_on__isnull=True) | Q(cohort_welcomed_on__lt=week_start)).update(cohort_welcomed_on=week_start)
    if not claimed:
        return None
    intro = "\n".join(_intro(m, pod) for m in newcomers)
    body = (f"**Welcome to this week's newcomers!** {len(newcomers)} joined {pod.name} this week. You joined "
            f"together, so say hello to each other:\n\n{intro}")
    return _publish(pod=pod, body=body)


def cohort_welcome_posts(*, today: date | None = None) -> int:
    """Every pod that gained members in the week before `today`'s week (run on Mondays)."""
    today = today or timezone.localdate()
    week_start = today - timedelta(days=today.weekday() + 7)
    start = _week_begins(week_start)
    pod_ids = (MembershipEvent.objects.filter(kind=MembershipEvent.Kind.JOINED, created_at__gte=start,
                                              created_at__lt=start + timedelta(days=7))
               .values_list("pod_id", flat=True).distinct())
    return sum(1 for pod in Pod.objects.filter(pk__in=pod_ids).order_by("pk")
               if cohort_welcome_post(pod=pod, week_start=week_start))
