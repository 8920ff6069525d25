from django.urls import path
from django.views.generic import RedirectView

from .views import account, feed, people, stream

app_name = "communities"

urlpatterns = [
    path("posts/<int:post_id>/", feed.post_detail, name="post_detail"),
    path("members/", people.directory, name="directory"),
    path("members/<str:username>/", people.profile, name="profile"),
    path("notifications/", people.notifications, name="notifications"),
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
