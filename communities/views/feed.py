"""The Commons feed, the Following feed and the composer: parse, check, select, render."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from common.forms import form_add_service_error

from .. import hooks, memberpages, pagecache, presenters, streams
from ..forms import PostForm
from ..models import ContentStatus
from ..selectors import TOP_WINDOWS, feed, held_notice, pinned_posts, posts_in_review, species_options
from ..services.posts import post_create

SORT_CHOICES = [("hot", "Hot"), ("new", "New"), ("top", "Top")]
WINDOW_CHOICES = [("day", "Today"), ("week", "This week"), ("month", "This month"), ("all", "All time")]


def _feed_params(request) -> dict:
    default_sort = "hot" if request.user.is_authenticated else "new"
    t = request.GET.get("t", "week")
    return {
        "sort": request.GET.get("sort") or default_sort,
        "top_window": t if t in TOP_WINDOWS else "week",
        "topic": (request.GET.get("topic") or "").strip().lstrip("#").lower()[:60] or None,
        "species": (request.GET.get("species") or "").strip()[:60] or None,
    }


def _feed_response(request, *, following: bool, composer=None, status: int = 200):
    params = _feed_params(request)
    page = feed(user=request.user, cursor=request.GET.get("cursor"), following_only=following,
                exclude_pinned=not following, **params)
    hooks.shown(user=request.user, posts=page.posts)  # metrics: only what this member was shown
    qs = urlencode({k: v for k, v in {"sort": page.sort, "t": params["top_window"] if page.sort == "top" else "",
                                      "topic": params["topic"], "species": params["species"]}.items() if v})
    ctx = {"page": page, "filter_qs": qs, "topic": params["topic"] or "", "species": params["species"] or ""}
    if request.htmx and request.GET.get("cursor"):  # "Older posts": just the next page
        return render(request, "communities/_feed_page.html", ctx)
    first = not following and not request.GET.get("cursor")
    in_review = posts_in_review(user=request.user) if first else []
    ctx.update(following=following, sorts=SORT_CHOICES, windows=WINDOW_CHOICES, species_options=species_options(),
               stream=streams.feed_path(None), composer=composer or PostForm(user=request.user),
               pinned=pinned_posts(user=request.user) if first else [], in_review=in_review,
               held_text=held_notice(kind="post", pod_id=None) if in_review else "")
    return render(request, "communities/home.html", ctx, status=status)


def home(request):
    """Members get the feed and a composer, kept for their next load while nothing on it changed
    (communities.memberpages); anonymous visitors a landing page with public posts, one shared page per
    sort, filter and cursor (communities.pagecache)."""
    places = [pagecache.commons(), pagecache.POLICY]
    if request.user.is_authenticated:
        return memberpages.member_page(request, places, lambda: _feed_response(request, following=False))
    return pagecache.cached_page(request, places, lambda: _feed_response(request, following=False))


@login_required
def following(request):
    return _feed_response(request, following=True)


@login_required
@require_POST
def post_new(request):
    """The composer. Without JS: redirect to the new post, or the page again with the text kept.
    With htmx: the new card (prepended) plus a fresh composer, or the composer with its errors."""
    form = PostForm(request.POST, request.FILES, user=request.user)
    post = None
    if form.is_valid():
        try:
            post = post_create(actor=request.user, body=form.cleaned_data["body"], audience="everyone",
                               images=form.cleaned_data["images"], poll=form.poll_spec(),
                               image_alt=form.cleaned_data["image_alt"], pet=form.cleaned_data.get("pet"))
        except ValidationError as exc:
            form_add_service_error(form, exc, default_field="body")
    if post is None:
        if request.htmx:
            return _composer_response(request, form, retarget=True)
        return _feed_response(request, following=False, composer=form)
    if not request.htmx:
        return redirect("communities:post_detail", post_id=post.pk)
    return _created_response(request, post)


def _composer_response(request, form, *, retarget: bool, notice: str = ""):
    response = render(request, "communities/_composer.html", {"composer": form, "notice": notice})
    if retarget:
        response["HX-Retarget"], response["HX-Reswap"] = "#composer", "outerHTML"
    return response


def _created_response(request, post):
    """The new card for the feed and, out of band, an empty composer. A held post's card is its author's
    alone (no frame carried it): marked as waiting, with the usual wait in the composer's notice."""
    published = post.status == ContentStatus.PUBLISHED
    composer = render(request, "communities/_composer.html", {
        "composer": PostForm(user=request.user), "oob": True,
        "notice": "Posted!" if published else held_notice(kind="post", pod_id=post.pod_id),
    }).content.decode()
    # Published: the card the live frame carried (a new post is rendered once per request).
    card = presenters.post_card_html(post)
    return HttpResponse(card + composer)
