"""Pods: small member-formed groups with stewards, a charter and an intimacy ladder."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

DEFAULT_LADDER = {
    # regular: active on N distinct days and M contributions in this pod
    "regular_active_days": 3,
    "regular_contributions": 3,
    # trusted: tenure, recent activity, contributions, reactions from distinct members, clean record
    "trusted_member_days": 21,
    "trusted_active_days_30": 8,
    "trusted_contributions": 10,
    "trusted_distinct_reactors": 3,
    "trusted_clean_days": 30,
    # demotion after long silence (days without activity in the pod)
    "demote_after_silent_days": 60,
    # what rungs unlock
    "links_min_rung": "regular",
    "images_min_rung": "regular",
    # measure activity thresholds against the pod's own pace (a quiet pod lowers them, never below half)
    "pace_adjust": True,
}

# Steward-editable ladder keys (the rest of DEFAULT_LADDER are numbers too unless listed here).
LADDER_RUNG_KEYS = ("links_min_rung", "images_min_rung")
LADDER_BOOL_KEYS = ("pace_adjust",)


class Rung(models.TextChoices):
    NEWCOMER = "newcomer", "Newcomer"
    REGULAR = "regular", "Regular"
    TRUSTED = "trusted", "Trusted"


RUNG_ORDER = {Rung.NEWCOMER: 0, Rung.REGULAR: 1, Rung.TRUSTED: 2}


class Pod(models.Model):
    class Privacy(models.TextChoices):
        OPEN = "open", "Open: anyone may join"
        REQUEST = "request", "Request: members ask, stewards approve"
        INVITE = "invite", "Invite only"

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(max_length=1000, blank=True)
    tags = models.ManyToManyField("communities.Tag", blank=True, related_name="pods")
    region = models.ForeignKey("communities.Place", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="pods")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    privacy = models.CharField(max_length=10, choices=Privacy.choices, default=Privacy.OPEN)
    is_unlisted = models.BooleanField(default=False, help_text="Invite-only pods only: hidden from non-members.")
    member_cap = models.PositiveSmallIntegerField(default=50, validators=[MinValueValidator(3), MaxValueValidator(500)])
    question = models.CharField(max_length=200, blank=True, help_text="Asked of people who request to join.")
    welcome_message = models.TextField(max_length=2000, blank=True)
    prompt_text = models.CharField(max_length=300, blank=True)
    prompt_weekday = models.PositiveSmallIntegerField(null=True, blank=True, choices=Weekday.choices)
    prompt_last_posted_on = models.DateField(null=True, blank=True)
    cohort_welcomed_on = models.DateField(null=True, blank=True)  # the Monday of the last welcomed week
    charter_version = models.PositiveIntegerField(default=0)
    ladder = models.JSONField(default=dict, blank=True)  # overrides of DEFAULT_LADDER
    # The pod's own pace (0.5–1.0), set by the ladder task: activity thresholds are multiplied by it.
    ladder_pace = models.FloatField(default=1.0)
    split_offer_waitlist = models.PositiveSmallIntegerField(default=5)
    is_umbrella = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    member_count = models.PositiveIntegerField(default=0)
    post_count = models.PositiveIntegerField(default=0)
    last_post_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(member_cap__gte=3) & Q(member_cap__lte=500), name="pod_cap_range"),
            models.CheckConstraint(condition=Q(is_unlisted=False) | Q(privacy="invite"), name="pod_unlisted_invite"),
        ]

    def __str__(self) -> str:
        return self.name

    def ladder_setting(self, key: str):
        return (self.ladder or {}).get(key, DEFAULT_LADDER[key])

    @property
    def has_room(self) -> bool:
        return self.member_count < self.member_cap

    @property
    def room_left(self) -> int:
        return max(self.member_cap - self.member_count, 0)


class Charter(models.Model):
    pod = models.ForeignKey(Pod, on_delete=models.CASCADE, related_name="charters")
    version = models.PositiveIntegerField()
    body = models.TextField(max_length=10000)
    body_html = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["pod", "version"], name="charter_unique_version")]

    def __str__(self) -> str:
        return f"{self.pod} charter v{self.version}"


class Membership(models.Model):
    """A member's place in a pod. Rows stay after leaving so history and re-joins are cheap."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        LEFT = "left", "Left"
        REMOVED = "removed", "Removed"
        BANNED = "banned", "Banned"

    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        STEWARD = "steward", "Steward"

    pod = models.ForeignKey(Pod, on_delete=models.CASCADE, related_name="memberships")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pod_memberships")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    rung = models.CharField(max_length=10, choices=Rung.choices, default=Rung.NEWCOMER)
    rung_set_by_hand = models.BooleanField(default=False)
    rung_changed_at = models.DateTimeField(null=True, blank=True)
    joined_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    banned_until = models.DateTimeField(null=True, blank=True)
    charter_version_acknowledged = models.PositiveIntegerField(default=0)
    answer = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["pod", "member"], name="membership_unique")]
        indexes = [
            models.Index(fields=["member", "status"], name="membership_member_idx"),
            models.Index(fields=["pod", "status", "rung"], name="membership_pod_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.member} in {self.pod}"

    @property
    def is_steward(self) -> bool:
        return self.status == self.Status.ACTIVE and self.role == self.Role.STEWARD


class MembershipEvent(models.Model):
    """Joins, leaves and rung changes as they happened: the metrics read growth and rungs from here."""

    class Kind(models.TextChoices):
        JOINED = "joined", "Joined"
        LEFT = "left", "Left"
        REMOVED = "removed", "Removed"
        BANNED = "banned", "Banned"
        RUNG = "rung", "Rung changed"
        ROLE = "role", "Role changed"

    pod = models.ForeignKey(Pod, on_delete=models.CASCADE, related_name="membership_events")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    from_value = models.CharField(max_length=20, blank=True)
    to_value = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")  # null: the ladder task
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["pod", "kind", "created_at"], name="membershipevent_idx")]


class JoinRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    pod = models.ForeignKey(Pod, on_delete=models.CASCADE, related_name="join_requests")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests")
    answer = models.CharField(max_length=500, blank=True)
    charter_version = models.PositiveIntegerField(default=0)  # the charter version they acknowledged
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pod", "member"], condition=Q(status="pending"),
                                    name="joinrequest_one_pending"),
        ]


class Invite(models.Model):
    pod = models.ForeignKey(Pod, on_delete=models.CASCADE, related_name="invites")
    code = models.CharField(max_length=40, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    max_uses = models.PositiveIntegerField(null=True, blank=True)
    uses = models.PositiveIntegerField(default=0)
    email = models.EmailField(blank=True, help_text="When set, only the account with this email may use it.")
    # Split invitations are bound to one member (their email may change, their account does not).
    for_member = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(max_uses__isnull=True) | Q(uses__lte=models.F("max_uses")),
                                   name="invite_uses_within_max"),
        ]

    def __str__(self) -> str:
        return f"Invite to {self.pod} ({self.code[:6]}…)"

    def problem(self, now=None) -> str | None:
        """Why this invite can't be used now, in words for the person holding it (None: usable)."""
        now = now or timezone.now()
        if self.revoked_at:
            return "This invite was withdrawn by the pod's stewards."
        if self.expires_at and self.expires_at <= now:
            return "This invite has expired. Ask a steward for a new one."
        if self.max_uses is not None and self.uses >= self.max_uses:
            return "This invite has been used up. Ask a steward for a new one."
        return None


class WaitlistEntry(models.Model):
    pod = models.ForeignKey(Pod, on_delete=models.CASCADE, related_name="waitlist")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    answer = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # When a place opened for them: the place is held for them until the offer expires.
    offered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["pod", "member"], name="waitlist_unique")]


class PodSuggestion(models.Model):
    """Precomputed "Pods for you": refreshed by a task, read with one query per page."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pod_suggestions")
    pod = models.ForeignKey(Pod, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    reason = models.CharField(max_length=200)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-score", "id"]
        constraints = [models.UniqueConstraint(fields=["member", "pod"], name="suggestion_unique")]


class SuggestionInput(models.Model):
    """What "Pods for you" last scored from: a digest of each member's profile (pets, needs, region,
    interests, pods they're in or banned from), of each suggestable pod (tags, region, activity and room
    factors) and of the shared vocabulary. The hourly run rescores only what no longer matches."""

    key = models.CharField(max_length=40, primary_key=True)  # "member:<id>", "pod:<id>" or "catalog"
    digest = models.CharField(max_length=32)
    computed_at = models.DateTimeField(default=timezone.now)


class EmergingNiche(models.Model):
    """Topic tags (or pairs) many distinct Commons authors use lately with no pod covering them."""

    key = models.CharField(max_length=130, unique=True)  # sorted tag slugs joined by "+"
    tags = models.ManyToManyField("communities.Tag", related_name="+")
    label = models.CharField(max_length=200)
    author_count = models.PositiveIntegerField()
    previous_author_count = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(default=timezone.now)
    covered_by = models.ForeignKey(Pod, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    covered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-author_count"]


class StewardInvitation(models.Model):
    """A community manager asks a member to steward a pod: an existing one (`pod`), or a new one about a
    niche (`pod` empty, `niche` the tag to prefill it with). Only the member sees it, on their own page,
    and accepts (becoming steward) or declines (the manager is told); unanswered, it expires."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for an answer"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        EXPIRED = "expired", "Expired"

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="steward_invitations")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    pod = models.ForeignKey(Pod, null=True, blank=True, on_delete=models.CASCADE, related_name="steward_invitations")
    niche = models.ForeignKey("communities.Tag", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    message = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    answer = models.CharField(max_length=300, blank=True)  # the member's word when declining
    result_pod = models.ForeignKey(Pod, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "pod"], condition=Q(status="pending", pod__isnull=False),
                                    name="stewardinvite_one_pending_pod"),
            models.UniqueConstraint(fields=["member", "niche"],
                                    condition=Q(status="pending", pod__isnull=True, niche__isnull=False),
                                    name="stewardinvite_one_pending_niche"),
        ]
        indexes = [models.Index(fields=["status", "expires_at"], name="stewardinvite_due_idx")]

    def __str__(self) -> str:
        return f"{self.member} invited to steward {self.what}"

    @property
    def what(self) -> str:
        """What they are asked to steward, in words."""
        if self.pod_id:
            return self.pod.name
        return f"a new pod about #{self.niche.slug}" if self.niche_id else "a new pod"

    def is_open(self, now=None) -> bool:
        return self.status == self.Status.PENDING and self.expires_at > (now or timezone.now())
