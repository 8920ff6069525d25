"""Demo moderation: rules at each scope, moderators for a region and pods, and a queue with items.

Runs after the pods and content demos, through the real services (so the log, rule hits and queue
items are what the app itself would have written). Deterministic for a seed (ctx.rng).
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404

from communities.models import ContentStatus, Place, Post
from communities.rendering import render_markdown
from microgroups.models import JoinRequest, Membership, Pod

from .checks import content_check, content_check_record
from .models import ModeratorAssignment, QueueItem
from .scopes import COMMONS, Scope, scope_for_pod
from .services.actions import item_remove
from .services.assignments import moderator_assign
from .services.automation import queue_sweep
from .services.reasons import removal_reason_create
from .services.reports import report_create
from .services.rules import rule_create

COMMONS_WORDS = [
    ("No crypto spam", "word", "crypto", "block", "Investment and crypto offers are not allowed."),
    ("Miracle cures", "phrase", "miracle cure", "hold", "Health claims are checked by a moderator first."),
    ("Free pets", "regex", r"\bfree\s+(?:puppies|kittens)\b", "flag", "Rehoming posts are reviewed."),
]
COMMONS_REASONS = [
    ("Spam or advertising", "Removed as spam: advertising and links for profit are not allowed here."),
    ("Unsafe health advice", "Removed: health advice here must not replace a vet's. Please ask a vet first."),
    ("Selling animals", "Removed: buying and selling animals is not allowed; rehoming goes through a shelter."),
]


def seed_moderation(ctx) -> None:
    manager = ctx.manager
    if manager is None or not ctx.pods:
        return
    _seed_rules(ctx, manager)
    _seed_moderators(ctx, manager)
    _seed_queue(ctx)


def _seed_rules(ctx, manager) -> None:
    for title, match, pattern, action, reason in COMMONS_WORDS:
        rule_create(actor=manager, scope=COMMONS, kind="watched_word", title=title,
                    settings={"match": match, "pattern": pattern, "action": action, "reason": reason})
    rule_create(actor=manager, scope=COMMONS, kind="daily_cap", title="Daily limits",
                settings={"posts": 20, "comments": 200})
    rule_create(actor=manager, scope=COMMONS, kind="links_images", title="Links for settled accounts",
                settings={"links_min_age_days": 2})
    region = ctx.regions[0]
    rule_create(actor=manager, scope=Scope("region", region.pk), kind="slow_mode", title=f"{region.name} calm",
                settings={"seconds": 30, "auto": True, "auto_posts_per_hour": 60, "auto_flags_per_hour": 10,
                          "auto_seconds": 300})
    for pod in ctx.pods[:3]:
        rule_create(actor=manager, scope=scope_for_pod(pod), kind="new_member", title="Welcome check",
                    settings={"first_n": 1})
    for title, text in COMMONS_REASONS:  # reusable removal reasons, offered on every queue row
        removal_reason_create(actor=manager, scope=COMMONS, title=title, text=text)
    removal_reason_create(actor=manager, scope=Scope("region", region.pk), title="Off-topic for the region",
                          text=f"Removed: posts in {region.name}'s pods stay on their pod's topic.")


def _seed_moderators(ctx, manager) -> None:
    """moderator1 moderates the first region; moderator2 and moderator3 an open pod each (they are
    not members: open pods are readable by all, so they can act there)."""
    mods = ctx.moderators
    if len(mods) < 3:
        return
    first_region = Scope("region", ctx.regions[0].pk)
    moderator_assign(actor=manager, member=mods[0], scope=first_region)
    open_pods = [p for p in ctx.pods if p.privacy == "open"] or ctx.pods
    elsewhere = [p for p in open_pods[1:] if scope_for_pod(p).region_id != first_region.region_id] or open_pods
    moderator_assign(actor=manager, member=mods[1], scope=scope_for_pod(open_pods[0]))
    moderator_assign(actor=manager, member=mods[2], scope=scope_for_pod(elsewhere[0]))


def _seed_queue(ctx) -> None:
    """Reports on recent Commons and open-pod posts, posts held by rules, and a join request gone stale."""
    rng, now = ctx.rng, ctx.now
    reporters = ctx.members[4:] or ctx.members
    recent = list(Post.objects.filter(status=ContentStatus.PUBLISHED, pod__isnull=True, segment__isnull=True)
                  .order_by("-created_at")[:40])
    # Every moderator finds something: a recent post from each pod someone moderates, plus a few more.
    moderated = set(ModeratorAssignment.objects.filter(pod__isnull=False).values_list("pod_id", flat=True))
    open_pod_posts = list(Post.objects.filter(status=ContentStatus.PUBLISHED, pod__privacy="open",
                                              audience="everyone").select_related("pod").order_by("-created_at")[:80])
    picked = {p.pod_id: p for p in reversed(open_pod_posts) if p.pod_id in moderated}
    region_places = set(Place.objects.filter(parent=ctx.regions[0]).values_list("pk", flat=True))
    chosen = {p.pk for p in picked.values()}
    regional = [p for p in open_pod_posts if p.pod.region_id in region_places and p.pk not in chosen]
    open_pod_posts = list(picked.values()) + regional[:2] + rng.sample(open_pod_posts, min(2, len(open_pod_posts)))
    reasons = ["spam", "harassment", "misinformation", "off_topic", "other"]
    targets = rng.sample(recent, min(4, len(recent))) + list({p.pk: p for p in open_pod_posts}.values())
    for n, post in enumerate(targets):
        for reporter in rng.sample(reporters, 2 if n % 2 else 1):
            if reporter.pk == post.author_id:
                continue
            reason = rng.choice(reasons if post.pod_id else reasons[:3])
            try:
                report_create(actor=reporter, post=post, reason=reason,
                              text="Please take a look." if reason == "other" else "")
            except (Http404, ValidationError):
                continue  # a steward's report already hid it, or this reporter can't see it: as in life
    _held_posts(ctx)
    _stale_join_request(ctx)
    queue_sweep(now=now)
    _removed(ctx)


def _removed(ctx) -> None:
    """The manager removes the content of one reported Commons item (so the log and the dashboard have
    removed content, through the same action a moderator takes)."""

    item = (QueueItem.objects.filter(status=QueueItem.Status.OPEN, kind=QueueItem.Kind.REPORT, pod__isnull=True,
                                     post__isnull=False).order_by("pk").first())
    if item is not None:
        item_remove(actor=ctx.manager, item_id=item.pk, reason="Spam: selling, not sharing.")


def _held_posts(ctx) -> None:
    """A few recent Commons posts get text the Commons rules hold or flag, checked by the real engine.
    (Existing posts are rewritten rather than new ones made, so --posts stays the total.)"""

    texts = ["Has anyone tried this miracle cure for itchy skin?", "We have free puppies looking for homes!",
             "Any miracle cure for a dog that hates baths?"]
    posts = list(Post.objects.filter(pod__isnull=True, status=ContentStatus.PUBLISHED, is_announcement=False)
                 .select_related("author").order_by("-created_at", "-id")[: len(texts)])
    for post, text in zip(posts, texts, strict=False):
        outcome = content_check(actor=post.author, pod=None, kind="post", body=text, has_links=False,
                                has_images=False, editing=True)
        Post.objects.filter(pk=post.pk).update(body=outcome.body, body_html=render_markdown(outcome.body),
                                               status=outcome.status)
        post.refresh_from_db()
        content_check_record(outcome=outcome, post=post)


def _stale_join_request(ctx) -> None:
    pods = list(Pod.objects.filter(privacy="request").annotate(n=Count("memberships")).order_by("pk")[:1])
    if not pods:
        return
    members = set(Membership.objects.filter(pod=pods[0]).values_list("member_id", flat=True))
    outsiders = [m for m in ctx.members[4:] if m.pk not in members]
    if outsiders:
        JoinRequest.objects.get_or_create(pod=pods[0], member=outsiders[0], status="pending", defaults={
            "answer": "We have a nervous rescue and would love advice.", "created_at": ctx.now - timedelta(days=3)})
