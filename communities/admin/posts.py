"""Admin for posts, comments, reactions, polls, notifications and follows. Actions call the services.

Removal for rule breaking belongs to moderation (reports, the queue); here managers pin, unpin,
delete through `post_delete`, and repair counters.
"""

from django.contrib import admin

from common.admin import admin_run_each

from ..models import (
    Comment,
    CommentRevision,
    Follow,
    Notification,
    Poll,
    PollChoice,
    Post,
    PostImage,
    PostRevision,
    Reaction,
)
from ..services.announcements import post_pin, post_unpin
from ..services.comments import comment_delete
from ..services.counters import counters_sync
from ..services.posts import post_delete


def _number(obj) -> str:
    return f"#{obj.pk}"


class PostImageInline(admin.TabularInline):
    model = PostImage
    fields = ["image", "width", "height", "alt"]
    readonly_fields = ["image", "width", "height"]
    extra = 0


class PostRevisionInline(admin.TabularInline):
    model = PostRevision
    fields = ["edited_at", "body"]
    readonly_fields = ["edited_at", "body"]
    extra = 0
    can_delete = False


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["id", "excerpt", "author", "pod", "status", "audience", "is_announcement", "pinned_at",
                    "reaction_count", "comment_count", "created_at"]
    list_filter = ["status", "audience", "is_announcement", ("pinned_at", admin.EmptyFieldListFilter),
                   ("pod", admin.RelatedOnlyFieldListFilter), "created_at"]
    search_fields = ["body", "author__username", "author__display_name"]
    list_select_related = ["author", "pod"]
    date_hierarchy = "created_at"
    # Text and counters change through the services only (edit window, revisions, F() counters).
    readonly_fields = ["author", "pod", "body", "body_html", "audience", "status", "created_at", "edited_at",
                       "last_activity_at", "paw_count", "heart_count", "helpful_count", "hug_count",
                       "reaction_count", "comment_count", "hot_score", "pinned_at", "is_announcement", "segment",
                       "removal_reason", "sentiment"]
    exclude = ["tags"]
    inlines = [PostImageInline, PostRevisionInline]
    actions = ["pin", "unpin", "delete_posts", "repair_counters"]

    def has_add_permission(self, request):
        return False  # posts are written on the site (announcements: /announcements/new/)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # a hard delete would skip counters and live updates
        return actions

    @admin.action(description="Pin to the top of the Commons", permissions=["change"])
    def pin(self, request, queryset):
        admin_run_each(self, request, queryset, lambda p: post_pin(actor=request.user, post=p), done="post(s) pinned",
                       label=_number)

    @admin.action(description="Unpin", permissions=["change"])
    def unpin(self, request, queryset):
        admin_run_each(self, request, queryset, lambda p: post_unpin(actor=request.user, post=p),
                       done="post(s) unpinned", label=_number)

    @admin.action(description="Delete (as the author would)", permissions=["change"])
    def delete_posts(self, request, queryset):
        admin_run_each(self, request, queryset, lambda p: post_delete(actor=request.user, post=p),
                       done="post(s) deleted", label=_number)

    @admin.action(description="Repair counters from source rows", permissions=["change"])
    def repair_counters(self, request, queryset):
        report = counters_sync(post_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"Repaired {len(report.post_ids)} post(s), {len(report.comment_ids)} comment(s).")


class CommentRevisionInline(admin.TabularInline):
    model = CommentRevision
    fields = ["edited_at", "body"]
    readonly_fields = ["edited_at", "body"]
    extra = 0
    can_delete = False


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["id", "post", "author", "parent", "status", "reaction_count", "created_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["body", "author__username", "author__display_name"]
    list_select_related = ["author", "post"]
    readonly_fields = ["post", "parent", "author", "body", "body_html", "status", "created_at", "edited_at",
                       "paw_count", "heart_count", "helpful_count", "hug_count", "reaction_count",
                       "removal_reason", "sentiment", "pending_body", "pending_at"]
    inlines = [CommentRevisionInline]
    actions = ["delete_comments"]

    def has_add_permission(self, request):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description="Delete (as the author would)", permissions=["change"])
    def delete_comments(self, request, queryset):
        admin_run_each(self, request, queryset, lambda c: comment_delete(actor=request.user, comment=c),
                       done="comment(s) deleted", label=_number)


@admin.register(Reaction)
class ReactionAdmin(admin.ModelAdmin):
    list_display = ["id", "member", "kind", "post", "comment", "created_at"]
    list_filter = ["kind", "created_at"]
    search_fields = ["member__username"]
    list_select_related = ["member"]
    readonly_fields = ["member", "kind", "post", "comment", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PollChoiceInline(admin.TabularInline):
    model = PollChoice
    fields = ["position", "text", "vote_count"]
    readonly_fields = ["vote_count"]
    extra = 0


@admin.register(Poll)
class PollAdmin(admin.ModelAdmin):
    list_display = ["id", "question", "post", "multiple", "closes_at", "voter_count"]
    list_filter = ["multiple", ("closes_at", admin.EmptyFieldListFilter)]
    search_fields = ["question", "post__body"]
    readonly_fields = ["post", "voter_count"]
    inlines = [PollChoiceInline]

    def has_add_permission(self, request):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["id", "recipient", "kind", "verb", "actor_count", "updated_at", "read_at", "emailed_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter), ("emailed_at", admin.EmptyFieldListFilter)]
    search_fields = ["recipient__username", "verb"]
    list_select_related = ["recipient"]
    readonly_fields = ["recipient", "kind", "actor", "actor_count", "post", "comment", "pod", "verb", "url",
                       "created_at", "updated_at", "read_at", "emailed_at"]

    def has_add_permission(self, request):
        return False


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["id", "follower", "followee", "created_at"]
    search_fields = ["follower__username", "followee__username"]
    list_select_related = ["follower", "followee"]
    readonly_fields = ["follower", "followee", "created_at"]

    def has_add_permission(self, request):
        return False
