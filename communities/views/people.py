"""Profiles, the member directory and notifications."""

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from ..selectors import notification_list


def profile(request, username: str):
    member = get_object_or_404(get_user_model(), username=username, is_active=True)
    return render(request, "communities/profile.html", {"member": member})


@login_required
def directory(request):
    query = request.GET.get("q", "").strip()
    members = get_user_model().objects.filter(is_active=True, deleted_at__isnull=True)
    if query:
        members = members.filter(display_name__icontains=query) | members.filter(username__icontains=query)
    return render(request, "communities/directory.html",
                  {"members": members.order_by("display_name", "username")[:50], "q": query})


@login_required
def notifications(request):
    return render(request, "communities/notifications.html", {"items": notification_list(user=request.user)})


@login_required
def onboarding(request):
    return render(request, "communities/onboarding.html", {})
