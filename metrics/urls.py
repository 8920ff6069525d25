from django.urls import path

from . import views

app_name = "metrics"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]

# Mounted under /pods/ by petcommunity/urls.py (before the pods app's own URLs), namespace "metrics_pods".
pod_urlpatterns = [
    path("<slug:slug>/insights/", views.pod_insights, name="insights"),
    path("<slug:slug>/pulse/", views.pulse_answer, name="pulse"),
]
