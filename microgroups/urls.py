from django.urls import path

from .views import pages

app_name = "microgroups"

urlpatterns = [
    path("", pages.discover, name="discover"),
    path("<slug:slug>/", pages.pod_detail, name="detail"),
]
