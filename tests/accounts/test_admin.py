"""Admin for managers: throttled login, list pages, actions through services, the managers group."""

import pytest
from django.contrib.auth.models import Group

from communities.models import Place, Tag, User
from tests.factories import PetFactory, PlaceFactory, PostFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    user = UserFactory(username="boss", is_staff=True)
    user.groups.add(Group.objects.get(name="Community managers"))
    return user


def test_admin_login_is_throttled_after_repeated_failures(client):
    UserFactory(username="admin1", is_staff=True, is_superuser=True)
    for _ in range(5):
        response = client.post("/admin/login/", {"username": "admin1", "password": "wrong"})
        assert response.status_code == 200
    response = client.post("/admin/login/", {"username": "admin1", "password": "pw-for-tests-123"})
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 15 * 60
    assert b"doing that too often" in response.content
    # Another address is not affected.
    other = client.post("/admin/login/", {"username": "admin1", "password": "pw-for-tests-123"},
                        REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302


def test_admin_login_throttle_counts_ipv6_addresses_per_64_block(client):
    """Rotating addresses inside one's own /64 does not reset the count (one client_ip everywhere)."""
    UserFactory(username="admin1", is_staff=True, is_superuser=True)
    for n in range(5):
        client.post("/admin/login/", {"username": "admin1", "password": "wrong"}, REMOTE_ADDR=f"2001:db8:7:7::{n + 1}")
    same_block = client.post("/admin/login/", {"username": "admin1", "password": "pw-for-tests-123"},
                             REMOTE_ADDR="2001:db8:7:7:ffff::1")
    assert same_block.status_code == 429
    other_block = client.post("/admin/login/", {"username": "admin1", "password": "pw-for-tests-123"},
                              REMOTE_ADDR="2001:db8:7:8::1")
    assert other_block.status_code == 302


def test_admin_login_works_below_the_limit(client):
    UserFactory(username="admin1", is_staff=True, is_superuser=True)
    client.post("/admin/login/", {"username": "admin1", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "admin1", "password": "pw-for-tests-123"})
    assert response.status_code == 302


def test_managers_group_has_the_migrated_permissions():
    perms = set(Group.objects.get(name="Community managers").permissions.values_list("codename", flat=True))
    assert {"view_user", "change_user", "view_post", "change_post", "view_comment", "add_place", "delete_place",
            "add_tag", "change_tag", "view_pod"} <= perms
    assert "delete_user" not in perms and "delete_post" not in perms


def test_manager_can_browse_the_admin_lists(client, manager):
    PetFactory()
    country = PlaceFactory(kind=Place.Kind.COUNTRY, name="UK", slug="uk")
    PlaceFactory(parent=country, name="Leeds", slug="leeds")
    TagFactory(kind=Tag.Kind.NEED, slug="senior")
    client.force_login(manager)
    for url in ("/admin/communities/user/", "/admin/communities/user/?onboarded=no&suspended=yes&deleted=no",
                "/admin/communities/pet/", "/admin/communities/place/?kind=city", "/admin/communities/tag/?kind=need",
                f"/admin/communities/user/{manager.pk}/change/", "/admin/communities/user/?q=boss"):
        assert client.get(url).status_code == 200, url


def test_admin_actions_call_the_services(client, manager):
    target = UserFactory(username="troll", display_name="Troll")
    PostFactory(author=target, body="still here")
    client.force_login(manager)
    url = "/admin/communities/user/"
    client.post(url, {"action": "suspend_7_days", "_selected_action": [target.pk]})
    target.refresh_from_db()
    assert target.is_suspended
    client.post(url, {"action": "unsuspend", "_selected_action": [target.pk]})
    target.refresh_from_db()
    assert not target.is_suspended
    client.post(url, {"action": "delete_accounts", "_selected_action": [target.pk]})
    target.refresh_from_db()
    assert target.deleted_at is not None and target.username == f"deleted-{target.pk}"
    assert target.posts.count() == 1
    assert User.objects.filter(pk=target.pk).exists()  # never a hard delete


def test_vocabulary_edits_in_the_admin_refresh_form_choices(client, manager):
    from communities.segments import SegmentForm

    client.force_login(manager)
    assert ("agility", "agility") not in SegmentForm().fields["interests"].choices
    response = client.post("/admin/communities/tag/add/", {"kind": "interest", "slug": "agility", "name": "agility"})
    assert response.status_code == 302
    assert ("agility", "agility") in SegmentForm().fields["interests"].choices


def test_a_manager_opens_every_admin_list(client, manager):
    """Every model in the admin is open to the "Community managers" group (read-only where the product's
    pages make the changes), including moderator assignments and the moderation log."""
    from django.contrib import admin
    from django.urls import reverse

    client.force_login(manager)
    refused = {}
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        status = client.get(url).status_code
        if status != 200:
            refused[url] = status
    assert refused == {}
    assert len(admin.site._registry) >= 35
    index = client.get("/admin/").content.decode()
    assert "Moderator assignments" in index and "Moderation log entries" in index
