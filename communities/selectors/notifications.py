"""Reads for the notification inbox: unread count and keyset-paginated pages."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from common.cursors import cursor_decode, cursor_encode

from ..models import Notification

NOTIFICATION_PAGE_SIZE = 30


def notification_unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


@dataclass
class NotificationPage:
    items: list[Notification]
    next_cursor: str | None


def notification_page(*, user, cursor: str | None = None, page_size: int = NOTIFICATION_PAGE_SIZE) -> NotificationPage:
    """Newest first by last update (a batched reaction row moves up when it grows), keyset-paginated."""
    qs = Notification.objects.filter(recipient=user).select_related("actor")
    after = cursor_decode(cursor, datetime.fromisoformat)
    if after:
        value, pk = after
        qs = qs.filter(Q(updated_at__lt=value) | Q(updated_at=value, pk__lt=pk))
    rows = list(qs.order_by("-updated_at", "-id")[: page_size + 1])
    next_cursor = None
    if len(rows) > page_size:
        rows = rows[:page_size]
        next_cursor = cursor_encode(rows[-1].updated_at, rows[-1].pk)
    return NotificationPage(items=rows, next_cursor=next_cursor)


def notification_list(*, user, limit: int = 50) -> list[Notification]:
    return notification_page(user=user, page_size=limit).items
