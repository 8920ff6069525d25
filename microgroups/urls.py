from django.urls import path

from .views import joining, manage, pages

app_name = "microgroups"

urlpatterns = [
    path("", pages.discover, name="discover"),
    path("new/", manage.pod_new, name="new"),
    path("join/<str:code>/", joining.invite, name="invite"),
    path("<slug:slug>/", pages.pod_detail, name="detail"),
    path("<slug:slug>/post/", pages.pod_post, name="post"),
    path("<slug:slug>/join/", joining.join, name="join"),
    path("<slug:slug>/leave/", joining.leave, name="leave"),
    path("<slug:slug>/waitlist/leave/", joining.waitlist_off, name="waitlist_leave"),
    path("<slug:slug>/standing/", joining.standing, name="standing"),
    path("<slug:slug>/request/withdraw/", joining.request_withdraw, name="request_withdraw"),
    path("<slug:slug>/acknowledge/", joining.acknowledge, name="acknowledge"),
    path("<slug:slug>/settings/", manage.settings_details, name="settings"),
    path("<slug:slug>/settings/charter/", manage.settings_charter, name="settings_charter"),
    path("<slug:slug>/settings/ladder/", manage.settings_ladder, name="settings_ladder"),
    path("<slug:slug>/settings/invites/", manage.settings_invites, name="settings_invites"),
    path("<slug:slug>/settings/invites/<int:invite_id>/revoke/", manage.invite_revoke, name="invite_revoke"),
    path("<slug:slug>/settings/requests/", manage.settings_requests, name="settings_requests"),
    path("<slug:slug>/settings/members/", manage.settings_members, name="settings_members"),
    path("<slug:slug>/settings/waitlist/", manage.settings_waitlist, name="settings_waitlist"),
    path("<slug:slug>/settings/split/", manage.settings_split, name="settings_split"),
]
