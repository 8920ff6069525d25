"""Saved posts: the save toggle on every card, and the member's /saved/ page."""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from .. import hooks
from ..selectors import saved_posts_page
from ..services.saved import saved_post_create, saved_post_delete
from .posts import _back, _readable_post


@require_POST
def post_save_view(request, post_id: int, save: bool):
    """Save or unsave (each idempotent). Without JavaScript: back to the page the card was on; with htmx:
    the toggle in its new state. A post the member may not read is a 404, as everywhere."""
    if not request.user.is_authenticated:
        # A live card reaches signed-out visitors too: send them to sign in, never swap the login page in.
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = redirect_to_login(request.headers.get("HX-Current-URL") or "/")["Location"]
            return response
        return redirect_to_login(request.get_full_path())
    post = _readable_post(request, post_id)
    (saved_post_create if save else saved_post_delete)(actor=request.user, post=post)
    if request.htmx:
        post.viewer_saved = save
        return render(request, "communities/_save_button.html", {"post": post})
    return _back(request, post.get_absolute_url())


@login_required
def saved(request):
    """The member's saved posts that they may still read, most recently saved first."""
    page = saved_posts_page(user=request.user, cursor=request.GET.get("cursor"))
    hooks.shown(user=request.user, posts=page.posts)  # metrics: read checks passed in the selector
    if request.htmx and request.GET.get("cursor"):  # "Older saves": just the next page
        return render(request, "communities/_saved_page.html", {"page": page})
    return render(request, "communities/saved.html", {"page": page, "nav_section": "saved"})
