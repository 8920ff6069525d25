"""Members, pets, places and the shared post/comment/reaction machinery (the Commons and pods)."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Visibility(models.TextChoices):
    EVERYONE = "everyone", "Everyone"
    MEMBERS = "members", "Signed-in members"
    TRUSTED = "trusted", "Members who trust me (trusted in a shared pod)"


class Place(models.Model):
    """The manager-maintained place list: country › region › city/area."""

    class Kind(models.TextChoices):
        COUNTRY = "country", "Country"
        REGION = "region", "Region"
        CITY = "city", "City or area"

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=120, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="place_unique_name_in_parent")]

    def __str__(self) -> str:
        return self.name

    @property
    def region(self) -> "Place | None":
        """The region this place sits in (itself when it is a region); moderation scopes hang off it."""
        if self.kind == self.Kind.REGION:
            return self
        if self.kind == self.Kind.CITY and self.parent_id:
            return self.parent
        return None


class Tag(models.Model):
    """One vocabulary table for species, breeds, needs, interests and post topics."""

    class Kind(models.TextChoices):
        SPECIES = "species", "Species"
        BREED = "breed", "Breed"
        NEED = "need", "Need or condition"
        INTEREST = "interest", "Interest"
        TOPIC = "topic", "Topic"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    slug = models.SlugField(max_length=60)
    name = models.CharField(max_length=60)
    # A breed belongs to one species, so breed pickers can be filtered.
    species = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="breeds",
        limit_choices_to={"kind": "species"},
    )

    class Meta:
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["kind", "slug"], name="tag_unique_kind_slug")]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A member. Profile fields live here to keep profile and feed reads to one join."""

    display_name = models.CharField(max_length=60, blank=True)
    bio = models.TextField(max_length=500, blank=True)
    avatar = models.ImageField(upload_to="avatars/", blank=True)
    region = models.ForeignKey(Place, null=True, blank=True, on_delete=models.SET_NULL, related_name="members")
    interests = models.ManyToManyField(Tag, blank=True, related_name="interested_members",
                                       limit_choices_to={"kind": "interest"})
    bio_visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.EVERYONE)
    region_visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.MEMBERS)
    pets_visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.MEMBERS)
    interests_visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.MEMBERS)
    onboarded_at = models.DateTimeField(null=True, blank=True)
    last_active_at = models.DateTimeField(null=True, blank=True, db_index=True)
    suspended_until = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Notification kinds this member also wants by email (see NotificationKind); in-app is always on
    # except for kinds listed in muted_notification_kinds.
    email_notification_kinds = models.JSONField(default=list, blank=True)
    muted_notification_kinds = models.JSONField(default=list, blank=True)
    digest_frequency = models.CharField(
        max_length=10, default="weekly", choices=[("off", "Off"), ("daily", "Daily"), ("weekly", "Weekly")]
    )
    announcement_emails = models.BooleanField(default=True)
    time_zone = models.CharField(max_length=64, default="UTC")

    class Meta:
        indexes = [models.Index(fields=["display_name"], name="user_display_name_idx")]

    @property
    def name(self) -> str:
        if self.deleted_at:
            return "deleted member"
        return self.display_name or self.username

    @property
    def is_suspended(self) -> bool:
        return bool(self.suspended_until and self.suspended_until > timezone.now())


class Pet(models.Model):
    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="pets")
    name = models.CharField(max_length=60)
    species = models.ForeignKey(Tag, on_delete=models.PROTECT, related_name="+", limit_choices_to={"kind": "species"})
    breed = models.ForeignKey(Tag, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              limit_choices_to={"kind": "breed"})
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    needs = models.ManyToManyField(Tag, blank=True, related_name="pets_with_need", limit_choices_to={"kind": "need"})
    photo = models.ImageField(upload_to="pets/", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name


class Follow(models.Model):
    follower = models.ForeignKey(User, on_delete=models.CASCADE, related_name="following_links")
    followee = models.ForeignKey(User, on_delete=models.CASCADE, related_name="follower_links")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "followee"], name="follow_unique"),
            models.CheckConstraint(condition=~Q(follower=models.F("followee")), name="follow_not_self"),
        ]


class ContentStatus(models.TextChoices):
    PUBLISHED = "published", "Published"
    HELD = "held", "Held for review"
    REMOVED = "removed", "Removed by a moderator"
    DELETED = "deleted", "Deleted by its author"


class ReactionKind(models.TextChoices):
    PAW = "paw", "🐾 Paw"
    HEART = "heart", "❤️ Heart"
    HELPFUL = "helpful", "💡 Helpful"
    HUG = "hug", "🤗 Hug"


class Reactable(models.Model):
    """Denormalised reaction counters, updated with F() in services and repaired by counters_sync."""

    paw_count = models.PositiveIntegerField(default=0)
    heart_count = models.PositiveIntegerField(default=0)
    helpful_count = models.PositiveIntegerField(default=0)
    hug_count = models.PositiveIntegerField(default=0)
    reaction_count = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    def reaction_counts(self) -> list[tuple[str, str, int]]:
        return [(k.value, k.label, getattr(self, f"{k.value}_count")) for k in ReactionKind]


class Post(Reactable):
    """A post in the Commons (pod is null) or in one pod."""

    class Audience(models.TextChoices):
        EVERYONE = "everyone", "Everyone who can see this place"
        TRUSTED = "trusted", "Trusted members only"

    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="posts")
    pod = models.ForeignKey("microgroups.Pod", null=True, blank=True, on_delete=models.CASCADE, related_name="posts")
    body = models.TextField(max_length=20000)
    body_html = models.TextField(blank=True)  # rendered and sanitised once, at save time
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.EVERYONE)
    status = models.CharField(max_length=10, choices=ContentStatus.choices, default=ContentStatus.PUBLISHED)
    tags = models.ManyToManyField(Tag, blank=True, related_name="posts")
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(default=timezone.now)
    comment_count = models.PositiveIntegerField(default=0)
    hot_score = models.FloatField(default=0.0)
    pinned_at = models.DateTimeField(null=True, blank=True)
    is_announcement = models.BooleanField(default=False)
    segment = models.JSONField(null=True, blank=True)  # directory filter an announcement was addressed to
    removal_reason = models.CharField(max_length=500, blank=True)
    sentiment = models.FloatField(null=True, blank=True)  # VADER compound, computed at save time

    class Meta:
        indexes = [
            models.Index(fields=["pod", "status", "-created_at", "-id"], name="post_place_new_idx"),
            models.Index(fields=["pod", "status", "-hot_score", "-id"], name="post_place_hot_idx"),
            models.Index(fields=["pod", "status", "-reaction_count", "-id"], name="post_place_top_idx"),
            models.Index(fields=["author", "-created_at"], name="post_author_idx"),
            models.Index(fields=["created_at"], name="post_created_idx"),
            # PostgreSQL does not treat `pod_id IS NULL` as fixing the leading column, so the place indexes
            # above cannot order the Commons feed; these partial indexes do (EXPLAIN: index scan, no sort).
            models.Index(fields=["status", "-created_at", "-id"], condition=Q(pod__isnull=True),
                         name="post_commons_new_idx"),
            models.Index(fields=["status", "-hot_score", "-id"], condition=Q(pod__isnull=True),
                         name="post_commons_hot_idx"),
            models.Index(fields=["status", "-reaction_count", "-id"], condition=Q(pod__isnull=True),
                         name="post_commons_top_idx"),
            # A handful of pinned posts per place: a partial index keeps their lookup off the big table.
            models.Index(fields=["pod", "-pinned_at"], condition=Q(pinned_at__isnull=False), name="post_pinned_idx"),
        ]

    def __str__(self) -> str:
        return f"Post {self.pk}"

    @property
    def excerpt(self) -> str:
        text = " ".join(self.body.split())
        return text if len(text) <= 120 else text[:117] + "…"

    @property
    def is_visible_state(self) -> bool:
        return self.status == ContentStatus.PUBLISHED


class PostImage(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to="posts/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    alt = models.CharField(max_length=200, blank=True)


class PostRevision(models.Model):
    """The text a post had before each edit (the edit history)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    edited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-edited_at"]


class Comment(Reactable):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    # One level of replies: a reply's parent is always a top-level comment (enforced in services).
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="comments")
    body = models.TextField(max_length=10000)
    body_html = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=ContentStatus.choices, default=ContentStatus.PUBLISHED)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    removal_reason = models.CharField(max_length=500, blank=True)
    sentiment = models.FloatField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["post", "created_at", "id"], name="comment_post_idx"),
            models.Index(fields=["author", "-created_at"], name="comment_author_idx"),
            models.Index(fields=["created_at"], name="comment_created_idx"),
        ]


class Reaction(models.Model):
    member = models.ForeignKey(User, on_delete=models.CASCADE, related_name="reactions")
    kind = models.CharField(max_length=10, choices=ReactionKind.choices)
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.CASCADE, related_name="reactions")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="reactions")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(post__isnull=False) & Q(comment__isnull=True))
                | (Q(post__isnull=True) & Q(comment__isnull=False)),
                name="reaction_one_target",
            ),
            models.UniqueConstraint(fields=["member", "post", "kind"], condition=Q(post__isnull=False),
                                    name="reaction_unique_post"),
            models.UniqueConstraint(fields=["member", "comment", "kind"], condition=Q(comment__isnull=False),
                                    name="reaction_unique_comment"),
        ]
        indexes = [models.Index(fields=["created_at"], name="reaction_created_idx")]


class Poll(models.Model):
    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="poll")
    question = models.CharField(max_length=200)
    multiple = models.BooleanField(default=False)
    closes_at = models.DateTimeField(null=True, blank=True)
    voter_count = models.PositiveIntegerField(default=0)

    @property
    def is_closed(self) -> bool:
        return bool(self.closes_at and self.closes_at <= timezone.now())


class PollChoice(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(max_length=120)
    position = models.PositiveSmallIntegerField(default=0)
    vote_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]


class PollBallot(models.Model):
    """One per member and poll. Inserted before the votes, so a double submit loses to the constraint."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="ballots")
    member = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["poll", "member"], name="pollballot_once")]


class PollVote(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="votes")
    choice = models.ForeignKey(PollChoice, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(User, on_delete=models.CASCADE, related_name="poll_votes")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["choice", "member"], name="pollvote_unique")]


class AnnouncementRecipient(models.Model):
    """Who a segmented announcement was addressed to: only they (and managers) may read it."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="recipients")
    member = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    emailed_at = models.DateTimeField(null=True, blank=True)  # a retried email task skips those sent

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "post"], name="announcement_recipient_once")]


class NotificationKind(models.TextChoices):
    REPLY = "reply", "Replies to my posts and comments"
    MENTION = "mention", "Mentions of me"
    REACTION = "reaction", "Reactions to my posts"
    FOLLOW = "follow", "New followers"
    ANNOUNCEMENT = "announcement", "Announcements"
    POD = "pod", "Pod news (requests, invites, rung changes)"
    MODERATION = "moderation", "Moderation decisions about my content"


class Notification(models.Model):
    """One row per (recipient, kind, target) while unread, so reactions batch ("12 members reacted")."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_count = models.PositiveIntegerField(default=1)
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    pod = models.ForeignKey("microgroups.Pod", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    verb = models.CharField(max_length=200)  # short text, never containing content the recipient can't see
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["recipient", "read_at", "-updated_at"], name="notification_inbox_idx"),
            models.Index(fields=["recipient", "-updated_at", "-id"], name="notification_list_idx"),
        ]
        # Reactions batch into one unread row per target; these make concurrent first reactions safe.
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "post"], name="notification_unread_post_reaction",
                condition=Q(kind="reaction", read_at__isnull=True, comment__isnull=True),
            ),
            models.UniqueConstraint(
                fields=["recipient", "comment"], name="notification_unread_comment_reaction",
                condition=Q(kind="reaction", read_at__isnull=True, comment__isnull=False),
            ),
        ]


class DigestSent(models.Model):
    """At most one digest email per member, place and period, however often the task runs."""

    member = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=20)  # e.g. "daily:2026-11-24" or "weekly:2026-W48"
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "period"], name="digest_once_per_period")]


class Webhook(models.Model):
    """An outgoing webhook a manager registers; deliveries are signed with its secret (HMAC-SHA256)."""

    class Event(models.TextChoices):
        POST_CREATED = "post.created", "Post created"
        POD_MEMBER_JOINED = "pod.member_joined", "Member joined a pod"
        POD_FULL = "pod.full", "Pod full"
        RULE_HIT = "rule.hit", "Rule hit"
        RUNG_PROMOTED = "rung.promoted", "Rung promoted"
        REPORT_OPENED = "report.opened", "Report opened"

    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=64)
    events = models.JSONField(default=list)
    # The scope whose content the hook may carry: null = the Commons only; a pod = that pod only.
    pod = models.ForeignKey("microgroups.Pod", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed (retrying)"
        GAVE_UP = "gave_up", "Gave up"

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40)
    event_key = models.CharField(max_length=120)  # e.g. "post.created:123": one delivery per hook and event
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["webhook", "event_key"], name="webhook_delivery_once")]
