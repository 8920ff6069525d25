"""Reconnect catch-up over HTTP: only the readable cards newer than the last id the browser saw."""

import pytest

from communities.selectors import feed_after
from microgroups.models import Pod
from tests.factories import PodFactory, PostFactory, UserFactory, join

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def test_feed_after_returns_newer_readable_posts_of_that_place_newest_first():
    pod = PodFactory(privacy=Pod.Privacy.REQUEST)
    member, outsider = UserFactory(), UserFactory()
    join(member, pod)
    seen = PostFactory()
    newer = [PostFactory(), PostFactory()]
    PostFactory(pod=pod)  # another place
    PostFactory(status="held")
    assert [p.pk for p in feed_after(user=outsider, pod=None, after_id=seen.pk)] == [newer[1].pk, newer[0].pk]
    in_pod = PostFactory(pod=pod)
    assert [p.pk for p in feed_after(user=member, pod=pod, after_id=seen.pk)][0] == in_pod.pk
    assert feed_after(user=outsider, pod=pod, after_id=seen.pk) == []


def test_trusted_only_posts_are_caught_up_by_trusted_members_only():
    pod = PodFactory()
    trusted, newcomer = UserFactory(), UserFactory()
    join(trusted, pod, rung="trusted")
    join(newcomer, pod)
    secret = PostFactory(pod=pod, audience="trusted")
    assert [p.pk for p in feed_after(user=trusted, pod=pod, after_id=0)] == [secret.pk]
    assert feed_after(user=newcomer, pod=pod, after_id=0) == []


def test_commons_catchup_answers_just_the_missed_cards(client):
    seen = PostFactory(body="Already on screen")
    missed = PostFactory(body="Missed while offline")
    response = client.get(f"/catchup/commons/?after={seen.pk}", **HX)
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="post-{missed.pk}"' in body
    assert "Already on screen" not in body
    assert "<html" not in body


def test_catchup_with_nothing_new_is_empty(client):
    post = PostFactory()
    response = client.get(f"/catchup/commons/?after={post.pk}", **HX)
    assert response.status_code == 200
    assert response.content.decode().strip() == ""


def test_pod_catchup_refuses_people_who_cannot_read_the_pod(client):
    private = PodFactory(privacy=Pod.Privacy.REQUEST)
    unlisted = PodFactory(privacy=Pod.Privacy.INVITE, is_unlisted=True)
    PostFactory(pod=private)
    client.force_login(UserFactory())
    assert client.get(f"/catchup/pods/{private.slug}/?after=0", **HX).status_code == 403
    assert client.get(f"/catchup/pods/{unlisted.slug}/?after=0", **HX).status_code == 404
    assert client.get("/catchup/pods/no-such-pod/?after=0", **HX).status_code == 404


def test_pod_catchup_serves_members(client):
    pod = PodFactory(privacy=Pod.Privacy.REQUEST)
    member = UserFactory()
    join(member, pod)
    post = PostFactory(pod=pod, body="For the pod")
    client.force_login(member)
    response = client.get(f"/catchup/pods/{pod.slug}/?after=0", **HX)
    assert response.status_code == 200
    assert f'id="post-{post.pk}"' in response.content.decode()


def test_catchup_without_htmx_redirects_to_the_page_and_bad_input_is_400(client):
    pod = PodFactory()
    assert client.get("/catchup/commons/?after=3").url == "/"
    assert client.get(f"/catchup/pods/{pod.slug}/?after=3").url == f"/pods/{pod.slug}/"
    assert client.get("/catchup/commons/?after=abc", **HX).status_code == 400


def test_feed_pages_point_their_streams_at_the_catchup_urls(client):
    pod = PodFactory()
    assert 'data-catchup-url="/catchup/commons/"' in client.get("/").content.decode()
    assert f'data-catchup-url="/catchup/pods/{pod.slug}/"' in client.get(f"/pods/{pod.slug}/").content.decode()


def test_catchup_costs_the_same_queries_for_one_or_many_posts(client, django_assert_num_queries):
    member = UserFactory()
    client.force_login(member)
    PostFactory()
    client.get("/catchup/commons/?after=0", **HX)  # first request of a session also records activity
    with django_assert_num_queries(4):  # the session and the member come from the caches
        client.get("/catchup/commons/?after=0", **HX)
    for _ in range(15):
        PostFactory()
    with django_assert_num_queries(4):
        response = client.get("/catchup/commons/?after=0", **HX)
    assert response.content.decode().count('class="post-card') == 16
