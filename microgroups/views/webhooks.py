"""The Webhooks section of a pod's settings: list and create, one hook (pause, resume, a new secret,
delete) and its deliveries (send again). Only the pod's stewards and managers: 404 for everyone else,
since a pod's hooks are nobody else's business. A secret shows once, on the page that answers the
creation or the rotation; it is never stored in the session or a message."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from common.forms import form_add_service_error
from communities.selectors.webhooks import webhook_deliveries, webhook_delivery_get, webhook_get, webhooks_list

from ..forms import WebhookForm
from ..selectors import pod_get_stewarded
from ..services import webhooks as hook_services
from .manage import _section
from .pages import pod_url

HOOK_TEMPLATE = "microgroups/settings/webhook.html"


def _hook(request, slug: str, webhook_id: int):
    pod = pod_get_stewarded(user=request.user, slug=slug)
    return pod, webhook_get(pod=pod, webhook_id=webhook_id)


def _hook_url(pod, hook) -> str:
    return f"{pod_url(pod)}settings/webhooks/{hook.pk}/"


def _secret_page(request, pod, hook, secret: str, *, created: bool):
    response = _section(request, pod, "webhooks", {"hook": hook, "secret": secret, "created": created,
                                                   "section_template": "microgroups/settings/webhook_secret.html"})
    add_never_cache_headers(response)  # no cache anywhere may keep a page holding a secret
    return response


@login_required
def settings_webhooks(request, slug: str):
    pod = pod_get_stewarded(user=request.user, slug=slug)
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            hook = hook_services.pod_webhook_create(actor=request.user, pod=pod, **form.cleaned_data)
            return _secret_page(request, pod, hook, hook.secret, created=True)
        except ValidationError as exc:
            form_add_service_error(form, exc)
    return _section(request, pod, "webhooks", {"form": form, "webhooks": webhooks_list(pod=pod)},
                    status=400 if form.errors else 200)


@login_required
def webhook_detail(request, slug: str, webhook_id: int):
    pod, hook = _hook(request, slug, webhook_id)
    return _section(request, pod, "webhooks", {"hook": hook, "deliveries": webhook_deliveries(webhook=hook),
                                               "retryable": hook_services.RETRYABLE,
                                               "section_template": HOOK_TEMPLATE})


@login_required
@require_POST
def webhook_rotate(request, slug: str, webhook_id: int):
    pod, hook = _hook(request, slug, webhook_id)
    secret = hook_services.pod_webhook_secret_rotate(actor=request.user, pod=pod, webhook=hook)
    return _secret_page(request, pod, hook, secret, created=False)


def _set_active(request, slug: str, webhook_id: int, active: bool):
    pod, hook = _hook(request, slug, webhook_id)
    hook_services.pod_webhook_set_active(actor=request.user, pod=pod, webhook=hook, active=active)
    state = "on again" if active else "paused: nothing is sent until you resume it"
    messages.success(request, f"{hook.name} is {state}.")
    return redirect(_hook_url(pod, hook))


@login_required
@require_POST
def webhook_pause(request, slug: str, webhook_id: int):
    return _set_active(request, slug, webhook_id, False)


@login_required
@require_POST
def webhook_resume(request, slug: str, webhook_id: int):
    return _set_active(request, slug, webhook_id, True)


@login_required
@require_POST
def webhook_delete(request, slug: str, webhook_id: int):
    pod, hook = _hook(request, slug, webhook_id)
    hook_services.pod_webhook_delete(actor=request.user, pod=pod, webhook=hook)
    messages.success(request, f"{hook.name} is deleted, with its delivery log.")
    return redirect(f"{pod_url(pod)}settings/webhooks/")


@login_required
@require_POST
def webhook_redeliver(request, slug: str, webhook_id: int, delivery_id: int):
    pod, hook = _hook(request, slug, webhook_id)
    delivery = webhook_delivery_get(webhook=hook, delivery_id=delivery_id)
    try:
        hook_services.pod_webhook_redeliver(actor=request.user, pod=pod, delivery=delivery)
        messages.success(request, f"Delivery {delivery.pk} is queued to be sent again.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(_hook_url(pod, hook))
