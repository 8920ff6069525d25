from django.urls import path

from . import views

app_name = "messaging"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("new/", views.conversation_new, name="new"),
    path("settings/", views.message_settings, name="settings"),
    path("reports/", views.reports, name="reports"),
    path("reports/<int:report_id>/resolve/", views.report_resolve, name="report_resolve"),
    path("<int:conversation_id>/", views.conversation_detail, name="conversation"),
    path("report/<int:message_id>/", views.message_report, name="report"),
    path("block/<str:username>/", views.block, name="block"),
    path("unblock/<str:username>/", views.unblock, name="unblock"),
]
