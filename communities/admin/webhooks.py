"""Webhooks in the admin: managers register hooks (the secret is generated, shown once per hook page)
and read the delivery log. Registration goes through the service, so its checks apply here too."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError

from ..models import Webhook, WebhookDelivery
from ..policy import is_manager
from ..services.webhooks import webhook_deliveries_retry, webhook_register
from ..webhooks import url_refusal


class WebhookForm(forms.ModelForm):
    url = forms.URLField(max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(choices=Webhook.Event.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Webhook
        fields = ["name", "url", "pod", "events", "is_active"]
        help_texts = {"pod": "Empty: Commons events and content only. A pod: that pod's events and its "
                             "non-trusted content only. Trusted-only posts are never sent."}

    def clean_url(self):
        url = self.cleaned_data["url"]
        refusal = url_refusal(url)
        if refusal:
            raise forms.ValidationError(refusal)
        return url


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    form = WebhookForm
    list_display = ["name", "url", "pod", "is_active", "created_at"]
    list_filter = ["is_active"]
    readonly_fields = ["secret", "created_by", "created_at"]
    raw_id_fields = ["pod"]

    # Managers only, whatever Django model permissions a staff account happens to hold.
    def has_module_permission(self, request):
        return is_manager(request.user)

    def has_view_permission(self, request, obj=None):
        return is_manager(request.user)

    def has_add_permission(self, request):
        return is_manager(request.user)

    def has_change_permission(self, request, obj=None):
        return is_manager(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_manager(request.user)

    def save_model(self, request, obj, form, change):
        if change:  # editing keeps the secret; scope and events are re-checked at each delivery
            return super().save_model(request, obj, form, change)
        try:
            created = webhook_register(actor=request.user, name=obj.name, url=obj.url, pod=obj.pod,
                                       events=form.cleaned_data["events"])
        except (PermissionDenied, ValidationError) as exc:
            raise PermissionDenied(str(exc)) from exc
        obj.pk, obj.secret = created.pk, created.secret
        messages.info(request, "Secret generated: receivers verify X-PetCommunity-Signature with it.")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "webhook", "event", "event_key", "status", "attempts", "response_code", "created_at",
                    "delivered_at"]
    list_filter = ["status", "event"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    actions = ["redeliver"]

    def has_module_permission(self, request):
        return is_manager(request.user)

    def has_view_permission(self, request, obj=None):
        return is_manager(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Try failed deliveries again now")
    def redeliver(self, request, queryset):
        ids = webhook_deliveries_retry(actor=request.user, delivery_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{len(ids)} deliveries queued.")
