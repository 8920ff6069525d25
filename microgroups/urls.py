from django.urls import path

from .views import joining, manage, pages, stewarding, webhooks

app_name = "microgroups"

urlpatterns = [
    path("", pages.discover, name="discover"),
    path("new/", manage.pod_new, name="new"),
    path("join/<str:code>/", joining.invite, name="invite"),
    path("steward-invitations/new/", stewarding.steward_invite_new, name="steward_invite_new"),
    path("steward-invitations/<int:invitation_id>/", stewarding.steward_invitation, name="steward_invitation"),
    path("<slug:slug>/", pages.pod_detail, name="detail"),
    path("<slug:slug>/post/", pages.pod_post, name="post"),
    path("<slug:slug>/join/", joining.join, name="join"),
    path("<slug:slug>/leave/", joining.leave, name="leave"),
    path("<slug:slug>/waitlist/leave/", joining.waitlist_off, name="waitlist_leave"),
    path("<slug:slug>/request/withdraw/", joining.request_withdraw, name="request_withdraw"),
    path("<slug:slug>/acknowledge/", joining.acknowledge, name="acknowledge"),
    path("<slug:slug>/settings/", manage.settings_details, name="settings"),
    path("<slug:slug>/settings/charter/", manage.settings_charter, name="settings_charter"),
    path("<slug:slug>/settings/ladder/", manage.settings_ladder, name="settings_ladder"),
    path("<slug:slug>/settings/invites/", manage.settings_invites, name="settings_invites"),
    path("<slug:slug>/settings/invites/<int:invite_id>/revoke/", manage.invite_revoke, name="invite_revoke"),
    path("<slug:slug>/settings/requests/", manage.settings_requests, name="settings_requests"),
    path("<slug:slug>/settings/members/", manage.settings_members, name="settings_members"),
    path("<slug:slug>/settings/stewards/", manage.settings_stewards, name="settings_stewards"),
    path("<slug:slug>/settings/waitlist/", manage.settings_waitlist, name="settings_waitlist"),
    path("<slug:slug>/settings/split/", manage.settings_split, name="settings_split"),
    path("<slug:slug>/settings/webhooks/", webhooks.settings_webhooks, name="settings_webhooks"),
    path("<slug:slug>/settings/webhooks/<int:webhook_id>/", webhooks.webhook_detail, name="webhook"),
    path("<slug:slug>/settings/webhooks/<int:webhook_id>/rotate/", webhooks.webhook_rotate, name="webhook_rotate"),
    path("<slug:slug>/settings/webhooks/<int:webhook_id>/pause/", webhooks.webhook_pause, name="webhook_pause"),
    path("<slug:slug>/settings/webhooks/<int:webhook_id>/resume/", webhooks.webhook_resume, name="webhook_resume"),
    path("<slug:slug>/settings/webhooks/<int:webhook_id>/delete/", webhooks.webhook_delete, name="webhook_delete"),
    path("<slug:slug>/settings/webhooks/<int:webhook_id>/deliveries/<int:delivery_id>/redeliver/",
         webhooks.webhook_redeliver, name="webhook_redeliver"),
]
