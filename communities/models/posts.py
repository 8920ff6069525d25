"""Posts (in the Commons or a pod), their photos, edit history and announcement recipients."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from .members import Pet, User
from .reactions import Reactable
from .tags import Tag


class ContentStatus(models.TextChoices):
    PUBLISHED = "published", "Published"
    HELD = "held", "Held for review"
    REMOVED = "removed", "Removed by a moderator"
    DELETED = "deleted", "Deleted by its author"


class Post(Reactable):
    """A post in the Commons (pod is null) or in one pod."""

    class Audience(models.TextChoices):
        EVERYONE = "everyone", "Everyone who can see this place"
        TRUSTED = "trusted", "Trusted members only"

    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="posts")
    pod = models.ForeignKey("microgroups.Pod", null=True, blank=True, on_delete=models.CASCADE, related_name="posts")
    # The author's own pet the post is about (set by the post service, which checks the owner); the
    # post also carries the pet's species and breed as tags, so species filters find it.
    pet = models.ForeignKey(Pet, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts")
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

    def get_absolute_url(self) -> str:
        return reverse("communities:post_detail", args=[self.pk])

    @property
    def excerpt(self) -> str:
        text = " ".join(self.body.split())
        return text if len(text) <= 120 else text[:117] + "…"

    @property
    def card_tags(self) -> list[Tag]:
        """The tags a card shows, each slug once: `#cat` typed on a post about a cat is a species tag and a
        topic tag of the same slug; the species one stays (it links to the species filter). Reads the
        prefetched tags, so no query."""
        shown: dict[str, Tag] = {}
        for tag in self.tags.all():
            if tag.slug not in shown or tag.kind == Tag.Kind.SPECIES:
                shown[tag.slug] = tag
        return list(shown.values())

    @property
    def is_visible_state(self) -> bool:
        return self.status == ContentStatus.PUBLISHED

    @property
    def poll_or_none(self):
        """The post's poll, or None (the reverse one-to-one raises when there is none)."""
        try:
            return self.poll
        except Post.poll.RelatedObjectDoesNotExist:
            return None


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


class AnnouncementRecipient(models.Model):
    """Who a segmented announcement was addressed to: only they (and managers) may read it."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="recipients")
    member = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    emailed_at = models.DateTimeField(null=True, blank=True)  # a retried email task skips those sent

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "post"], name="announcement_recipient_once")]
