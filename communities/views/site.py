"""Files for crawlers: robots.txt and sitemap.xml (public pages only)."""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from ..selectors.sitemap import sitemap_entries


@require_GET
@cache_control(public=True, max_age=3600)
def sitemap(request):
    return render(request, "sitemap.xml", {"entries": sitemap_entries(), "origin": f"{request.scheme}://{request.get_host()}"},
                  content_type="application/xml")


@require_GET
@cache_control(public=True, max_age=86400)
def robots(request):
    lines = [
        "User-agent: *",
        # Pages for signed-in members or staff only: nothing a crawler can read there.
        "Disallow: /accounts/", "Disallow: /admin/", "Disallow: /settings/", "Disallow: /notifications/",
        "Disallow: /moderation/", "Disallow: /metrics/", "Disallow: /messages/", "Disallow: /search/",
        "Disallow: /catchup/",
        f"Sitemap: {request.scheme}://{request.get_host()}/sitemap.xml",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
