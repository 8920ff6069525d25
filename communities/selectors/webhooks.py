"""Reads for the pages and API operations that manage hooks: a scope's hooks with how they are doing,
one hook, its delivery log. Who may call them is the caller's check (`services.webhooks`)."""

from django.db.models import Count, Max, Q, QuerySet
from django.shortcuts import get_object_or_404

from ..models import Webhook, WebhookDelivery

DELIVERIES_SHOWN = 50
FAILING = (WebhookDelivery.Status.FAILED, WebhookDelivery.Status.GAVE_UP)


def _annotated(qs: QuerySet[Webhook]) -> QuerySet[Webhook]:
    return qs.annotate(last_delivery_at=Max("deliveries__created_at"),
                       failing_count=Count("deliveries", filter=Q(deliveries__status__in=FAILING)))


def webhooks_list(*, pod) -> list[Webhook]:
    """The pod's hooks, newest first, each with `last_delivery_at` and `failing_count` (one query)."""
    return list(_annotated(Webhook.objects.filter(pod=pod)).order_by("-created_at", "-pk"))


def webhook_get(*, pod, webhook_id: int) -> Webhook:
    """One of the pod's hooks; another scope's hook is a 404, as a missing one."""
    return get_object_or_404(_annotated(Webhook.objects.filter(pod=pod)), pk=webhook_id)


def webhook_deliveries(*, webhook: Webhook, limit: int = DELIVERIES_SHOWN) -> list[WebhookDelivery]:
    """The hook's latest deliveries, newest first."""
    return list(webhook.deliveries.order_by("-created_at", "-pk")[:limit])


def webhook_delivery_get(*, webhook: Webhook, delivery_id: int) -> WebhookDelivery:
    return get_object_or_404(WebhookDelivery.objects.select_related("webhook__pod"), pk=delivery_id,
                             webhook=webhook)
