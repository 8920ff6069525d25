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
