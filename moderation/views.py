"""The moderation queue and log."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from .selectors import user_is_moderator


@login_required
def queue(request):
    if not user_is_moderator(request.user):
        raise PermissionDenied("Only moderators and stewards see the queue.")
    return render(request, "moderation/queue.html", {})
