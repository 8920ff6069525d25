"""Email digests: the best of the Commons and of each of the member's pods, daily or weekly.

One email per member per period however often the task runs: the `DigestSent` row for (member,
period) is inserted in the same transaction that sends, so a second run (or a concurrent one, which
waits on the uncommitted unique key) finds it and sends nothing, and a crash before commit leaves
no row, so the retry sends. Content is read when the task runs, through `visible_posts`, so a member
removed from a pod since (or a post removed since) is never mailed.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.template.loader import render_to_string
from django.utils import timezone

from ..models import DigestSent, Post
from ..policy import pod_roles, visible_posts

FREQUENCIES = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
POSTS_PER_PLACE = 5


@dataclass
class DigestSection:
    title: str
    url: str
    posts: list[Post]


def digest_period(frequency: str, now: datetime | None = None) -> str:
    """The period key: "daily:2026-11-24" or "weekly:2026-W48" (ISO week, UTC)."""
    now = now or timezone.now()
    if frequency == "daily":
        return f"daily:{now.date().isoformat()}"
    year, week, _ = now.isocalendar()
    return f"weekly:{year}-W{week:02d}"


def digest_recipient_ids(frequency: str) -> list[int]:
    return list(
        get_user_model().objects.filter(digest_frequency=frequency, is_active=True, deleted_at__isnull=True)
        .exclude(email="").order_by("pk").values_list("pk", flat=True)
    )


def digest_sections(member, *, since: datetime) -> list[DigestSection]:
    """The top posts per place (Commons first, then the member's pods by name), in one query."""
    pod_ids = pod_roles(member).member_pod_ids
    rank = Window(RowNumber(), partition_by=[F("pod_id")],
                  order_by=[F("reaction_count").desc(), F("comment_count").desc(), F("pk").desc()])
    rows = list(
        visible_posts(member).filter(Q(pod__isnull=True) | Q(pod_id__in=pod_ids), created_at__gte=since)
        .exclude(author_id=member.pk).select_related("author", "pod").annotate(rank=rank)
        .filter(rank__lte=POSTS_PER_PLACE).order_by("rank")
    )
    commons = [p for p in rows if p.pod_id is None]
    sections = [DigestSection("The Commons", f"{settings.SITE_URL}/", commons)] if commons else []
    by_pod: dict[int, list[Post]] = {}
    for post in rows:
        if post.pod_id is not None:
            by_pod.setdefault(post.pod_id, []).append(post)
    for posts in sorted(by_pod.values(), key=lambda ps: ps[0].pod.name.lower()):
        pod = posts[0].pod
        sections.append(DigestSection(pod.name, f"{settings.SITE_URL}/pods/{pod.slug}/", posts))
    return sections


def digest_send(*, member_id: int, frequency: str, period: str, now: datetime | None = None) -> bool:
    """Send one member's digest for `period` unless already sent; True when an email went out."""
    member = get_user_model().objects.filter(pk=member_id, is_active=True, deleted_at__isnull=True).first()
    # Re-checked when the task runs: the member may have changed their choice since it was queued.
    if member is None or member.digest_frequency != frequency or not member.email:
        return False
    now = now or timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                DigestSent.objects.create(member=member, period=period, sent_at=now)
        except IntegrityError:
            return False  # already sent this period
        sections = digest_sections(member, since=now - FREQUENCIES[frequency])
        if not sections:
            transaction.set_rollback(True)  # nothing to say: no email, and no claim either
            return False
        _email(member, frequency, sections)  # raises on SMTP failure: the claim rolls back, the task retries
    return True


def _email(member, frequency: str, sections: list[DigestSection]) -> None:
    context = {"member": member, "frequency": frequency, "sections": sections, "site_url": settings.SITE_URL}
    subject = f"Your {frequency} PetCommunity digest"
    message = EmailMultiAlternatives(subject, render_to_string("communities/email/digest.txt", context),
                                     settings.DEFAULT_FROM_EMAIL, [member.email])
    message.attach_alternative(render_to_string("communities/email/digest.html", context), "text/html")
    message.send()
