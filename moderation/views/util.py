"""Service errors onto forms: a message lands next to the field it is about (or on top)."""

from django import forms
from django.core.exceptions import ValidationError


def add_service_errors(form: forms.Form, exc: ValidationError, *, prefix: str = "") -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            name = f"{prefix}{field}" if f"{prefix}{field}" in form.fields else field
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)
