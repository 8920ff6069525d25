"""Reads for pages, one module per noun; re-exported here so `from communities.selectors import X` works."""

from .comments import (
    COMMENTS_PAGE_SIZE,
    REPLIES_SHOWN,
    CommentsPage,
    post_comments_page,
)
from .feeds import (
    FEED_PAGE_SIZE,
    SORTS,
    TOP_WINDOWS,
    FeedPage,
    feed,
    pinned_posts,
)
from .members import (
    DirectoryPage,
    MemberCard,
    PetCard,
    Profile,
    directory_page,
    member_named,
    place_label,
    profile_get,
)
from .notifications import (
    NOTIFICATION_PAGE_SIZE,
    NotificationPage,
    notification_list,
    notification_page,
    notification_unread_count,
)
from .posts import (
    SAVED_PAGE_SIZE,
    PostPage,
    SavedPage,
    comment_revisions,
    decorate_polls,
    decorate_posts,
    feed_after,
    held_notice,
    post_card_queryset,
    post_get,
    post_page,
    post_revisions,
    posts_in_review,
    saved_posts_page,
    species_options,
)

__all__ = [
    "COMMENTS_PAGE_SIZE", "REPLIES_SHOWN", "CommentsPage", "post_comments_page",
    "FEED_PAGE_SIZE", "NOTIFICATION_PAGE_SIZE", "SAVED_PAGE_SIZE", "SORTS", "TOP_WINDOWS", "DirectoryPage", "FeedPage",
    "MemberCard", "NotificationPage", "PetCard", "PostPage", "Profile", "SavedPage", "comment_revisions",
    "decorate_polls", "decorate_posts", "directory_page", "feed", "feed_after", "held_notice", "notification_list",
    "notification_page", "notification_unread_count", "pinned_posts", "place_label", "post_card_queryset",
    "post_get", "post_page", "post_revisions", "posts_in_review", "profile_get", "member_named",
    "saved_posts_page", "species_options",
]
