"""The common kit: cursors, service errors onto forms, the admin bulk runner, client_ip."""

from datetime import UTC, datetime

import pytest
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from common.admin import admin_run_each
from common.cursors import cursor_decode, cursor_encode
from common.forms import form_add_service_error, form_apply_service
from common.net import client_ip


def test_a_cursor_round_trips_its_value_and_id():
    when = datetime(2026, 11, 28, 12, 30, tzinfo=UTC)
    assert cursor_decode(cursor_encode(when, 42), datetime.fromisoformat) == (when, 42)
    assert cursor_decode(cursor_encode(3.5, 7), float) == (3.5, 7)
    assert cursor_decode(cursor_encode("Ann", 9)) == ("Ann", 9)
    assert "=" not in cursor_encode("Ann", 9)  # URL-safe, no padding


@pytest.mark.parametrize("bad", [None, "", "!!!", "bm90IGpzb24", "WzFd", "WyJ4IiwieSJd", "wyI"])
def test_a_malformed_cursor_is_the_first_page(bad):
    assert cursor_decode(bad, int) is None


class _Form(forms.Form):
    body = forms.CharField()
    edit_reason = forms.CharField(required=False)


def _bound():
    form = _Form({"body": "x"})
    assert form.is_valid()
    return form


def test_service_errors_land_on_their_field_else_on_the_default_or_on_top():
    form = _bound()
    form_add_service_error(form, ValidationError({"body": "Too loud.", "elsewhere": "Not here."}))
    assert form.errors == {"body": ["Too loud."], "__all__": ["Not here."]}
    form = _bound()
    form_add_service_error(form, ValidationError("Plain."), default_field="body")
    assert form.errors == {"body": ["Plain."]}
    form = _bound()
    form_add_service_error(form, ValidationError({"reason": "Say why."}), prefix="edit_")
    assert form.errors == {"edit_reason": ["Say why."]}


def test_form_apply_service_returns_the_result_or_none_with_the_errors_on_the_form():
    form = _bound()
    assert form_apply_service(form, lambda data: data["body"] * 2) == "xx"
    assert form_apply_service(form, lambda data: None) is True

    def refuse(data):
        raise ValidationError({"body": "No."})
    assert form_apply_service(form, refuse) is None and form.errors["body"] == ["No."]


class _Admin:
    def __init__(self):
        self.messages = []

    def message_user(self, request, text, level=None):
        self.messages.append(text)


def test_the_admin_bulk_runner_reports_each_refusal_and_the_successes():
    def act(n):
        if n == 2:
            raise PermissionDenied("not yours")
        if n == 3:
            raise ValidationError("already gone")
    admin = _Admin()
    assert admin_run_each(admin, None, [1, 2, 3, 4], act, done="row(s) done", label=lambda n: f"#{n}") == 2
    assert admin.messages == ["#2: not yours", "#3: already gone", "2 row(s) done."]


def test_client_ip_groups_ipv6_by_64_for_requests_and_sockets():
    rf = RequestFactory()
    assert client_ip(rf.get("/", REMOTE_ADDR="2001:db8:1:2:aaaa::1")) == "2001:db8:1:2::"
    assert client_ip({"client": ("2001:db8:1:2:bbbb::9", 5000)}) == "2001:db8:1:2::"
    assert client_ip(rf.get("/", REMOTE_ADDR="192.0.2.7")) == "192.0.2.7"
    assert client_ip(rf.get("/", HTTP_X_FORWARDED_FOR="198.51.100.1", REMOTE_ADDR="192.0.2.8")) == "192.0.2.8"
    assert client_ip({}) == "unknown"
