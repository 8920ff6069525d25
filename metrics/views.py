"""Dashboards for community managers (read rollups only)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from microgroups.permissions import is_manager


@login_required
def dashboard(request):
    if not is_manager(request.user):
        raise PermissionDenied("The dashboard is for community managers.")
    return render(request, "metrics/dashboard.html", {})
