"""Glue between forms and services: a service's ValidationError lands next to the right field."""

from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError


def apply_service_errors(form: forms.Form, call: Callable[[dict], object]):
    """Run `call(form.cleaned_data)`; on ValidationError put the messages on the form and return None,
    so the page re-renders with everything the member typed and the message at the field."""
    try:
        return call(form.cleaned_data) or True
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc)
        return None
