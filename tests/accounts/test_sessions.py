"""Sessions read through the process's mirror (petcommunity.sessions): a signed-in load reads no session
from Redis while it is unchanged, and signing out anywhere ends it on the next load. Real Redis."""

import pytest

from petcommunity import sessions
from tests.factories import UserFactory
from tests.mirroring import quietly

pytestmark = [pytest.mark.services, pytest.mark.django_db]


@pytest.fixture
def signed_in(client):
    member = UserFactory(username="rowan")
    client.force_login(member)
    return member


def _session_reads(cache_reads: list[list[str]]) -> list[list[str]]:
    return [keys for keys in cache_reads if any(sessions.cached_db.KEY_PREFIX in k for k in keys)]


def test_a_signed_in_load_reads_its_session_once_then_holds_it(client, signed_in, cache_reads):
    assert client.get("/settings/profile/").status_code == 200
    response, asked = quietly(sessions._mirror, cache_reads, lambda: client.get("/settings/profile/"))
    assert response.status_code == 200
    assert response.context["user"] == signed_in
    assert _session_reads(asked) == [[sessions.cached_db.KEY_PREFIX + "drain"]]  # only `quietly`'s own


def test_signing_out_in_another_process_ends_the_session_on_the_next_load(client, signed_in, services_required):
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
