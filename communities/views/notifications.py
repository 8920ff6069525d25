"""The notifications page: read them, mark them read, choose what to hear about."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ..forms import NotificationPreferencesForm
from ..models import Notification
from ..selectors import notification_page
from ..services.notifications import (
    notification_mark_all_read,
    notification_mark_read,
    notification_preferences_update,
)


@login_required
def notifications(request, prefs=None, status: int = 200):
    page = notification_page(user=request.user, cursor=request.GET.get("cursor"))
    if request.htmx and request.GET.get("cursor"):
        return render(request, "communities/_notification_items.html", {"page": page})
    prefs = prefs or NotificationPreferencesForm(member=request.user)
    return render(request, "communities/notifications.html", {"page": page, "prefs": prefs}, status=status)


@login_required
@require_POST
def mark_all_read(request):
    n = notification_mark_all_read(actor=request.user)
    messages.success(request, f"Marked {n} notification{'s' if n != 1 else ''} as read.")
    return redirect("communities:notifications")


@login_required
def notification_open(request, notification_id: int):
    """Follow a notification's link and mark it read (someone else's id is simply not found)."""
    notification = get_object_or_404(Notification, pk=notification_id, recipient=request.user)
    notification_mark_read(actor=request.user, notification=notification)
    url = notification.url or "/notifications/"
    if not url.startswith("/") or not url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
        url = "/notifications/"
    return HttpResponseRedirect(url)  # not redirect(): it reads a bare word as a view name


@login_required
@require_POST
def preferences(request):
    form = NotificationPreferencesForm(request.POST, member=request.user)
    if not form.is_valid():
        return notifications(request, prefs=form, status=400)
    notification_preferences_update(actor=request.user, muted_kinds=form.muted_kinds(),
                                    email_kinds=form.email_kinds(),
                                    announcement_emails=form.cleaned_data["announcement_emails"])
    messages.success(request, "Notification preferences saved.")
    return redirect("communities:notifications")
