"""Dashboards (read rollups only) and the pulse answer. Parse → check → selector/service → render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from communities.policy import can_steward, is_manager
from microgroups.selectors import pod_get_for

from . import dashboards
from .forms import PulseForm, RangeForm
from .services import pulse_respond
from .tables import csv_response


def _params(request, *, with_pod: bool) -> tuple[RangeForm, dashboards.Params]:
    regions = dashboards.region_choices() if with_pod else ()
    form = RangeForm(request.GET or None, today=timezone.now().date(), with_pod=with_pod, regions=regions)
    period, start, end, pod, region = form.values()
    return form, dashboards.Params(period=period, start=start, end=end, pod=pod, region=region)


@login_required
def dashboard(request):
    if not is_manager(request.user):
        raise PermissionDenied("The metrics dashboard is for community managers.")
    form, params = _params(request, with_pod=True)
    data = dashboards.manager_dashboard(params)
    if request.GET.get("format") == "csv":
        return csv_response(data["all_tables"], request.GET.get("table", "cards"))
    return render(request, "metrics/dashboard.html", {"form": form, "params": params, **data})


@login_required
def dashboard_charts(request, section: str):
    """One section's chart data (with the page's filters), fetched as the section scrolls into view."""
    if not is_manager(request.user):
        raise PermissionDenied("The metrics dashboard is for community managers.")
    if section not in dashboards.CHART_SECTIONS:
        raise Http404("No such section.")
    _, params = _params(request, with_pod=True)
    charts = dashboards.section_charts(section, params)
    return JsonResponse({"section": section, "charts": {c.id: c.data for c in charts}})


@login_required
def pod_insights(request, slug: str):
    pod = pod_get_for(user=request.user, slug=slug)
    if not can_steward(request.user, pod):
        raise PermissionDenied("Pod insights are for the pod's stewards.")
    form, params = _params(request, with_pod=False)
    data = dashboards.pod_insights(pod, params)
    if request.GET.get("format") == "csv":
        return csv_response(data["all_tables"], request.GET.get("table", "insights"))
    return render(request, "metrics/pod_insights.html",
                  {"form": form, "params": params, "pod": pod, "nav_section": "pods", **data})


@login_required
@require_http_methods(["GET", "POST"])
def pulse_answer(request, slug: str):
    pod = pod_get_for(user=request.user, slug=slug)
    form = PulseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pulse_respond(actor=request.user, pod=pod, score=form.cleaned_data["score"],
                          text=form.cleaned_data["text"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if request.htmx:
                return render(request, "metrics/_pulse_thanks.html", {"pod": pod})
            messages.success(request, "Thank you: your answer goes to the pod's stewards.")
            return redirect("microgroups:detail", slug=pod.slug)
    if request.htmx and request.method == "POST":  # errors go back into the prompt, filled in
        return render(request, "metrics/_pulse_prompt.html", {"pod": pod, "form": form, "survey": True})
    return render(request, "metrics/pulse_form.html", {"pod": pod, "form": form, "nav_section": "pods"})
