"""What an integration does: only a token and the published schema, over real HTTP (httpx against a
live server). Every call is looked up in the schema first, so an endpoint the schema does not publish
fails the test."""

import httpx
import pytest

from microgroups.models import Pod
from tests.factories import PodFactory, UserFactory, join

from .conftest import token_for

pytestmark = pytest.mark.django_db(transaction=True)


class SchemaClient:
    """A minimal client built from /api/v1/openapi.json: operations by (method, path template)."""

    def __init__(self, base: str, token: str):
        self.http = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30)
        schema = self.http.get("/api/v1/openapi.json").raise_for_status().json()
        assert schema["openapi"].startswith("3.1")
        self.operations = {(method.upper(), path): op for path, ops in schema["paths"].items()
                           for method, op in ops.items()}

    def call(self, method: str, template: str, *, json=None, params=None, **path) -> httpx.Response:
        operation = self.operations[(method, template)]  # KeyError: not in the published schema
        response = self.http.request(method, template.format(**path), json=json, params=params)
        assert str(response.status_code) in operation["responses"], (template, response.status_code)
        return response


@pytest.fixture
def world(live_server):
    pod = PodFactory(slug="cat-corner", privacy=Pod.Privacy.REQUEST, charter_version=0)
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    join(alice, pod), join(bob, pod)
    return live_server.url, pod, token_for(alice), token_for(bob)


def test_a_script_reads_a_pod_feed_posts_comments_reacts_and_reads_its_notification(world):
    base, pod, alice_token, bob_token = world
    alice, bob = SchemaClient(base, alice_token), SchemaClient(base, bob_token)

    feed = alice.call("GET", "/api/v1/pods/{slug}/feed", slug=pod.slug, params={"sort": "new"})
    assert feed.status_code == 200 and feed.json() == {"items": [], "next_cursor": None}

    posted = alice.call("POST", "/api/v1/pods/{slug}/posts", slug=pod.slug, json={"body": "Who else has a cat?"})
    assert posted.status_code == 201
    post_id = posted.json()["id"]
    assert [p["id"] for p in alice.call("GET", "/api/v1/pods/{slug}/feed", slug=pod.slug).json()["items"]] == [post_id]

    comment = bob.call("POST", "/api/v1/posts/{post_id}/comments", post_id=post_id, json={"body": "Two of them!"})
    assert comment.status_code == 201
    reacted = alice.call("POST", "/api/v1/comments/{comment_id}/reactions", comment_id=comment.json()["id"],
                         json={"kind": "heart"})
    assert reacted.json()["active"] is True
    paw = bob.call("POST", "/api/v1/posts/{post_id}/reactions", post_id=post_id, json={"kind": "paw"})
    assert paw.status_code == 200

    inbox = alice.call("GET", "/api/v1/notifications").json()
    assert inbox["unread"] == 2
    assert sorted(n["kind"] for n in inbox["items"]) == ["reaction", "reply"]
    reply = next(n for n in inbox["items"] if n["kind"] == "reply")
    assert reply["actor"]["username"] == "bob" and reply["post"] == post_id
    assert alice.call("POST", "/api/v1/notifications/{notification_id}/read",
                      notification_id=reply["id"]).status_code == 200
    assert alice.call("GET", "/api/v1/notifications").json()["unread"] == 1
