"""Bench-only views, never routed by the product: the naive feed baseline and the framework ceiling.

The naive feed is what a first version of the Commons feed would look like: COUNT the readable posts
for a page count, page with OFFSET, and let each card fetch its author, pod, tags, images, poll and the
viewer's reactions one query at a time. It reads the same rows (same permission filter, same order,
pinned posts excluded the same way) and renders the same template, so the comparison is fair; a test
checks that page 1 shows the same post ids as the real feed.
"""

from dataclasses import dataclass

from django.http import HttpResponse
from django.shortcuts import render

from communities.forms.posts import PostForm
from communities.models import Post
from communities.policy import readable_posts_q
from communities.selectors.feeds import _SORT_FIELD, FEED_PAGE_SIZE, SORTS, TOP_WINDOWS, pinned_posts
from communities.selectors.posts import decorate_posts, species_options
from communities.views.feed import SORT_CHOICES, WINDOW_CHOICES


@dataclass
class NaivePage:
    posts: list[Post]
    next_cursor: str | None
    sort: str
    number: int
    page_count: int
    top_window: str = "week"


def naive_feed_page(*, user, sort: str, number: int, page_size: int = FEED_PAGE_SIZE) -> NaivePage:
    from django.utils import timezone

    sort = sort if sort in SORTS else "new"
    qs = Post.objects.filter(readable_posts_q(user), pod__isnull=True, pinned_at__isnull=True)
    if sort == "top":
        qs = qs.filter(created_at__gte=timezone.now() - TOP_WINDOWS["week"])
    total = qs.count()
    offset = (max(number, 1) - 1) * page_size
    posts = list(qs.order_by(f"-{_SORT_FIELD[sort]}", "-pk")[offset: offset + page_size])
    for post in posts:  # per-post: the viewer's reactions and poll state, one card at a time
        decorate_posts([post], user)
    return NaivePage(posts=posts, next_cursor=None, sort=sort, number=number,
                     page_count=(total + page_size - 1) // page_size)


def naive_feed(request):
    """`/bench/naive/?sort=new&page=N`: the Commons page as the naive implementation renders it."""
    default_sort = "hot" if request.user.is_authenticated else "new"
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        number = 1
    page = naive_feed_page(user=request.user, sort=request.GET.get("sort") or default_sort, number=number)
    return render(request, "communities/home.html", {
        "page": page, "filter_qs": f"sort={page.sort}", "topic": "", "species": "", "following": False,
        "sorts": SORT_CHOICES, "windows": WINDOW_CHOICES, "species_options": species_options(),
        "stream": "/ws/feed/commons/", "composer": PostForm(), "pinned": pinned_posts(user=request.user),
    })


def trivial(request):
    """The framework's ceiling: the full middleware stack, no database, no template."""
    return HttpResponse(b"ok", content_type="text/plain")
