"""What a search engine may list: only pages an anonymous visitor can open (sitemap.xml)."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from ..models import Post, User
from ..policy import Policy

SITEMAP_POSTS = 2000  # the newest public posts; older ones stay reachable through the feeds


@dataclass(frozen=True)
class SitemapEntry:
    path: str
    modified: datetime | None = None


def sitemap_entries() -> list[SitemapEntry]:
    """The Commons, the pod directory, open listed pods, public posts and the profiles of their authors,
    each decided by the same policy that answers an anonymous request for the page."""
    anonymous = Policy(AnonymousUser())
    entries = [SitemapEntry(reverse("home")), SitemapEntry(reverse("microgroups:discover"))]
    pods = anonymous.filter_pods().filter(privacy="open").order_by("pk")
    entries += [SitemapEntry(reverse("microgroups:detail", args=[pod.slug])) for pod in pods
                if anonymous.can_read_pod(pod)]
    posts = (anonymous.filter_posts(Post.objects.select_related("pod"))
             .order_by("-created_at")[:SITEMAP_POSTS])
    public = [post for post in posts if anonymous.can_read_post(post)]
    entries += [SitemapEntry(reverse("communities:post_detail", args=[post.pk]), post.edited_at or post.created_at)
                for post in public]
    authors = (User.objects.filter(pk__in={post.author_id for post in public}, is_active=True,
                                   deleted_at__isnull=True).order_by("username").values_list("username", flat=True))
    entries += [SitemapEntry(reverse("communities:profile", args=[username])) for username in authors]
    return entries
