"""Public transparency pages: what moderation did in the Commons, a region or a pod, in counts only."""

from django.shortcuts import get_object_or_404, render

from communities.models import Place
from communities.policy import check_can_read_pod
from microgroups.selectors import pod_get_for

from ..models import ScopeKind
from ..transparency import transparency_report


def _page(request, report, *, pod=None, region=None):
    return render(request, "moderation/transparency.html", {"report": report, "pod": pod, "region": region})


def commons_transparency(request):
    return _page(request, transparency_report(kind=ScopeKind.COMMONS, place_id=None, place_label="the Commons"))


def region_transparency(request, slug: str):
    region = get_object_or_404(Place, slug=slug, kind=Place.Kind.REGION)
    return _page(request, transparency_report(kind=ScopeKind.REGION, place_id=region.pk, place_label=region.name),
                 region=region)


def pod_transparency(request, slug: str):
    pod = pod_get_for(user=request.user, slug=slug)  # 404 for a pod they may not know exists
    check_can_read_pod(request.user, pod)  # 403 for a pod whose content is for its members
    return _page(request, transparency_report(kind=ScopeKind.POD, place_id=pod.pk, place_label=pod.name), pod=pod)
