"""Sessions read through the process's mirror (petcommunity.sessions): a signed-in load reads no session
from Redis while it is unchanged, and signing out anywhere ends it on the next load. Real Redis, a
server of each test's own (`private_redis_cache`)."""

import pytest

from petcommunity import sessions
from tests.factories import UserFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db]


@pytest.fixture
def signed_in(client, private_redis_cache):
    member = UserFactory(username="rowan")
    client.force_login(member)
    return member


def test_a_signed_in_load_reads_its_session_once_then_holds_it(client, signed_in, cache_reads):
    key = sessions.SessionStore(client.cookies["sessionid"].value).cache_key
    assert client.get("/settings/profile/").status_code == 200
    before = len(cache_reads)
    response = client.get("/settings/profile/")
    assert response.status_code == 200
    assert response.context["user"] == signed_in
    assert [keys for keys in cache_reads[before:] if key in keys] == []
    assert [keys for keys in cache_reads[:before] if key in keys] == [[key]]


def test_signing_out_in_another_process_ends_the_session_on_the_next_load(client, signed_in):
    assert client.get("/settings/profile/").status_code == 200
    store = sessions.SessionStore(client.cookies["sessionid"].value)
    store.delete()  # what sign-out elsewhere does: the row and the cache entry, which Redis pushes here
    response = client.get("/settings/profile/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_each_load_gets_its_own_copy_of_the_session(client, signed_in):
    client.get("/settings/profile/")
    key = client.cookies["sessionid"].value
    first = sessions.SessionStore(key)
    first["draft"] = "unsaved"  # changed in one request and never saved
    assert "draft" not in sessions.SessionStore(key).load()
    assert sessions.SessionStore(key).load()["_auth_user_id"] == str(signed_in.pk)
