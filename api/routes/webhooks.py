"""A pod's webhooks, for its stewards (and managers): the settings page's selectors and services.

Like the page, a pod's hooks are nobody else's business: anyone else gets the 404 a pod or hook that
does not exist gets. The secret is in the answer to the creation and to a rotation, and never again.
"""

from ninja import Router, Status

from communities.selectors.webhooks import webhook_deliveries, webhook_delivery_get, webhook_get, webhooks_list
from microgroups.selectors import pod_get_stewarded
from microgroups.services import webhooks as hook_services

from ..auth import MODERATE, require_scope
from ..responses import answers
from ..schemas import DeliveryOut, Done, Id, SecretOut, WebhookCreated, WebhookIn, WebhookOut, WebhookPatchIn

router = Router(tags=["webhooks"])


def _pod(request, slug: str):
    require_scope(request, MODERATE)
    return pod_get_stewarded(user=request.user, slug=slug)


def _hook(request, slug: str, webhook_id: int):
    pod = _pod(request, slug)
    return pod, webhook_get(pod=pod, webhook_id=webhook_id)


def _out(hook) -> dict:
    return {"id": hook.pk, "name": hook.name, "url": hook.url, "events": list(hook.events or []),
            "active": hook.is_active, "created_at": hook.created_at,
            "last_delivery_at": getattr(hook, "last_delivery_at", None),
            "failing_count": getattr(hook, "failing_count", 0)}


@router.get("/pods/{slug}/webhooks", response=answers(list[WebhookOut]))
def webhook_list(request, slug: str):
    return [_out(h) for h in webhooks_list(pod=_pod(request, slug))]


@router.post("/pods/{slug}/webhooks", response=answers(WebhookCreated, status=201))
def webhook_create(request, slug: str, data: WebhookIn):
    """A hook for the pod's events; the answer holds its secret, shown this once."""
    pod = _pod(request, slug)
    hook = hook_services.pod_webhook_create(actor=request.user, pod=pod, name=data.name, url=data.url,
                                            events=list(data.events))
    return Status(201, {**_out(hook), "secret": hook.secret})


@router.get("/pods/{slug}/webhooks/{webhook_id}", response=answers(WebhookOut))
def webhook_one(request, slug: str, webhook_id: Id):
    return _out(_hook(request, slug, webhook_id)[1])


@router.patch("/pods/{slug}/webhooks/{webhook_id}", response=answers(WebhookOut))
def webhook_pause(request, slug: str, webhook_id: Id, data: WebhookPatchIn):
    """Pause (`active: false`) or resume (`active: true`)."""
    pod, hook = _hook(request, slug, webhook_id)
    return _out(hook_services.pod_webhook_set_active(actor=request.user, pod=pod, webhook=hook, active=data.active))


@router.delete("/pods/{slug}/webhooks/{webhook_id}", response=answers(Done))
def webhook_remove(request, slug: str, webhook_id: Id):
    pod, hook = _hook(request, slug, webhook_id)
    hook_services.pod_webhook_delete(actor=request.user, pod=pod, webhook=hook)
    return {"ok": True}


@router.post("/pods/{slug}/webhooks/{webhook_id}/secret", response=answers(SecretOut))
def webhook_rotate(request, slug: str, webhook_id: Id):
    """A new secret, shown this once; every delivery from now on is signed with it."""
    pod, hook = _hook(request, slug, webhook_id)
    return {"secret": hook_services.pod_webhook_secret_rotate(actor=request.user, pod=pod, webhook=hook)}


@router.get("/pods/{slug}/webhooks/{webhook_id}/deliveries", response=answers(list[DeliveryOut]))
def delivery_list(request, slug: str, webhook_id: Id):
    """The hook's latest 50 deliveries, newest first."""
    hook = _hook(request, slug, webhook_id)[1]
    return [{"id": d.pk, "event": d.event, "status": d.status, "response_code": d.response_code,
             "attempts": d.attempts, "last_error": d.last_error, "created_at": d.created_at,
             "delivered_at": d.delivered_at} for d in webhook_deliveries(webhook=hook)]


@router.post("/pods/{slug}/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
             response=answers(Done, status=202))
def delivery_redeliver(request, slug: str, webhook_id: Id, delivery_id: Id):
    """Send a failed or given-up delivery again (queued; 400 for a delivered one or a paused hook)."""
    pod, hook = _hook(request, slug, webhook_id)
    delivery = webhook_delivery_get(webhook=hook, delivery_id=delivery_id)
    hook_services.pod_webhook_redeliver(actor=request.user, pod=pod, delivery=delivery)
    return Status(202, {"ok": True})
