"""Outgoing webhooks: managers register hooks (and a pod's stewards that pod's hooks); services emit
events; a task delivers each one.

Scope is the privacy rule: a hook with no pod carries Commons content only (no pod event or content
at all); a pod hook carries only that pod's events and its non-trusted content. Trusted-only posts
never leave. A delivery is recorded once per (hook, event key), so a repeated event never delivers
twice, and it is re-checked when the task runs, not only when the event happened.
"""

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .. import webhooks as http
from ..models import ContentStatus, Post, Webhook, WebhookDelivery
from ..policy import can_steward, check_can_act, is_manager

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
EVENTS = {value for value, _ in Webhook.Event.choices}


def backoff_seconds(attempts: int) -> int:
    """30 s, 1 min, 2 min … capped at 6 h: a receiver that is down for a day still gets its events."""
    return min(30 * 2 ** max(attempts - 1, 0), 6 * 3600)


def check_can_manage_webhooks(actor, pod) -> None:
    """Managers manage every hook; a pod's stewards manage that pod's hooks (never the Commons')."""
    check_can_act(actor)
    if is_manager(actor) or (pod is not None and can_steward(actor, pod)):
        return
    raise PermissionDenied("Only community managers (and a pod's stewards, for its hooks) manage webhooks.")


def _clean(*, name: str, url: str, events: list[str]) -> tuple[str, str, list[str]]:
    name, url = (name or "").strip(), (url or "").strip()
    errors = {}
    if not name or len(name) > 100:
        errors["name"] = "Give the hook a name of up to 100 characters (e.g. the tool it feeds)."
    unknown = set(events or []) - EVENTS
    if unknown or not events:
        errors["events"] = "Pick at least one of the listed events."
    try:
        URLValidator(schemes=["http", "https"])(url)
        refusal = http.url_refusal(url) if len(url) <= 500 else "Keep the URL under 500 characters."
    except ValidationError:
        refusal = "Enter a valid URL, e.g. https://hooks.example.com/petcommunity."
    if refusal:
        errors["url"] = refusal
    if errors:
        raise ValidationError(errors)
    return name, url, sorted(set(events))


@transaction.atomic
def webhook_register(*, actor, name: str, url: str, events: list[str], pod=None) -> Webhook:
    """A new hook with a fresh secret (returned on the object: show it once). The URL must name a host
    deliveries may reach (`webhooks.url_refusal`), the same rule each delivery applies again."""
    check_can_manage_webhooks(actor, pod)
    name, url, events = _clean(name=name, url=url, events=events)
    return Webhook.objects.create(name=name, url=url, events=events, pod=pod, secret=http.new_secret(),
                                  created_by=actor)


@transaction.atomic
def webhook_secret_rotate(*, actor, webhook: Webhook) -> str:
    """A new secret, returned once. Every delivery sent from now on (retries of older events included)
    is signed with it: receivers switch when they are told the new one."""
    check_can_manage_webhooks(actor, webhook.pod)
    webhook.secret = http.new_secret()
    Webhook.objects.filter(pk=webhook.pk).update(secret=webhook.secret)
    return webhook.secret


@transaction.atomic
def webhook_set_active(*, actor, webhook: Webhook, active: bool) -> Webhook:
    """Pause (nothing is recorded or sent; queued deliveries give up when they run) or resume."""
    check_can_manage_webhooks(actor, webhook.pod)
    webhook.is_active = bool(active)
    Webhook.objects.filter(pk=webhook.pk).update(is_active=webhook.is_active)
    return webhook


@transaction.atomic
def webhook_delete(*, actor, webhook: Webhook) -> None:
    """The hook and its delivery log; a delivery already queued finds nothing and stops."""
    check_can_manage_webhooks(actor, webhook.pod)
    webhook.delete()


def _hooks_for(event: str, pod) -> list[Webhook]:
    qs = Webhook.objects.filter(is_active=True)
    qs = qs.filter(pod=pod) if pod is not None else qs.filter(pod__isnull=True)
    # `events` is a short JSON list; filtering in Python works the same on SQLite and PostgreSQL.
    return [hook for hook in qs if event in (hook.events or [])]


def webhooks_emit(event: str, *, pod, key, payload_builder: Callable[[], dict],
                  trusted: bool = False) -> list[int]:
    """Record a delivery for each hook of this scope subscribed to `event`; deliver after commit.

    `pod` is the event's scope (None: the Commons). `key` identifies the event (a post id, a
    membership id…); the same (event, key) never delivers twice to a hook. `payload_builder` runs
    only when some hook listens. Returns the ids of new deliveries.
    """
    # tasks (entry points) import the services at the top; a service queues one by name at call time
    from ..tasks import webhook_deliver

    if trusted or event not in EVENTS:
        return []
    hooks = _hooks_for(event, pod)
    if not hooks:
        return []
    payload = {"event": event, "scope": {"pod": pod.slug if pod is not None else None},
               "data": payload_builder()}
    created = []
    for hook in hooks:
        delivery, made = WebhookDelivery.objects.get_or_create(
            webhook=hook, event_key=f"{event}:{key}"[:120], defaults={"event": event, "payload": payload})
        if made:
            created.append(delivery.pk)
            webhook_deliver.delay_on_commit(delivery.pk)
    return created


def post_payload(post: Post) -> dict:
    return {
        "post": {
            "id": post.pk, "url": f"{settings.SITE_URL}{post.get_absolute_url()}", "author": post.author.username,
            "body": post.body, "created_at": post.created_at.isoformat(),
            "pod": post.pod.slug if post.pod_id else None,
        }
    }


def webhooks_post_published(post: Post) -> list[int]:
    """The `post.created` hook point (content calls it when a post becomes visible)."""
    if not _post_may_leave(post):
        return []
    return webhooks_emit(Webhook.Event.POST_CREATED, pod=post.pod, key=post.pk,
                         payload_builder=lambda: post_payload(post))


def _post_may_leave(post: Post) -> bool:
    """Only published, everyone-audience, unsegmented posts ever reach a webhook."""
    return (post.status == ContentStatus.PUBLISHED and post.audience == Post.Audience.EVERYONE
            and post.segment is None)


def _refusal(delivery: WebhookDelivery) -> str:
    """Why this delivery may no longer go out (checked when the task runs); '' when it may."""
    hook = delivery.webhook
    if not hook.is_active:
        return "hook disabled"
    if delivery.event not in (hook.events or []):
        return "hook no longer subscribed to this event"
    scope_pod = (delivery.payload.get("scope") or {}).get("pod")
    if scope_pod != (hook.pod.slug if hook.pod_id else None):
        return "hook scope changed"
    post_id = ((delivery.payload.get("data") or {}).get("post") or {}).get("id")
    if post_id is not None:
        post = Post.objects.filter(pk=post_id).first()
        if post is None or not _post_may_leave(post) or post.pod_id != hook.pod_id:
            return "post no longer visible in the hook's scope"
    return ""


@transaction.atomic
def webhook_deliveries_retry(*, actor, delivery_ids: list[int]) -> list[int]:
    """"Try again now" (managers; a pod's stewards for its hooks): failed and given-up deliveries start
    over. They are queued after commit like every other delivery (`delay_on_commit`), so a broker outage
    parks them in the outbox instead of losing them."""
    # tasks (entry points) import the services at the top; a service queues one by name at call time
    from ..tasks import webhook_deliver

    retry = [WebhookDelivery.Status.FAILED, WebhookDelivery.Status.GAVE_UP]
    rows = list(WebhookDelivery.objects.filter(pk__in=delivery_ids, status__in=retry).select_related("webhook__pod"))
    check_can_act(actor)
    for pod in {row.webhook.pod for row in rows}:
        check_can_manage_webhooks(actor, pod)
    ids = [row.pk for row in rows]
    WebhookDelivery.objects.filter(pk__in=ids, status=WebhookDelivery.Status.GAVE_UP).update(
        status=WebhookDelivery.Status.FAILED, attempts=0)
    for pk in ids:
        webhook_deliver.delay_on_commit(pk)
    return ids


def webhook_delivery_attempt(*, delivery_id: int) -> str:
    """One attempt; returns the delivery's status afterwards. A delivered or abandoned delivery is never
    sent again. No transaction is held across the HTTP call (it may take TIMEOUT_SECONDS); receivers
    dedupe on X-PetCommunity-Delivery in the rare case a lost response makes us send again."""
    delivery = WebhookDelivery.objects.select_related("webhook__pod").filter(pk=delivery_id).first()
    if delivery is None:
        return "missing"
    if delivery.status in (WebhookDelivery.Status.DELIVERED, WebhookDelivery.Status.GAVE_UP):
        return delivery.status
    refusal = _refusal(delivery)
    if refusal:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(status=WebhookDelivery.Status.GAVE_UP,
                                                              last_error=refusal)
        return WebhookDelivery.Status.GAVE_UP
    now = int(time.time())  # inside the signed body too, so receivers can refuse replays
    body = http.encode_body({**delivery.payload, "delivery": delivery.pk, "timestamp": now})
    result = http.post_signed(url=delivery.webhook.url, secret=delivery.webhook.secret, body=body,
                              event=delivery.event, delivery_id=delivery.pk, timestamp=now)
    return _record(delivery, result)


def _record(delivery: WebhookDelivery, result: http.HttpResult) -> str:
    attempts = delivery.attempts + 1
    if result.ok:
        status = WebhookDelivery.Status.DELIVERED
    else:
        status = WebhookDelivery.Status.GAVE_UP if attempts >= MAX_ATTEMPTS else WebhookDelivery.Status.FAILED
        logger.info("webhook delivery %s failed (%s), attempt %s", delivery.pk, result.error, attempts)
    # Never downgrade a delivery another attempt already completed.
    WebhookDelivery.objects.filter(pk=delivery.pk).exclude(status=WebhookDelivery.Status.DELIVERED).update(
        attempts=F("attempts") + 1, status=status, response_code=result.status, last_error=result.error[:300],
        delivered_at=timezone.now() if result.ok else None,
    )
    return status
