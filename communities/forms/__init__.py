"""Input validation, one module per noun; the services do the writing."""

from .members import AccountDeleteForm, OnboardingForm, PetForm, ProfileForm, RegionInterestsMixin
from .notifications import NotificationPreferencesForm
from .posts import (
    AnnouncementForm,
    CommentEditForm,
    CommentForm,
    MultipleImageField,
    MultipleImageInput,
    PollVoteForm,
    PostEditForm,
    PostForm,
    ReactionForm,
)

__all__ = [
    "AccountDeleteForm", "AnnouncementForm", "CommentEditForm", "CommentForm", "MultipleImageField",
    "MultipleImageInput",
    "NotificationPreferencesForm", "OnboardingForm", "PetForm", "PollVoteForm", "PostEditForm", "PostForm",
    "ProfileForm", "ReactionForm", "RegionInterestsMixin",
]
