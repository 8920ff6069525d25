"""Demo metrics: impressions and activity consistent with the demo content, pulses, then a backfill.

Viewers are only members who could see a post (anyone for the Commons, the pod's members for a pod,
trusted members and stewards for trusted-only posts): everyone who commented or reacted saw it that
day, and passive readers browse during their time in the community (the content demo's `ctx.life`).
Contributions already marked their activity through the core's hook; reading adds the rest, plus
quiet browsing days. Deterministic for ctx.rng; bulk inserts throughout.
"""

from collections import defaultdict
from datetime import timedelta

from communities.models import Comment, Post, Reaction, User
from microgroups.models import Membership, Pod
from moderation.models import ModerationLogEntry, QueueItem, Report
from moderation.scopes import pod_region_id

from .models import ActivityDay, Impression, PulseResponse, PulseSurvey
from .periods import day_start
from .services import metrics_backfill
from .services.events import contribution_mark
from .services.pulse import month_of, pulse_sync_counters

PULSE_TEXTS = ["More meetups please!", "Love the weekly prompts.", "Could we have a vet Q&A?",
               "It's been a lifeline this month.", "A bit quiet lately.", "", "", "Fewer off-topic posts.",
               "Welcoming newcomers faster would help."]


def _audiences(members: list[int]) -> tuple[dict, dict]:
    everyone_in, trusted_in = defaultdict(list), defaultdict(list)
    for pod_id, member_id, rung, role in Membership.objects.filter(status="active").values_list(
            "pod_id", "member_id", "rung", "role"):
        everyone_in[pod_id].append(member_id)
        if rung == "trusted" or role == "steward":
            trusted_in[pod_id].append(member_id)
    return everyone_in, trusted_in


def _lifetimes(ctx, members: list[int], in_pods: set[int]) -> dict[int, tuple]:
    """member → (first day, last day, appetite), from the content demo's lives when it simulated them."""
    rng, today = ctx.rng, ctx.now.date()
    out = {}
    for member_id, joined in User.objects.filter(pk__in=members).values_list("pk", "date_joined"):
        life = getattr(ctx, "life", {}).get(member_id)
        if life is not None:
            out[member_id] = (life.first.date(), min(life.last.date(), today), life.appetite)
            continue
        churn = 0.15 if member_id in in_pods else 0.45
        days = int(rng.expovariate(1 / 20)) + 3 if rng.random() < churn else 10_000
        out[member_id] = (joined.date(), min(joined.date() + timedelta(days=days), today), rng.paretovariate(1.5))
    return out


def _signed_up(life: dict, member: int, day) -> bool:
    # The content demo spreads posts, comments and reactions over 90 days whenever their authors signed
    # up; those from before sign-up can't have been seen or done on a page, so they make no events.
    return member in life and life[member][0] <= day


def _readers(rng, can_see: list[int], life: dict, day, mean: float) -> set[int]:
    alive = [m for m in can_see if life[m][0] <= day <= life[m][1]]
    if not alive:
        return set()
    k = min(len(alive), int(rng.expovariate(1 / mean)) + 1)
    return set(rng.choices(alive, weights=[life[m][2] for m in alive], k=k))


def _seen(ctx, members: list[int], life: dict) -> set[tuple[int, int, object, object]]:
    """(member, post, pod, day) for every impression: engagers, and readers who could see the post."""
    rng, today = ctx.rng, ctx.now.date()
    everyone_in, trusted_in = _audiences(members)
    seen, posts = set(), {}
    for pk, pod_id, audience, created in Post.objects.filter(status="published").values_list(
            "pk", "pod_id", "audience", "created_at"):
        posts[pk] = pod_id
        pod_audience = trusted_in[pod_id] if audience == "trusted" else everyone_in[pod_id]
        day = min(created.date() + timedelta(days=min(int(rng.expovariate(0.7)), 6)), today)
        for member in _readers(rng, members if pod_id is None else pod_audience, life, day,
                               20 if pod_id is None else 6):
            seen.add((member, pk, pod_id, day))
    engaged = list(Comment.objects.filter(status="published", post__status="published")
                   .values_list("post_id", "author_id", "created_at"))
    engaged += list(Reaction.objects.filter(post__status="published").values_list("post_id", "member_id",
                                                                                   "created_at"))
    for post_id, member, created in engaged:
        if post_id in posts and _signed_up(life, member, created.date()):
            seen.add((member, post_id, posts[post_id], created.date()))
    return seen


def _activity(ctx, seen, life: dict) -> set[tuple[int, object, object]]:
    rng = ctx.rng
    active = {(member, pod_id, day) for member, _, pod_id, day in seen}
    for member, (first, last, appetite) in life.items():  # quiet browsing in the Commons
        span = (last - first).days
        for _ in range(int(min(appetite, 6) * span / 14)):
            active.add((member, None, first + timedelta(days=rng.randint(0, span))))
    return active


def _pulses(ctx) -> None:
    """Surveys for this month and the two before, answered by about half of the members asked (this
    month's by those who answered so far); the drifting pod's members score it low this month."""
    rng = ctx.rng
    month = month_of(ctx.now.date())
    months = [month, month_of(month - timedelta(days=1)), month_of(month_of(month - timedelta(days=1))
                                                                    - timedelta(days=1))]
    joined = defaultdict(list)
    for pod_id, member_id, at in Membership.objects.filter(status="active").values_list("pod_id", "member_id",
                                                                                         "joined_at"):
        joined[pod_id].append((member_id, at))
    surveys = [PulseSurvey(pod_id=pod_id, month=m, opened_at=day_start(m),
                           asked_count=sum(1 for _, at in rows if at <= day_start(m)))
               for pod_id, rows in joined.items() for m in months]
    PulseSurvey.objects.bulk_create([s for s in surveys if s.asked_count], ignore_conflicts=True)
    responses, lives = [], getattr(ctx, "life", {})
    for survey in PulseSurvey.objects.filter(month__in=months):
        souring = getattr(ctx, "pod_talk", {}).get(survey.pod_id, (None, False))[1] and survey.month == months[0]
        scores = [1, 2, 2, 3, 3, 4] if souring else [3, 4, 4, 5, 5, 2]
        for member, at in joined.get(survey.pod_id, []):
            answered = min(survey.opened_at + timedelta(days=rng.uniform(0, 6)), ctx.now)
            around = member not in lives or lives[member].last >= answered
            if at <= survey.opened_at and around and rng.random() < 0.5:
                responses.append(PulseResponse(survey=survey, member_id=member, score=rng.choice(scores),
                                               text=rng.choice(PULSE_TEXTS), created_at=answered))
    PulseResponse.objects.bulk_create(responses, ignore_conflicts=True)
    pods = dict(PulseSurvey.objects.values_list("pk", "pod_id"))
    for response in responses:  # an answer is a contribution in the pod, as `pulse_respond` records it
        contribution_mark(member_id=response.member_id, pod_id=pods[response.survey_id], at=response.created_at)

    pulse_sync_counters()


def seed_metrics(ctx, *, days: int = 90) -> None:
    members = [m.pk for m in ctx.members]
    if not members:
        return
    in_pods = set(Membership.objects.values_list("member_id", flat=True))
    life = _lifetimes(ctx, members, in_pods)
    seen = _seen(ctx, members, life)
    Impression.objects.bulk_create([Impression(member_id=m, post_id=p, pod_id=pod, day=d) for m, p, pod, d in seen],
                                   batch_size=5000, ignore_conflicts=True)
    ActivityDay.objects.bulk_create([ActivityDay(member_id=m, pod_id=pod, day=d)
                                     for m, pod, d in _activity(ctx, seen, life)],
                                    batch_size=5000, ignore_conflicts=True)
    _pulses(ctx)
    _moderation_history(ctx, days)
    # Weeks, 28-day windows and cohorts over the whole history; daily rows for the last 4 weeks (the
    # daily charts), which keeps seeding to a few seconds. `metrics_backfill --since` fills in the rest.
    today = ctx.now.date()
    metrics_backfill(since=today - timedelta(days=days), until=today, days_since=today - timedelta(days=27))


REPORT_REASONS = ["spam"] * 4 + ["harassment"] * 2 + ["off_topic"] * 2 + ["misinformation", "other"]


def _item_scope(pod_id, regions: dict) -> dict:
    if pod_id is None:
        return {"scope_kind": "commons"}
    return {"scope_kind": "pod", "pod_id": pod_id, "region_id": regions.get(pod_id)}


def _moderation_history(ctx, days: int) -> None:
    """Weeks of decided queue items, so the dashboard's Moderation section has a history: members reported
    (dismissed, or warned then closed) and posts a rule flagged that a moderator kept, decided by the demo's
    moderators and manager minutes to a day later; some pod items escalated to the manager first. Nothing
    about content or members changes, and nothing is left open (the live queue is moderation's demo)."""
    rng, now = ctx.rng, ctx.now
    deciders, members = [ctx.manager, *ctx.moderators], [m.pk for m in ctx.members[4:]]
    posts = list(Post.objects.filter(status="published", created_at__gte=now - timedelta(days=days))
                 .order_by("created_at", "body").values_list("pk", "pod_id", "author_id", "created_at"))
    if len(deciders) < 2 or len(members) < 4 or not posts:
        return
    regions = {pod.pk: pod_region_id(pod) for pod in Pod.objects.filter(pk__in={p[1] for p in posts} - {None})}
    plans = []  # (item, reporters, [(actor, action, at)])
    for back in range(days, 0, -1):
        for _ in range(rng.choice((0, 1, 1, 2, 3))):
            created = day_start(now.date() - timedelta(days=back)) + timedelta(seconds=rng.randrange(86400))
            decided = created + timedelta(seconds=min(rng.lognormvariate(9.3, 1.3), 3 * 86400))
            if decided >= now - timedelta(hours=1):
                continue
            decider = rng.choice(deciders)
            if rng.random() < 0.55:
                subject = rng.choice(members)
                item = QueueItem(kind="report", scope_kind="commons", member_id=subject, subject_id=subject,
                                 reason="Reported by members", created_at=created)
                reporters = rng.sample([m for m in members if m != subject], rng.choice((1, 1, 2, 3)))
                steps = [(decider, "warn", decided), (decider, "approve", decided + timedelta(minutes=2))] \
                    if rng.random() < 0.3 else [(decider, "approve", decided)]
                item.content_pod_id = None
            else:
                post_id, pod_id, author_id, _ = rng.choice(posts)
                item = QueueItem(kind="flagged", post_id=post_id, subject_id=author_id, reason="Links and images",
                                 created_at=created, **_item_scope(pod_id, regions))
                reporters = []
                steps = [(decider, "approve", decided)]
                if pod_id is not None and rng.random() < 0.15:  # up to the region (or the Commons), then decided
                    region_id = regions.get(pod_id)
                    item.scope_kind, item.pod_id = ("region" if region_id else "commons"), None
                    item.region_id = region_id
                    steps = [(decider, "escalate", decided),
                             (ctx.manager, "approve", decided + timedelta(hours=rng.randrange(1, 20)))]
                item.content_pod_id = pod_id
            item.status, item.resolution = "resolved", "approved"
            item.resolved_at, item.resolved_by = steps[-1][2], steps[-1][0]
            plans.append((item, reporters, steps))
    QueueItem.objects.bulk_create([item for item, _, _ in plans])
    Report.objects.bulk_create([Report(reporter_id=r, item=item, reason=rng.choice(REPORT_REASONS),
                                       created_at=item.created_at + timedelta(minutes=5 * n))
                                for item, reporters, _ in plans for n, r in enumerate(reporters)])
    ModerationLogEntry.objects.bulk_create([
        ModerationLogEntry(actor=actor, action=action, subject_id=item.subject_id, post_id=item.post_id,
                           content_pod_id=item.content_pod_id, item=item, created_at=at,
                           # the escalation is logged in the pod it came from; the decision where it went
                           **(_item_scope(item.content_pod_id, regions) if action == "escalate" else
                              {"scope_kind": item.scope_kind, "pod_id": item.pod_id, "region_id": item.region_id}))
        for item, _, steps in plans for actor, action, at in steps])
