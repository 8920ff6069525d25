"""Profiles (each field as its visibility allows the caller) and the caller's notifications."""

from django.shortcuts import get_object_or_404
from ninja import Router

from communities.models import Notification
from communities.selectors import notification_page, notification_unread_count, profile_get
from communities.services.notifications import notification_mark_all_read, notification_mark_read

from .. import presenters
from ..auth import READ, WRITE, require_scope
from ..responses import answers
from ..schemas import Count, Done, Id, NotificationPage, ProfileOut

router = Router(tags=["members"])


@router.get("/me", response=answers(ProfileOut))
def me(request):
    require_scope(request, READ)
    return presenters.profile(profile_get(viewer=request.user, username=request.user.username))


@router.get("/members/{username}", response=answers(ProfileOut))
def member_profile(request, username: str):
    """A member's profile: fields they show to the caller; hidden ones are null."""
    require_scope(request, READ)
    return presenters.profile(profile_get(viewer=request.user, username=username))


@router.get("/notifications", response=answers(NotificationPage), tags=["notifications"])
def notification_list(request, cursor: str | None = None):
    require_scope(request, READ)
    page = notification_page(user=request.user, cursor=cursor)
    return {"items": [presenters.notification(n) for n in page.items], "next_cursor": page.next_cursor,
            "unread": notification_unread_count(request.user)}


@router.post("/notifications/{notification_id}/read", response=answers(Done), tags=["notifications"])
def notification_read(request, notification_id: Id):
    """Someone else's notification is simply not found."""
    require_scope(request, WRITE)
    notification = get_object_or_404(Notification, pk=notification_id, recipient=request.user)
    notification_mark_read(actor=request.user, notification=notification)
    return {"ok": True}


@router.post("/notifications/read", response=answers(Count), tags=["notifications"])
def notification_read_all(request):
    require_scope(request, WRITE)
    return {"count": notification_mark_all_read(actor=request.user)}
