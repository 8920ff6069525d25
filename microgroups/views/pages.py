"""Pod discovery, the pod page and the pod's composer: parse, check, select, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from common.forms import form_add_service_error
from communities import hooks, pagecache
from communities.forms import PostForm
from communities.models import ContentStatus, Tag
from communities.segments import tag_choices
from communities.selectors import TOP_WINDOWS, feed, held_notice, pinned_posts, posts_in_review
from communities.services.posts import post_create
from communities.streams import feed_path

from ..forms import AcknowledgeForm
from ..selectors import (
    DiscoverFilters,
    discover_facets,
    emerging_niches,
    my_pods,
    pod_discover,
    pod_get_for,
    pod_get_for_holder,
    pod_page,
    pods_for_you,
)

SORTS = [("new", "New"), ("hot", "Hot"), ("top", "Top")]


def _filters(request) -> DiscoverFilters:
    g = request.GET
    return DiscoverFilters(query=g.get("q", "").strip()[:100], species=g.get("species", "")[:60],
                           need=g.get("need", "")[:60], region=g.get("region", "")[:120],
                           privacy=g.get("privacy", "")[:10], has_room=g.get("room") == "1")


def discover(request):
    filters = _filters(request)
    page = pod_discover(user=request.user, filters=filters, cursor=request.GET.get("cursor"))
    ctx = {"page": page, "filters": filters, "qs": request.GET.urlencode()}
    if request.htmx and request.GET.get("cursor"):
        return render(request, "microgroups/_pod_list.html", ctx)
    ctx.update(facets=discover_facets(), for_you=pods_for_you(user=request.user), niches=emerging_niches(),
               mine=my_pods(user=request.user))
    return render(request, "microgroups/discover.html", ctx)


def render_pod(request, pod, *, composer=None, ack_form=None, status: int = 200):
    """The pod page; also re-rendered with a bound composer or acknowledgement form on bad input."""
    info = pod_page(user=request.user, pod=pod)
    sort, window = request.GET.get("sort", "new"), request.GET.get("t", "week")
    species = (request.GET.get("species") or "").strip()[:60]
    page = pinned = None
    in_review = []
    filter_qs = ""
    if info.readable:
        page = feed(user=request.user, pod=pod, sort=sort, top_window=window if window in TOP_WINDOWS else "week",
                    species=species or None, cursor=request.GET.get("cursor"))
        hooks.shown(user=request.user, posts=page.posts)  # metrics: only what this member was shown
        filter_qs = urlencode({"sort": page.sort, **({"species": species} if species else {})})
        if request.htmx and request.GET.get("cursor"):
            return render(request, "communities/_feed_page.html", {"page": page, "filter_qs": filter_qs})
        pinned = pinned_posts(user=request.user, pod=pod)
        in_review = posts_in_review(user=request.user, pod=pod) if not request.GET.get("cursor") else []
    if info.membership and not info.needs_ack and composer is None:
        composer = PostForm(pod=pod, user=request.user)
    ack_form = ack_form or AcknowledgeForm(initial={"version": pod.charter_version})
    return render(request, "microgroups/pod_detail.html", {
        "pod": pod, "info": info, "page": page, "pinned": pinned, "sorts": SORTS, "composer": composer,
        "ack_form": ack_form, "stream": feed_path(pod.slug), "in_review": in_review,
        "held_text": held_notice(kind="post", pod_id=pod.pk) if in_review else "", "species": species,
        "species_options": tag_choices(Tag.Kind.SPECIES) if info.readable else [], "filter_qs": filter_qs,
    }, status=status)


def pod_detail(request, slug: str):
    try:
        pod = pod_get_for(user=request.user, slug=slug)
    except Http404:
        # Someone waiting for (or invited to) an unlisted pod goes to where they stand; anyone else: the 404.
        held = pod_get_for_holder(user=request.user, slug=slug)
        return redirect(f"/pods/{held.slug}/standing/")
    return pagecache.cached_page(request, [pagecache.pod(pod.pk), pagecache.POLICY], lambda: render_pod(request, pod))


@login_required
@require_POST
def pod_post(request, slug: str):
    """The pod composer: a plain POST; on bad input the page comes back with the text kept."""
    pod = pod_get_for(user=request.user, slug=slug)
    form = PostForm(request.POST, request.FILES, pod=pod, user=request.user)
    if form.is_valid():
        try:
            post = post_create(actor=request.user, pod=pod, body=form.cleaned_data["body"],
                               audience=form.cleaned_data.get("audience") or "everyone",
                               images=form.cleaned_data["images"], poll=form.poll_spec(),
                               image_alt=form.cleaned_data["image_alt"], pet=form.cleaned_data.get("pet"))
            if post.status == ContentStatus.HELD:  # out of the feed: say so at once, and where it waits
                messages.info(request, held_notice(kind="post", pod_id=pod.pk))
            return redirect(f"{pod_url(pod)}#post-{post.pk}")
        except ValidationError as exc:
            form_add_service_error(form, exc, default_field="body")
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
            return render_pod(request, pod, composer=form, status=403)
    return render_pod(request, pod, composer=form, status=400)


def pod_url(pod) -> str:
    return f"/pods/{pod.slug}/"
