"""Post pages and the actions on them: edit, delete, react, comment (and edit it), vote, pin, follow, announce.

Every action is a POST form that works without JavaScript (redirecting back); htmx requests get the
fragment to swap in place. Unknown or unreadable things are 404; visible but forbidden is 403.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from common.forms import form_add_service_error
from petcommunity.parsing import parse_id

from .. import hooks, pagecache, streams
from ..forms import AnnouncementForm, CommentEditForm, CommentForm, PostEditForm, ReactionForm
from ..models import Comment, ContentStatus, Poll, Post
from ..policy import check_can_read_post, is_manager
from ..selectors import (
    comment_revisions,
    decorate_polls,
    decorate_posts,
    held_notice,
    post_get,
    post_page,
    post_revisions,
)
from ..services.announcements import announcement_create, post_pin, post_unpin
from ..services.comments import can_edit_comment, comment_create, comment_delete, comment_edit
from ..services.follows import follow_create, follow_delete
from ..services.polls import poll_vote
from ..services.posts import can_delete_post, can_edit_post, edit_window_open, post_delete, post_edit
from ..services.reactions import reaction_toggle


def _readable_post(request, post_id: int) -> Post:
    post = get_object_or_404(Post.objects.select_related("author", "pod", "poll"), pk=post_id)
    check_can_read_post(request.user, post)
    return post


def _back(request, fallback: str):
    """Return to the page the form was on (same site only), else to `fallback`."""
    target = request.POST.get("next") or request.headers.get("referer", "")
    # A path or URL on this site only ("0" or "home" would be read relative to the form's URL).
    absolute = target.startswith("/") or target.lower().startswith(("http://", "https://"))
    if absolute and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return HttpResponseRedirect(target)  # never redirect(): it reads a bare word as a view name
    return redirect(fallback)


def _detail(request, post: Post, *, comment_form=None, vote_errors=None, status: int = 200):
    page = post_page(post=post_get(post.pk), user=request.user, after=request.GET.get("after"),
                     comment_id=parse_id(request.GET.get("comment")))
    if request.htmx and request.GET.get("after"):  # "Show more comments": just the next page, appended
        return render(request, "communities/_comments_page.html", {"post": page.post, "thread": page.thread})
    return render(request, "communities/post_detail.html", {
        "post": page.post, "thread": page.thread, "comments": page.comments,
        "comment_form": comment_form or CommentForm(),
        "can_edit": can_edit_post(request.user, post), "can_delete": can_delete_post(request.user, post),
        "vote_errors": vote_errors, "held_text": _held_text(page.post, page.comments),
        "stream": _stream(page.post),
    }, status=status)


def _stream(post: Post) -> str | None:
    """The live feed of the post's place, whose frames about this post (its new comments, its counts) the
    page takes in; none for a post not in the feed (held or removed: only its author sees it)."""
    if post.status != ContentStatus.PUBLISHED or post.segment is not None:
        return None
    return streams.feed_path(post.pod.slug if post.pod_id else None)


def _held_text(post: Post, comments: list) -> str:
    """The usual wait, for an author looking at their own held post or comment (the page marks which)."""
    everything = comments + [r for c in comments for r in c.visible_replies]
    if post.status == ContentStatus.HELD or any(c.status == ContentStatus.HELD for c in everything):
        return held_notice(kind="post" if post.status == ContentStatus.HELD else "comment", pod_id=post.pod_id)
    return ""


def post_detail(request, post_id: int):
    return pagecache.cached_page(request, [pagecache.post(post_id), pagecache.POLICY],
                                 lambda: _post_detail(request, post_id))


def _post_detail(request, post_id: int):
    post = _readable_post(request, post_id)
    hooks.shown(user=request.user, posts=[post])  # metrics: read check passed; held posts are skipped
    return _detail(request, post)


@login_required
def post_edit_view(request, post_id: int):
    post = _readable_post(request, post_id)
    if request.user.pk != post.author_id:
        raise PermissionDenied("Only the author can edit a post.")
    editable = can_edit_post(request.user, post)
    form = PostEditForm(request.POST or None, initial={"body": post.body}) if editable else None
    if request.method == "POST":
        if not editable:
            raise PermissionDenied("The editing window for this post has closed.")
        if form.is_valid():
            try:
                post_edit(actor=request.user, post=post, body=form.cleaned_data["body"])
                return redirect("communities:post_detail", post_id=post.pk)
            except ValidationError as exc:
                form_add_service_error(form, exc, default_field="body")
    return render(request, "communities/post_form.html", {
        "post": post, "form": form, "revisions": post_revisions(post=post),
        "window": settings.POST_EDIT_WINDOW_MINUTES,
        "editable_until": post.created_at + timedelta(minutes=settings.POST_EDIT_WINDOW_MINUTES)})


@login_required
@require_POST
def post_delete_view(request, post_id: int):
    post = _readable_post(request, post_id)
    post_delete(actor=request.user, post=post)
    messages.success(request, "Your post was deleted.")
    return redirect("home")


@login_required
@require_POST
def post_react(request, post_id: int):
    post = _readable_post(request, post_id)
    form = ReactionForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("Unknown reaction.")
    reaction_toggle(actor=request.user, kind=form.cleaned_data["kind"], post=post)
    if request.htmx:
        return render(request, "communities/_reactions.html",
                      {"post": decorate_posts([post_get(post.pk)], request.user)[0]})
    return _back(request, post.get_absolute_url())


@login_required
@require_POST
def comment_react(request, comment_id: int):
    comment = get_object_or_404(Comment.objects.select_related("post"), pk=comment_id)
    check_can_read_post(request.user, comment.post)
    form = ReactionForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("Unknown reaction.")
    reaction_toggle(actor=request.user, kind=form.cleaned_data["kind"], comment=comment)
    return redirect(comment.get_absolute_url())


@login_required
@require_POST
def comment_new(request, post_id: int):
    post = _readable_post(request, post_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        parent = None
        if form.cleaned_data.get("parent"):
            parent = get_object_or_404(Comment, pk=form.cleaned_data["parent"], post=post)
        try:
            comment = comment_create(actor=request.user, post=post, body=form.cleaned_data["body"], parent=parent)
            if comment.status == ContentStatus.HELD:
                messages.info(request, held_notice(kind="comment", pod_id=post.pod_id))
            return redirect(comment.get_absolute_url())
        except ValidationError as exc:
            form_add_service_error(form, exc, default_field="body")
    return _detail(request, post, comment_form=form)


def _own_comment(request, comment_id: int) -> Comment:
    """The author's comment: 404 when its post is unreadable (or it is gone), 403 for someone else's."""
    comment = get_object_or_404(Comment.objects.select_related("post", "post__pod", "author"), pk=comment_id)
    check_can_read_post(request.user, comment.post)
    if comment.status == ContentStatus.DELETED:
        raise Http404("No comment here.")
    if request.user.pk != comment.author_id:
        raise PermissionDenied("Only the author can edit a comment.")
    return comment


@login_required
def comment_edit_view(request, comment_id: int):
    """The edit page (form and history; the form also sits inline under the comment). With htmx the
    answer is the comment's new text in place, or the inline form with its error."""
    comment = _own_comment(request, comment_id)
    editable = can_edit_comment(request.user, comment)
    form = CommentEditForm(request.POST or None, initial={"body": comment.pending_body or comment.body})
    if request.method == "POST":
        if not editable:
            raise PermissionDenied("This comment can't be edited any more.")
        if form.is_valid():
            try:
                comment_edit(actor=request.user, comment=comment, body=form.cleaned_data["body"])
                return _comment_edited(request, comment)
            except ValidationError as exc:
                form_add_service_error(form, exc, default_field="body")
        if request.htmx:
            return _comment_edit_errors(request, comment, form)
    return render(request, "communities/comment_form.html", {
        "comment": comment, "form": form if editable else None, "revisions": comment_revisions(comment=comment),
        "window": settings.POST_EDIT_WINDOW_MINUTES, "window_closed": not edit_window_open(comment),
        "editable_until": comment.created_at + timedelta(minutes=settings.POST_EDIT_WINDOW_MINUTES)})


def _comment_edited(request, comment: Comment):
    if not request.htmx:
        if comment.pending_body:
            messages.info(request, "Your edit is waiting for a moderator. Until it is approved, everyone else "
                                   "sees the earlier text.")
        return redirect(comment.get_absolute_url())
    response = render(request, "communities/_comment_main.html", {"comment": comment})
    response["HX-Trigger"] = f'{{"pc:comment-edited": {{"id": {comment.pk}}}}}'  # app.js closes the form
    return response


def _comment_edit_errors(request, comment: Comment, form):
    response = render(request, "communities/_comment_edit.html", {
        "comment": comment, "edit_text": request.POST.get("body", ""),
        "edit_errors": [e for errors in form.errors.values() for e in errors]})
    response["HX-Retarget"], response["HX-Reswap"] = f"#comment-{comment.pk}-edit", "outerHTML"
    return response


@login_required
@require_POST
def comment_delete_view(request, comment_id: int):
    comment = get_object_or_404(Comment.objects.select_related("post"), pk=comment_id)
    check_can_read_post(request.user, comment.post)
    comment_delete(actor=request.user, comment=comment)
    messages.success(request, "Your comment was deleted.")
    return redirect("communities:post_detail", post_id=comment.post_id)


@login_required
@require_POST
def poll_vote_view(request, poll_id: int):
    poll = get_object_or_404(Poll.objects.select_related("post"), pk=poll_id)
    post = _readable_post(request, poll.post_id)
    errors = None
    try:
        choice_ids = [int(c) for c in request.POST.getlist("choices")]
        if any(not 0 < c < 2**63 for c in choice_ids):  # beyond a database integer: no such choice
            raise ValueError("not a choice id")
        poll_vote(actor=request.user, poll=poll, choice_ids=choice_ids)
    except ValueError:
        errors = ["Pick one of the choices."]
    except ValidationError as exc:
        errors = exc.messages
    if request.htmx:
        poll = Poll.objects.get(pk=poll.pk)
        decorate_polls([poll], request.user)
        return render(request, "communities/_poll.html", {"poll": poll, "vote_errors": errors})
    if errors:
        return _detail(request, post, vote_errors=errors)
    return redirect(post.get_absolute_url() + f"#poll-{poll.pk}")


@login_required
@require_POST
def post_pin_view(request, post_id: int, pin: bool):
    post = _readable_post(request, post_id)
    try:
        (post_pin if pin else post_unpin)(actor=request.user, post=post)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("communities:post_detail", post_id=post.pk)


@login_required
def announcement_new(request):
    if not is_manager(request.user):
        raise PermissionDenied("Only community managers can make announcements.")
    form = AnnouncementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            post = announcement_create(actor=request.user, body=form.cleaned_data["body"],
                                       segment=form.segment(), pin=form.cleaned_data["pin"])
            messages.success(request, "Announcement posted.")
            return redirect("communities:post_detail", post_id=post.pk)
        except ValidationError as exc:
            form_add_service_error(form, exc)
    return render(request, "communities/announcement_form.html", {"form": form})


@login_required
@require_POST
def follow_view(request, username: str, follow: bool):
    member = get_object_or_404(get_user_model(), username=username, is_active=True, deleted_at__isnull=True)
    try:
        (follow_create if follow else follow_delete)(actor=request.user, followee=member)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    if request.htmx:
        return render(request, "communities/_follow_button_fragment.html", {"member": member})
    return _back(request, f"/members/{member.username}/")
