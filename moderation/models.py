"""Hyperlocal moderation: scopes (Commons › region › pod), rules, reports, the queue and the audit log.

A scope is (kind, region, pod): Commons has neither, a region scope names a `communities.Place` of kind
region, a pod scope names a pod (and, on queue items and log entries, the pod's region too, so one
filter finds everything under a region).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .rulekinds import describe


class ScopeKind(models.TextChoices):
    COMMONS = "commons", "Commons"
    REGION = "region", "Region"
    POD = "pod", "Pod"


def _scope_shape(*, pod_may_name_region: bool = False) -> Q:
    """Commons names nothing; a region scope names a region only; a pod scope names a pod (and, on
    queue items, log entries and mutes, may also carry the pod's region so region filters find it)."""
    pod = Q(scope_kind=ScopeKind.POD, pod__isnull=False)
    if not pod_may_name_region:
        pod &= Q(region__isnull=True)
    return (
        Q(scope_kind=ScopeKind.COMMONS, region__isnull=True, pod__isnull=True)
        | Q(scope_kind=ScopeKind.REGION, region__isnull=False, pod__isnull=True)
        | pod
    )


class ScopedModel(models.Model):
    scope_kind = models.CharField(max_length=10, choices=ScopeKind.choices, default=ScopeKind.COMMONS)
    region = models.ForeignKey("communities.Place", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+", limit_choices_to={"kind": "region"})
    pod = models.ForeignKey("microgroups.Pod", null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True

    @property
    def scope_key(self) -> str:
        from .scopes import scope_key  # scopes builds on these models, so the models reach it late

        return scope_key(self.scope_kind, self.region_id, self.pod_id)

    @property
    def scope_label(self) -> str:
        if self.scope_kind == ScopeKind.POD:
            return f"Pod: {self.pod.name}"
        if self.scope_kind == ScopeKind.REGION:
            return f"Region: {self.region.name}"
        return "Commons"


class ModeratorAssignment(ScopedModel):
    """A member moderates one scope. Managers need none (they moderate everywhere); stewards moderate
    their pod by role. Revoked rows stay for the log; only rows with `revoked_at` null count."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moderator_assignments")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=_scope_shape(), name="modassign_scope_shape"),
            # One active assignment per member and scope (three constraints: NULLs never collide).
            models.UniqueConstraint(fields=["member"], condition=Q(revoked_at__isnull=True, scope_kind="commons"),
                                    name="modassign_one_commons"),
            models.UniqueConstraint(fields=["member", "region"], condition=Q(revoked_at__isnull=True,
                                                                             scope_kind="region"),
                                    name="modassign_one_region"),
            models.UniqueConstraint(fields=["member", "pod"], condition=Q(revoked_at__isnull=True, scope_kind="pod"),
                                    name="modassign_one_pod"),
        ]
        indexes = [models.Index(fields=["member", "revoked_at"], name="modassign_member_idx")]

    def __str__(self) -> str:
        return f"{self.member} moderates {self.scope_label}"


class Rule(ScopedModel):
    """One rule of one kind at one scope. Settings live in JSON, validated per kind by `rules_validate`."""

    class Kind(models.TextChoices):
        WATCHED_WORD = "watched_word", "Watched word"
        LINKS_IMAGES = "links_images", "Links and images"
        SLOW_MODE = "slow_mode", "Slow mode"
        NEW_MEMBER = "new_member", "New-member approval"
        DAILY_CAP = "daily_cap", "Daily caps"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=80)
    settings = models.JSONField(default=dict)
    enabled = models.BooleanField(default=True)
    # Runtime state of automatic slow mode (set by the periodic task, not by people).
    auto_active = models.BooleanField(default=False)
    auto_changed_at = models.DateTimeField(null=True, blank=True)
    # The class attribute `settings` above shadows django.conf.settings here, hence the literal model label.
    created_by = models.ForeignKey("communities.User", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["scope_kind", "kind", "id"]
        constraints = [
            models.CheckConstraint(condition=_scope_shape(), name="rule_scope_shape"),
        ]
        indexes = [models.Index(fields=["scope_kind", "region", "pod", "enabled"], name="rule_scope_idx")]

    def __str__(self) -> str:
        return f"{self.title} ({self.scope_label})"

    @property
    def summary(self) -> str:

        return describe(self.kind, self.settings)


class RulesVersion(models.Model):
    """One row whose number changes with every rule change. Every process (web workers, the Celery worker)
    reads it with the rule set, so a change made in one is applied by all on their next check, with or
    without a shared cache."""

    number = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="rules_version_single_row")]


class RuleHit(models.Model):
    """Every time a rule acted on a post or comment (the metrics read this table)."""

    class Outcome(models.TextChoices):
        BLOCKED = "blocked", "Blocked"
        HELD = "held", "Held for review"
        FLAGGED = "flagged", "Flagged"
        REPLACED = "replaced", "Text replaced"

    rule = models.ForeignKey(Rule, null=True, on_delete=models.SET_NULL, related_name="hits")
    rule_kind = models.CharField(max_length=20, choices=Rule.Kind.choices)
    scope_kind = models.CharField(max_length=10, choices=ScopeKind.choices)
    region = models.ForeignKey("communities.Place", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    pod = models.ForeignKey("microgroups.Pod", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Where the content was posted (the rule may sit higher up): the pod, or null for the Commons.
    content_pod = models.ForeignKey("microgroups.Pod", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    content_kind = models.CharField(max_length=10)  # "post" or "comment"
    member = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    post = models.ForeignKey("communities.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    comment = models.ForeignKey("communities.Comment", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["created_at"], name="rulehit_created_idx"),
            models.Index(fields=["rule", "created_at"], name="rulehit_rule_idx"),
            models.Index(fields=["content_pod", "outcome", "created_at"], name="rulehit_pod_idx"),
        ]


class Mute(ScopedModel):
    """A member may not post or comment in the scope (and beneath it) until `until`."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moderation_mutes")
    until = models.DateTimeField()
    reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.CheckConstraint(condition=_scope_shape(), name="mute_scope_shape")]
        indexes = [models.Index(fields=["member", "until"], name="mute_member_idx")]


class RemovalReason(ScopedModel):
    """A reusable removal reason: defined at a scope, offered for removals in it and every scope beneath
    (Commons › region › pod). The author reads `text`; moderators pick it by `title`."""

    TITLE_MAX = 80
    TEXT_MAX = 500

    title = models.CharField(max_length=TITLE_MAX)
    text = models.CharField(max_length=TEXT_MAX)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title", "id"]
        constraints = [models.CheckConstraint(condition=_scope_shape(), name="removalreason_scope_shape")]
        indexes = [models.Index(fields=["scope_kind", "region", "pod"], name="removalreason_scope_idx")]

    def __str__(self) -> str:
        return f"{self.title} ({self.scope_label})"


class ModeratorNote(ScopedModel):
    """A private note about a member, written in one scope: its moderators and those of every scope above
    read it (a pod-scope note keeps the pod's region, so region moderators find it as they find items)."""

    TEXT_MAX = 1000

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.CharField(max_length=TEXT_MAX)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=_scope_shape(pod_may_name_region=True),
                                              name="modnote_scope_shape")]
        indexes = [models.Index(fields=["member", "-created_at"], name="modnote_member_idx")]

    def __str__(self) -> str:
        return f"Note on {self.member} ({self.scope_label})"


class QueueItem(ScopedModel):
    """Something waiting for a moderator. At most one open item per target, however many reports."""

    class Kind(models.TextChoices):
        HELD = "held", "Held post"
        FLAGGED = "flagged", "Flagged by a rule"
        REPORT = "report", "Reported"
        JOIN_REQUEST = "join_request", "Join request waiting"
        APPEAL = "appeal", "Appeal"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    post = models.ForeignKey("communities.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey("communities.Comment", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="+")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+")  # a reported member
    join_request = models.ForeignKey("microgroups.JoinRequest", null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="+")
    appeal = models.ForeignKey("Appeal", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # The member the decision concerns (author, reported member, requester): notified and named in the log.
    subject = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    rule = models.ForeignKey(Rule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=300, blank=True)  # why it is here (rule title, top report reason)
    score = models.FloatField(default=0)  # summed report weights
    report_count = models.PositiveIntegerField(default=0)
    reasons = models.JSONField(default=dict, blank=True)  # report reason → count
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    resolution = models.CharField(max_length=20, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=_scope_shape(pod_may_name_region=True), name="queueitem_scope_shape"),
            models.UniqueConstraint(fields=["post"], condition=Q(status="open", post__isnull=False),
                                    name="queueitem_one_open_post"),
            models.UniqueConstraint(fields=["comment"], condition=Q(status="open", comment__isnull=False),
                                    name="queueitem_one_open_comment"),
            models.UniqueConstraint(fields=["member"], condition=Q(status="open", member__isnull=False),
                                    name="queueitem_one_open_member"),
            models.UniqueConstraint(fields=["join_request"], condition=Q(status="open", join_request__isnull=False),
                                    name="queueitem_one_open_joinrequest"),
        ]
        indexes = [
            models.Index(fields=["status", "scope_kind", "created_at"], name="queueitem_open_idx"),
            models.Index(fields=["status", "region", "created_at"], name="queueitem_region_idx"),
            models.Index(fields=["status", "pod", "created_at"], name="queueitem_pod_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def target_post(self):
        """The post a content item is about (a comment's post for comments), for read checks."""
        if self.post_id:
            return self.post
        if self.comment_id:
            return self.comment.post
        return None


class Report(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", "Spam"
        HARASSMENT = "harassment", "Harassment"
        MISINFORMATION = "misinformation", "Misinformation about pet health"
        OFF_TOPIC = "off_topic", "Off-topic for this pod"
        OTHER = "other", "Other"

    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_made")
    item = models.ForeignKey(QueueItem, on_delete=models.CASCADE, related_name="reports")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    text = models.CharField(max_length=500, blank=True)
    weight = models.FloatField(default=1.0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["reporter", "item"], name="report_once_per_item")]


class Appeal(models.Model):
    """An author's one appeal against one removal; decided in the scope above the one that removed."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        GRANTED = "granted", "Granted (restored)"
        DENIED = "denied", "Denied (removal upheld)"

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="appeals")
    post = models.OneToOneField("communities.Post", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="+")
    comment = models.OneToOneField("communities.Comment", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="+")
    removal = models.ForeignKey("ModerationLogEntry", on_delete=models.PROTECT, related_name="appeals")
    text = models.CharField(max_length=1000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(post__isnull=False) ^ Q(comment__isnull=False),
                                   name="appeal_one_target"),
        ]


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValidationError("The moderation log is append-only.")

    def delete(self):
        raise ValidationError("The moderation log is append-only.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise ValidationError("The moderation log is append-only.")


class ModerationLogEntry(ScopedModel):
    """Append-only: every moderation action and rule change (who, what, where, why, before/after).

    Saving an existing row or deleting any row raises; the admin offers neither.
    """

    class Action(models.TextChoices):
        APPROVE = "approve", "Approved"
        REMOVE = "remove", "Removed"
        EDIT_OUT = "edit_out", "Edited out a part"
        DECLINE_EDIT = "decline_edit", "Declined an edit"
        WARN = "warn", "Warned"
        MUTE = "mute", "Muted"
        BAN = "ban", "Banned from pod"
        ESCALATE = "escalate", "Escalated"
        HIDE = "hide", "Hidden by reports"
        APPEAL_GRANTED = "appeal_granted", "Appeal granted"
        APPEAL_DENIED = "appeal_denied", "Appeal denied"
        RULE_CREATE = "rule_create", "Rule created"
        RULE_UPDATE = "rule_update", "Rule changed"
        RULE_TOGGLE = "rule_toggle", "Rule switched on/off"
        AUTO_SLOW = "auto_slow", "Automatic slow mode"
        ASSIGN = "assign", "Moderator assigned"
        MOVE = "assign_move", "Moderator moved"
        REVOKE = "revoke", "Moderator revoked"
        BAN_LIFTED = "ban_lifted", "Ban expired"

    # The actions that count against a member (the ladder's clean-record check reads these).
    UPHELD_ACTIONS = ("remove", "edit_out", "warn", "mute", "ban")

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")  # null: the system (a task)
    action = models.CharField(max_length=20, choices=Action.choices)
    subject = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    post = models.ForeignKey("communities.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    comment = models.ForeignKey("communities.Comment", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    # The pod the content or member lives in, when it differs from the scope acting (for the pod summary).
    content_pod = models.ForeignKey("microgroups.Pod", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    rule = models.ForeignKey(Rule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    rule_title = models.CharField(max_length=80, blank=True)  # kept even if the rule goes
    item = models.ForeignKey(QueueItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=500, blank=True)
    before = models.TextField(blank=True)
    after = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "moderation log entries"
        constraints = [models.CheckConstraint(condition=_scope_shape(pod_may_name_region=True),
                                              name="modlog_scope_shape")]
        indexes = [
            models.Index(fields=["scope_kind", "-created_at"], name="modlog_scope_idx"),
            models.Index(fields=["content_pod", "action", "created_at"], name="modlog_pod_idx"),
            models.Index(fields=["subject", "action", "created_at"], name="modlog_subject_idx"),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValidationError("The moderation log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("The moderation log is append-only.")
