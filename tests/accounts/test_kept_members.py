"""A signed-in request finds its member through the process's kept rows (communities.auth_backend): the
row is read once while its version stands, and afresh after anything that changes it, so a deactivation,
a password change or a deletion signs the member out on their next request."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communities import navcache
from communities.auth_backend import MemberBackend
from communities.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGE = "/settings/profile/"


@pytest.fixture
def member(client):
    user = UserFactory(username="rowan", display_name="Rowan",
                       last_active_at=timezone.now())  # recent: the visit writes no activity time
    client.force_login(user)
    return user


def _row_reads(client, path=PAGE) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code in (200, 302)
    reads = [q for q in queries.captured_queries
             if 'FROM "communities_user"' in q["sql"] and 'WHERE "communities_user"."id" =' in q["sql"]]
    return len(reads), response


def _saved(django_capture_on_commit_callbacks, user, **fields):
    with django_capture_on_commit_callbacks(execute=True):
        for name, value in fields.items():
            setattr(user, name, value)
        user.save()


def test_the_row_is_read_once_while_its_version_stands(client, member):
    assert _row_reads(client)[0] == 1
    reads, response = _row_reads(client)
    assert reads == 0
    assert response.wsgi_request.user.pk == member.pk and response.wsgi_request.user.display_name == "Rowan"


def test_the_kept_row_answers_until_the_version_moves(client, member):
    _row_reads(client)
    User.objects.filter(pk=member.pk).update(display_name="Changed quietly")  # no save: nothing is told
    assert _row_reads(client)[1].wsgi_request.user.display_name == "Rowan"
    navcache.forget_now(member.pk)
    reads, response = _row_reads(client)
    assert reads == 1 and response.wsgi_request.user.display_name == "Changed quietly"


def test_a_saved_change_is_read_on_the_next_request(client, member, django_capture_on_commit_callbacks):
    _row_reads(client)
    _saved(django_capture_on_commit_callbacks, User.objects.get(pk=member.pk), display_name="Rowan B.",
           time_zone="Europe/London")
    reads, response = _row_reads(client)
    assert reads == 1
    assert (response.wsgi_request.user.display_name, response.wsgi_request.user.time_zone) == (
        "Rowan B.", "Europe/London")


def test_a_deactivated_member_is_signed_out_on_their_next_request(client, member,
                                                                  django_capture_on_commit_callbacks):
    _row_reads(client)
    _saved(django_capture_on_commit_callbacks, User.objects.get(pk=member.pk), is_active=False)
    response = client.get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not response.wsgi_request.user.is_authenticated


def test_a_password_changed_elsewhere_signs_this_session_out(client, member, django_capture_on_commit_callbacks):
    _row_reads(client)
    user = User.objects.get(pk=member.pk)
    user.set_password("a completely new passphrase")
    _saved(django_capture_on_commit_callbacks, user)
    response = client.get(PAGE)
    assert response.status_code == 302 and not response.wsgi_request.user.is_authenticated


def test_a_deleted_member_is_signed_out(client, member, django_capture_on_commit_callbacks):
    _row_reads(client)
    with django_capture_on_commit_callbacks(execute=True):
        User.objects.filter(pk=member.pk).delete()  # a queryset delete too sends post_delete per row
    response = client.get(PAGE)
    assert response.status_code == 302 and not response.wsgi_request.user.is_authenticated


def test_the_activity_time_is_written_once_and_the_row_read_afresh(client, member,
                                                                   django_capture_on_commit_callbacks):
    hour_ago = timezone.now() - timedelta(hours=1)
    User.objects.filter(pk=member.pk).update(last_active_at=hour_ago)
    navcache.forget_now(member.pk)

    def visit():
        with django_capture_on_commit_callbacks(execute=True), CaptureQueriesContext(connection) as queries:
            assert client.get(PAGE).status_code == 200
        return [q["sql"].split()[0] for q in queries.captured_queries
                if q["sql"].startswith(('SELECT "communities_user".', 'UPDATE "communities_user"'))]

    assert visit() == ["SELECT", "UPDATE"]  # the row, then the activity time it showed was old
    assert visit() == ["SELECT"]  # the row afresh, with the new time: nothing to write
    assert visit() == []
    assert User.objects.get(pk=member.pk).last_active_at > hour_ago


def test_each_request_gets_its_own_instance(member):
    backend = MemberBackend()
    first = backend.get_user(member.pk)
    first.muted_notification_kinds.append("reply")
    first.display_name = "Set on one request"
    second = backend.get_user(str(member.pk))
    assert second is not first
    assert (second.muted_notification_kinds, second.display_name) == ([], "Rowan")
    assert second._state.adding is False and second._state.db == "default"


def test_no_member_for_an_unknown_or_malformed_id(member):
    backend = MemberBackend()
    assert backend.get_user(member.pk + 1000) is None
    assert backend.get_user("not a number") is None


@pytest.mark.services
def test_with_the_mirror_a_hit_asks_neither_store_and_a_change_elsewhere_applies_next(
        client, private_redis_cache, cache_reads, django_capture_on_commit_callbacks):
    from communities import hotkeys

    user = UserFactory(username="sol")
    client.force_login(user)
    assert _row_reads(client)[0] == 1
    before = len(cache_reads)
    assert _row_reads(client)[0] == 0
    assert [keys for keys in cache_reads[before:] if navcache.member_version_key(user.pk) in keys] == []
    _saved(django_capture_on_commit_callbacks, User.objects.get(pk=user.pk), is_active=False)
    hotkeys.mirror.sync()  # Redis's push of the new version has reached this process
    response = client.get(PAGE)
    assert response.status_code == 302 and not response.wsgi_request.user.is_authenticated
