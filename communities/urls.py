from django.urls import path
from django.views.generic import RedirectView

from .views import account, feed, notifications, people, posts, saved, site, stream

app_name = "communities"

urlpatterns = [
    path("following/", feed.following, name="following"),
    path("posts/new/", feed.post_new, name="post_new"),
    path("posts/<int:post_id>/", posts.post_detail, name="post_detail"),
    path("posts/<int:post_id>/edit/", posts.post_edit_view, name="post_edit"),
    path("posts/<int:post_id>/delete/", posts.post_delete_view, name="post_delete"),
    path("posts/<int:post_id>/react/", posts.post_react, name="post_react"),
    path("posts/<int:post_id>/comments/", posts.comment_new, name="comment_new"),
    path("posts/<int:post_id>/pin/", posts.post_pin_view, {"pin": True}, name="post_pin"),
    path("posts/<int:post_id>/unpin/", posts.post_pin_view, {"pin": False}, name="post_unpin"),
    path("posts/<int:post_id>/save/", saved.post_save_view, {"save": True}, name="post_save"),
    path("posts/<int:post_id>/unsave/", saved.post_save_view, {"save": False}, name="post_unsave"),
    path("saved/", saved.saved, name="saved"),
    path("comments/<int:comment_id>/edit/", posts.comment_edit_view, name="comment_edit"),
    path("comments/<int:comment_id>/react/", posts.comment_react, name="comment_react"),
    path("comments/<int:comment_id>/delete/", posts.comment_delete_view, name="comment_delete"),
    path("polls/<int:poll_id>/vote/", posts.poll_vote_view, name="poll_vote"),
    path("announcements/new/", posts.announcement_new, name="announcement_new"),
    path("members/<str:username>/follow/", posts.follow_view, {"follow": True}, name="follow"),
    path("members/<str:username>/unfollow/", posts.follow_view, {"follow": False}, name="unfollow"),
    path("notifications/read/", notifications.mark_all_read, name="notifications_read"),
    path("notifications/preferences/", notifications.preferences, name="notification_preferences"),
    path("notifications/<int:notification_id>/", notifications.notification_open, name="notification_open"),
    path("members/", people.directory, name="directory"),
    path("sitemap.xml", site.sitemap, name="sitemap"),
    path("robots.txt", site.robots, name="robots"),
    path("members/<str:username>/", people.profile, name="profile"),
    path("notifications/", notifications.notifications, name="notifications"),
    path("welcome/", people.onboarding, name="onboarding"),
    path("welcome/done/", people.onboarding_done, name="onboarding_done"),
    path("settings/", RedirectView.as_view(pattern_name="communities:profile_edit"), name="settings"),
    path("settings/profile/", account.profile_edit, name="profile_edit"),
    path("settings/pets/", account.pets, name="pets"),
    path("settings/pets/<int:pet_id>/", account.pet_edit, name="pet_edit"),
    path("settings/pets/<int:pet_id>/remove/", account.pet_remove, name="pet_remove"),
    path("settings/delete/", account.delete_account, name="account_delete"),
    path("catchup/commons/", stream.catchup, name="catchup_commons"),
    path("catchup/pods/<slug:pod_slug>/", stream.catchup, name="catchup_pod"),
]
