from django.urls import path

from . import views

app_name = "moderation"

urlpatterns = [
    path("queue/", views.queue, name="queue"),
]
