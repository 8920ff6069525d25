"""A pod's webhooks, as its stewards manage them from the settings page and the API.

The hooks themselves are the core's (`communities.services.webhooks`: the address rules, the secret,
the outbox-backed delivery); this module adds the pod's side: only its stewards (and managers), only
the events a pod emits, a bound on how many hooks one pod keeps, and a hook always of this pod.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404

from communities.models import Webhook, WebhookDelivery
from communities.services import webhooks as core

from ..models import Pod
from ._common import check_steward

# What a pod emits (post.created for its non-trusted posts); the Commons-only events are not offered.
POD_EVENTS = (Webhook.Event.POST_CREATED, Webhook.Event.POD_MEMBER_JOINED, Webhook.Event.POD_FULL,
              Webhook.Event.RUNG_PROMOTED)
POD_HOOKS_MAX = 10
RETRYABLE = (WebhookDelivery.Status.FAILED, WebhookDelivery.Status.GAVE_UP)


def _check(actor, pod: Pod, webhook: Webhook) -> None:
    if webhook.pod_id != pod.pk:
        raise Http404("No hook here.")
    check_steward(actor, pod)


@transaction.atomic
def pod_webhook_create(*, actor, pod: Pod, name: str, url: str, events: list[str]) -> Webhook:
    """A hook for this pod's events; its secret is on the returned object (show it once)."""
    check_steward(actor, pod)
    if set(events or []) - set(POD_EVENTS):
        raise ValidationError({"events": "Pick events from the list: a pod's posts, joins, full pod, promotions."})
    Pod.objects.select_for_update().filter(pk=pod.pk).first()  # two stewards adding at once count right
    if Webhook.objects.filter(pod=pod).count() >= POD_HOOKS_MAX:
        raise ValidationError(f"A pod keeps at most {POD_HOOKS_MAX} hooks: delete one you no longer use.")
    return core.webhook_register(actor=actor, name=name, url=url, events=list(events), pod=pod)


def pod_webhook_secret_rotate(*, actor, pod: Pod, webhook: Webhook) -> str:
    _check(actor, pod, webhook)
    return core.webhook_secret_rotate(actor=actor, webhook=webhook)


def pod_webhook_set_active(*, actor, pod: Pod, webhook: Webhook, active: bool) -> Webhook:
    _check(actor, pod, webhook)
    return core.webhook_set_active(actor=actor, webhook=webhook, active=active)


def pod_webhook_delete(*, actor, pod: Pod, webhook: Webhook) -> None:
    _check(actor, pod, webhook)
    core.webhook_delete(actor=actor, webhook=webhook)


def pod_webhook_redeliver(*, actor, pod: Pod, delivery: WebhookDelivery) -> None:
    """Send a failed (or given-up) delivery again, through the core's retry: queued after commit, parked
    in the outbox when the broker is down."""
    hook = delivery.webhook
    _check(actor, pod, hook)
    if not hook.is_active:
        raise ValidationError("The hook is paused: resume it first, then send the delivery again.")
    if delivery.status not in RETRYABLE:
        raise ValidationError(f"Only failed deliveries are sent again; this one is "
                              f"{delivery.get_status_display().lower()}.")
    core.webhook_deliveries_retry(actor=actor, delivery_ids=[delivery.pk])
