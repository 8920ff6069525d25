"""The edge for the moderation queue stream: queue events become the queue page's own fragments.

`queue.new` carries the row as the page draws it for nobody in particular (kind, scope, content) plus a
placeholder that fetches the viewer's own desk (history, notes, reasons, forms) from `moderation:row`;
`queue.update` carries the row's head (claim, reports). The consumer adds each socket's own count.
"""

from django.template.loader import render_to_string

from communities.streams import presenter

from .models import QueueItem
from .selectors import queue_queryset
from .services.queue import queue_frame_facts


def _open_item(event: dict) -> QueueItem | None:
    return queue_queryset().filter(pk=event["id"], status=QueueItem.Status.OPEN).first()


@presenter("queue.new")
def queue_new(event: dict) -> dict | None:
    item = _open_item(event)
    if item is None:
        return None
    html = render_to_string("moderation/_queue_item.html", {"item": item, "live": True})
    return {**event, **queue_frame_facts(item), "html": html}


@presenter("queue.update")
def queue_update(event: dict) -> dict | None:
    item = _open_item(event)
    if item is None:
        return None
    return {**event, "html": render_to_string("moderation/_queue_item_head.html", {"item": item})}
