"""Personal access tokens: made and revoked on the settings page, hashed, shown once, scoped, and dead
the moment their member is suspended."""

from datetime import timedelta

import pytest
from django.utils import timezone

from api.models import AccessToken
from api.services import token_create, token_digest
from tests.factories import UserFactory

from .conftest import ApiClient, token_for

pytestmark = pytest.mark.django_db


def test_settings_page_shows_a_new_token_once_and_stores_only_its_hash(client, member):
    client.force_login(member)
    response = client.post("/settings/tokens/", {"name": "welcome bot", "scopes": ["read", "write"],
                                                 "expires_in_days": "30"})
    assert response.status_code == 200
    raw = response.context["created"]
    assert raw.startswith("pct_") and raw in response.content.decode()
    token = AccessToken.objects.get(member=member)
    assert token.token_hash == token_digest(raw) and raw not in (token.token_hash, token.prefix)
    assert token.scopes == ["read", "write"] and token.name == "welcome bot"
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    again = client.get("/settings/tokens/").content.decode()
    assert raw not in again and token.prefix in again and "welcome bot" in again


def test_settings_page_refuses_a_token_without_scopes_at_the_field(client, member):
    client.force_login(member)
    response = client.post("/settings/tokens/", {"name": "x", "expires_in_days": ""})
    assert response.status_code == 400
    assert response.context["form"].errors["scopes"] == ["This field is required."]
    assert not AccessToken.objects.exists()


def test_revoked_token_stops_working_and_others_cannot_revoke_it(client, member):
    raw = token_for(member)
    token = AccessToken.objects.get()
    other = ApiClient(None)
    other.client.force_login(UserFactory())
    assert other.client.post(f"/settings/tokens/{token.pk}/revoke/").status_code == 404
    assert ApiClient(raw).get("/me").status_code == 200
    client.force_login(member)
    assert client.post(f"/settings/tokens/{token.pk}/revoke/").status_code == 302
    assert ApiClient(raw).get("/me").status_code == 401


def test_suspending_a_member_stops_their_tokens_at_once(member):
    api = ApiClient(token_for(member))
    assert api.get("/me").status_code == 200
    member.suspended_until = timezone.now() + timedelta(days=1)
    member.save(update_fields=["suspended_until"])
    response = api.get("/me")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_expired_and_made_up_tokens_are_refused(member):
    raw = token_for(member, days=1)
    AccessToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert ApiClient(raw).get("/me").status_code == 401
    assert ApiClient("pct_" + "x" * 43).get("/me").status_code == 401
    assert ApiClient(None).get("/me").status_code == 401


def test_last_use_is_recorded(member):
    raw = token_for(member)
    assert AccessToken.objects.get().last_used_at is None
    ApiClient(raw).get("/me")
    assert AccessToken.objects.get().last_used_at is not None


def test_a_read_only_token_cannot_post(member):
    api = ApiClient(token_for(member, scopes=["read"]))
    response = api.post("/posts", {"body": "Hello"})
    assert response.status_code == 403
    assert response.json()["detail"] == "This token lacks the 'write' scope."
    assert api.get("/feeds/commons").status_code == 200


def test_suspended_members_cannot_make_tokens(member):
    member.suspended_until = timezone.now() + timedelta(days=1)
    with pytest.raises(Exception, match="Suspended"):
        token_create(actor=member, name="x", scopes=["read"], expires_in_days=None)


def test_session_cookie_works_same_origin_and_needs_csrf_for_writes(member):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    assert browser.get("/api/v1/me").status_code == 200
    refused = browser.post("/api/v1/posts", {"body": "no csrf"}, content_type="application/json")
    assert refused.status_code == 403
    browser.get("/settings/tokens/")  # any page sets the CSRF cookie
    csrf = browser.cookies["csrftoken"].value
    ok = browser.post("/api/v1/posts", {"body": "with csrf"}, content_type="application/json",
                      headers={"X-CSRFToken": csrf})
    assert ok.status_code == 201
