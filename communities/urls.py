from django.urls import path

from .views import feed, people

app_name = "communities"

urlpatterns = [
    path("posts/<int:post_id>/", feed.post_detail, name="post_detail"),
    path("members/", people.directory, name="directory"),
    path("members/<str:username>/", people.profile, name="profile"),
    path("notifications/", people.notifications, name="notifications"),
    path("welcome/", people.onboarding, name="onboarding"),
]
