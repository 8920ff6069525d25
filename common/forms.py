"""A service's ValidationError onto a form, so the message lands next to the field it is about."""

from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError


def form_add_service_error(form: forms.Form, exc: ValidationError, *, default_field: str | None = None,
                           prefix: str = "") -> None:
    """Each message goes on the field it names (tried with `prefix` first, for prefixed forms); a message
    naming no field of this form, or naming none at all, goes on `default_field` (None: above the form)."""
    fallback = default_field if default_field in form.fields else None
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            target = next((n for n in (f"{prefix}{name}", name) if n in form.fields), fallback)
            form.add_error(target, errors)
    else:
        form.add_error(fallback, exc.messages)


def form_apply_service(form: forms.Form, call: Callable[[dict], object]):
    """Run `call(form.cleaned_data)`; on ValidationError put the messages on the form and return None,
    so the page re-renders with everything the member typed and the message at the field."""
    try:
        return call(form.cleaned_data) or True
    except ValidationError as exc:
        form_add_service_error(form, exc)
        return None
