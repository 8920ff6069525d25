"""Metrics: raw events (impressions, activity), pulse surveys, and the rollup tables dashboards read.

Scopes are (scope_kind, scope_id): the Commons and all pods together have scope_id 0, a pod its pod id,
a region its `communities.Place` id (see `metrics.definitions` for what each scope counts).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ScopeKind(models.TextChoices):
    COMMONS = "commons", "Commons"
    PODS = "pods", "All pods"
    POD = "pod", "Pod"
    REGION = "region", "Region"


class PeriodKind(models.TextChoices):
    DAY = "day", "Day"
    WEEK = "week", "ISO week"
    D28 = "d28", "28 days"


class Impression(models.Model):
    """A post shown to a signed-in member, at most once per member, post and day."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey("communities.Post", on_delete=models.CASCADE, related_name="+")
    # The post's pod, copied so rollups group impressions by scope without joining posts.
    pod = models.ForeignKey("microgroups.Pod", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "post", "day"], name="impression_once_a_day")]
        indexes = [models.Index(fields=["day", "pod"], name="impression_day_idx")]


class ActivityDay(models.Model):
    """A member did something in a scope (the Commons when pod is null) on a day."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    pod = models.ForeignKey("microgroups.Pod", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "day"], condition=Q(pod__isnull=True),
                                    name="activity_once_a_day_commons"),
            models.UniqueConstraint(fields=["member", "pod", "day"], condition=Q(pod__isnull=False),
                                    name="activity_once_a_day_pod"),
        ]
        indexes = [
            models.Index(fields=["day", "pod"], name="activity_day_idx"),
            models.Index(fields=["member", "day"], name="activity_member_idx"),
        ]


class PulseSurvey(models.Model):
    """One month's pulse in one pod. Counters are kept with F() by `pulse_respond`."""

    pod = models.ForeignKey("microgroups.Pod", on_delete=models.CASCADE, related_name="pulse_surveys")
    month = models.DateField(help_text="The first day of the month asked about.")
    opened_at = models.DateTimeField(default=timezone.now)
    asked_count = models.PositiveIntegerField(default=0)  # active members when the survey opened
    response_count = models.PositiveIntegerField(default=0)
    score_sum = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-month"]
        constraints = [models.UniqueConstraint(fields=["pod", "month"], name="pulse_once_a_month")]

    @property
    def mean_score(self) -> float | None:
        return self.score_sum / self.response_count if self.response_count else None

    @property
    def response_rate(self) -> float | None:
        return self.response_count / self.asked_count if self.asked_count else None


class PulseResponse(models.Model):
    survey = models.ForeignKey(PulseSurvey, on_delete=models.CASCADE, related_name="responses")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    text = models.TextField(max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "member"], name="pulse_one_answer"),
            models.CheckConstraint(condition=Q(score__gte=1) & Q(score__lte=5), name="pulse_score_range"),
        ]


ATTENTION_REASONS = {
    "engagement_falling": "Engagement rate fell by a fifth or more",
    "sentiment_drop": "Sentiment dropped",
    "stale_queue": "Moderation queue items waiting too long",
    "no_steward": "No steward",
}


class MetricRollup(models.Model):
    """Counts for one scope and period. Ratios are derived (see the properties) so they can't drift."""

    scope_kind = models.CharField(max_length=10, choices=ScopeKind.choices)
    scope_id = models.PositiveBigIntegerField(default=0)
    period = models.CharField(max_length=4, choices=PeriodKind.choices)
    start = models.DateField()
    end = models.DateField()
    days = models.PositiveSmallIntegerField()  # days covered so far (less than the period while it runs)
    computed_at = models.DateTimeField(default=timezone.now)
    # Reach
    impressions = models.PositiveBigIntegerField(default=0)
    unique_reach = models.PositiveIntegerField(default=0)
    active_members = models.PositiveIntegerField(default=0)
    member_days = models.PositiveBigIntegerField(default=0)  # Σ DAU over the period's days
    wau = models.PositiveIntegerField(default=0)
    mau = models.PositiveIntegerField(default=0)
    members_start = models.PositiveIntegerField(default=0)
    members_end = models.PositiveIntegerField(default=0)
    joined = models.PositiveIntegerField(default=0)
    left = models.PositiveIntegerField(default=0)
    # Engagement
    posts = models.PositiveIntegerField(default=0)
    comments = models.PositiveIntegerField(default=0)
    reactions = models.PositiveIntegerField(default=0)
    contributors = models.PositiveIntegerField(default=0)
    top_contributions = models.PositiveIntegerField(default=0)  # by the top 10% of contributors
    posts_replied_24h = models.PositiveIntegerField(default=0)
    median_reply_seconds = models.FloatField(null=True, blank=True)
    sentiment_count = models.PositiveIntegerField(default=0)
    sentiment_sum = models.FloatField(default=0.0)
    sentiment_positive = models.PositiveIntegerField(default=0)
    sentiment_negative = models.PositiveIntegerField(default=0)
    rule_hits = models.PositiveIntegerField(default=0)
    # Pod scope only, the state when the row was computed: for "pods needing attention".
    steward_count = models.PositiveIntegerField(null=True, blank=True)
    stale_queue_items = models.PositiveIntegerField(null=True, blank=True)
    attention = models.CharField(max_length=100, blank=True)  # comma-separated reasons (see ATTENTION_REASONS)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope_kind", "scope_id", "period", "start"], name="rollup_unique"),
        ]
        indexes = [
            models.Index(fields=["period", "start", "scope_kind"], name="rollup_period_idx"),
            # The dashboard's busiest pods and pods needing attention, read in order: the first rows of the
            # index, not every pod's row of the period sorted (at 10,000 pods ~5 and ~3 ms of each page).
            models.Index(fields=["period", "start", "scope_kind", "-active_members", "-members_end", "scope_id"],
                         condition=Q(members_end__gt=0), name="rollup_busiest_idx"),
            models.Index(fields=["period", "start", "scope_kind", "-members_end", "scope_id"],
                         condition=~Q(attention=""), name="rollup_attention_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.scope_kind}:{self.scope_id} {self.period} {self.start}"

    @property
    def attention_reasons(self) -> list[str]:
        return [ATTENTION_REASONS[code] for code in self.attention.split(",") if code in ATTENTION_REASONS]

    @staticmethod
    def ratio(num, den) -> float | None:
        return num / den if den else None

    @property
    def growth(self) -> int:
        return self.joined - self.left

    @property
    def growth_rate(self):
        return self.ratio(self.growth, self.members_start)

    @property
    def dau(self):
        return self.ratio(self.member_days, self.days)

    @property
    def stickiness(self):
        return self.ratio(self.member_days / self.days if self.days else 0, self.mau)

    @property
    def interactions(self) -> int:
        return self.posts + self.comments + self.reactions

    @property
    def contributions(self) -> int:
        return self.posts + self.comments

    @property
    def engagement_rate(self):
        return self.ratio(self.comments + self.reactions, self.impressions)

    @property
    def participation(self):
        return self.ratio(self.contributors, self.active_members)

    @property
    def contributions_per_active(self):
        return self.ratio(self.contributions, self.active_members)

    @property
    def inequality(self):
        return self.ratio(self.top_contributions, self.contributions)

    @property
    def reply_rate(self):
        return self.ratio(self.posts_replied_24h, self.posts)

    @property
    def sentiment_mean(self):
        return self.ratio(self.sentiment_sum, self.sentiment_count)

    @property
    def sentiment_positive_share(self):
        return self.ratio(self.sentiment_positive, self.sentiment_count)

    @property
    def sentiment_negative_share(self):
        return self.ratio(self.sentiment_negative, self.sentiment_count)


class RetentionCohort(models.Model):
    """Members who joined a scope in one ISO week, and how many were active there k weeks later.

    `retained_k` is null until week k after the cohort week has ended. Segments split the Commons
    cohorts by whether the member joined a pod in their join week (the pod-joining effect).
    """

    class Segment(models.TextChoices):
        ALL = "all", "Everyone"
        POD_JOINERS = "pod_joiners", "Joined a pod in their first week"
        NON_JOINERS = "non_joiners", "Did not join a pod in their first week"

    scope_kind = models.CharField(max_length=10, choices=ScopeKind.choices)
    scope_id = models.PositiveBigIntegerField(default=0)
    segment = models.CharField(max_length=12, choices=Segment.choices, default=Segment.ALL)
    cohort_week = models.DateField()  # the Monday
    size = models.PositiveIntegerField()
    retained_1 = models.PositiveIntegerField(null=True, blank=True)
    retained_2 = models.PositiveIntegerField(null=True, blank=True)
    retained_3 = models.PositiveIntegerField(null=True, blank=True)
    retained_4 = models.PositiveIntegerField(null=True, blank=True)
    retained_5 = models.PositiveIntegerField(null=True, blank=True)
    retained_6 = models.PositiveIntegerField(null=True, blank=True)
    retained_7 = models.PositiveIntegerField(null=True, blank=True)
    retained_8 = models.PositiveIntegerField(null=True, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope_kind", "scope_id", "segment", "cohort_week"],
                                    name="cohort_unique"),
        ]

    @property
    def retained(self) -> list[int | None]:
        return [getattr(self, f"retained_{k}") for k in range(1, 9)]

    @property
    def rates(self) -> list[float | None]:
        return [None if r is None or not self.size else r / self.size for r in self.retained]


class PodBenchmark(models.Model):
    """The all-pods median of each figure for one period (what a pod's stewards compare against)."""

    period = models.CharField(max_length=4, choices=PeriodKind.choices)
    start = models.DateField()
    pod_count = models.PositiveIntegerField(default=0)
    medians = models.JSONField(default=dict)  # figure name → median over pods with members (null: none)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["period", "start"], name="benchmark_unique")]


class InfluencerRollup(models.Model):
    """Per niche tag and period: members whose tagged posts drew engagement from many distinct members
    relative to how many distinct members saw them (top few per tag, with a minimum reach)."""

    period = models.CharField(max_length=4, choices=PeriodKind.choices)
    start = models.DateField()
    tag = models.ForeignKey("communities.Tag", on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reach = models.PositiveIntegerField()  # distinct other members with an impression of their tagged posts
    engagers = models.PositiveIntegerField()  # distinct other members who commented or reacted on them
    rank = models.PositiveSmallIntegerField()
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["tag_id", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["period", "start", "tag", "member"], name="influencer_unique"),
        ]

    @property
    def score(self) -> float | None:
        return self.engagers / self.reach if self.reach else None


class DirtyDay(models.Model):
    """A (scope, day) whose rollups are stale: an event changed what the day counts (the Commons or a pod
    where it happened, the region of the member who did it). `rollup_recent` recomputes those scopes for the
    day, its week and 28-day window and the cohorts that count the day, then clears the marks it saw (a mark
    renewed meanwhile has a later `marked_at` and stays for the next run)."""

    scope_kind = models.CharField(max_length=10, choices=ScopeKind.choices)
    scope_id = models.PositiveBigIntegerField(default=0)
    day = models.DateField()
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope_kind", "scope_id", "day"], name="dirty_day_unique")]


class RollupBookmark(models.Model):
    """Where the recurring rollup left off: when its last run began (events without a hook, such as pod
    joins and sign-ups, are found by their timestamps from there) and the day it took as today (a new day
    moves every current period's last day, so those periods are recomputed for every scope)."""

    name = models.CharField(max_length=20, unique=True)
    started_at = models.DateTimeField()
    today = models.DateField()
