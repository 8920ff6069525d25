"""The edge for the moderation queue stream: a `queue.new` event becomes the queue page's own item."""

from django.template.loader import render_to_string

from communities.streams import presenter

from .selectors import queue_queryset


@presenter("queue.new")
def queue_new(event: dict) -> dict | None:
    item = queue_queryset().filter(pk=event["id"]).first()
    if item is None:
        return None
    return {**event, "html": render_to_string("moderation/_queue_item.html", {"item": item, "live": True})}
