"""The core's models, one module per noun; re-exported here so `from communities.models import X` works."""

from .comments import Comment, CommentRevision
from .members import Follow, Pet, User, Visibility
from .notifications import DigestSent, Notification, NotificationKind
from .places import Place
from .polls import Poll, PollBallot, PollChoice, PollVote
from .posts import AnnouncementRecipient, ContentStatus, Post, PostImage, PostRevision
from .reactions import Reactable, Reaction, ReactionKind
from .saved import SavedPost
from .tags import Tag
from .webhooks import Webhook, WebhookDelivery

__all__ = [
    "Visibility",
    "Place",
    "Tag",
    "User",
    "Pet",
    "Follow",
    "ContentStatus",
    "ReactionKind",
    "Reactable",
    "Post",
    "PostImage",
    "PostRevision",
    "Comment",
    "CommentRevision",
    "SavedPost",
    "Reaction",
    "Poll",
    "PollChoice",
    "PollBallot",
    "PollVote",
    "AnnouncementRecipient",
    "NotificationKind",
    "Notification",
    "DigestSent",
    "Webhook",
    "WebhookDelivery",
]
