"""The Commons feed and post pages: parse, check, select, render."""

from django.shortcuts import get_object_or_404, render

from ..models import Post
from ..permissions import check_can_read_post
from ..selectors import feed, pinned_posts, post_with_comments


def home(request):
    page = feed(
        user=request.user, sort=request.GET.get("sort", "hot" if request.user.is_authenticated else "new"),
        top_window=request.GET.get("t", "week"), topic=request.GET.get("topic") or None,
        species=request.GET.get("species") or None, cursor=request.GET.get("cursor"),
    )
    template = "communities/_feed_page.html" if request.htmx and request.GET.get("cursor") else "communities/home.html"
    return render(request, template, {"page": page, "pinned": pinned_posts(user=request.user),
                                      "topic": request.GET.get("topic", ""), "stream": "/ws/feed/commons/"})


def post_detail(request, post_id: int):
    post = get_object_or_404(Post.objects.select_related("author", "pod"), pk=post_id)
    check_can_read_post(request.user, post)
    return render(request, "communities/post_detail.html",
                  {"post": post, "comments": post_with_comments(post=post, user=request.user)})
