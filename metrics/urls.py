from django.urls import path

from . import views
from .dashboards import CHART_SECTIONS

app_name = "metrics"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
] + [
    # One chart-data endpoint per section of the dashboard (see dashboards.CHART_SECTIONS).
    path(f"charts/{section}/", views.dashboard_charts, {"section": section}, name=f"charts_{section}")
    for section in CHART_SECTIONS
]

# Mounted under /pods/ by petcommunity/urls.py (before the pods app's own URLs), namespace "metrics_pods".
pod_urlpatterns = [
    path("<slug:slug>/insights/", views.pod_insights, name="insights"),
    path("<slug:slug>/pulse/", views.pulse_answer, name="pulse"),
]
