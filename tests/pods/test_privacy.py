"""A private pod's posts on every path a non-member could take: none of them shows the content."""

import pytest

from communities.models import Notification
from communities.selectors import feed
from communities.services.posts import post_create
from microgroups.selectors import DiscoverFilters, pod_discover
from microgroups.services.ladder import membership_set_rung
from microgroups.services.membership import pod_leave
from tests.factories import UserFactory

from .conftest import member_of

pytestmark = pytest.mark.django_db
SECRET = "Biscuit had a rough night, thinking of you all"


@pytest.fixture
def private_post(make_pod):
    pod = make_pod(name="Quiet circle", privacy="request")
    author = member_of(pod, username="insider")
    outsider = UserFactory(username="outsider")
    post = post_create(actor=author, pod=pod, body=f"{SECRET} @outsider")
    return pod, author, outsider, post


def test_private_pod_post_is_absent_from_the_commons_feed(private_post, client):
    pod, author, outsider, post = private_post
    assert post not in feed(user=outsider).posts and post not in feed(user=author).posts  # pod posts stay in pods
    client.force_login(outsider)
    assert SECRET not in client.get("/").content.decode()


def test_private_pod_post_is_absent_from_the_pod_feed_and_page_for_non_members(private_post, client):
    pod, author, outsider, post = private_post
    assert feed(user=outsider, pod=pod).posts == []
    assert [p.pk for p in feed(user=author, pod=pod).posts] == [post.pk]
    client.force_login(outsider)
    assert SECRET not in client.get(f"/pods/{pod.slug}/").content.decode()
    assert client.get(f"/posts/{post.pk}/").status_code == 404
    assert client.get(f"/catchup/pods/{pod.slug}/?after=0", HTTP_HX_REQUEST="true").status_code == 403


def test_private_pod_post_is_absent_from_profiles_and_search(private_post, client):
    pod, author, outsider, post = private_post
    client.force_login(outsider)
    assert SECRET not in client.get(f"/members/{author.username}/").content.decode()
    assert pod_discover(user=outsider, filters=DiscoverFilters(query="rough night")).pods == []
    assert SECRET not in client.get("/pods/?q=rough+night").content.decode()


def test_mentioning_a_non_member_in_a_private_pod_notifies_nobody(private_post):
    pod, author, outsider, post = private_post
    assert not Notification.objects.filter(recipient=outsider).exists()


def test_a_member_who_left_loses_the_posts_at_once(private_post):
    pod, author, outsider, post = private_post
    reader = member_of(pod)
    assert [p.pk for p in feed(user=reader, pod=pod).posts] == [post.pk]
    pod_leave(actor=reader, pod=pod)
    assert feed(user=reader, pod=pod).posts == []


def test_trusted_only_posts_reach_trusted_members_and_stewards_only(private_post, steward):
    pod, author, outsider, post = private_post
    membership_set_rung(actor=steward, pod=pod, member=author, rung="trusted")
    secret = post_create(actor=author, pod=pod, body="For the trusted circle", audience="trusted")
    newcomer = member_of(pod)
    assert secret not in feed(user=newcomer, pod=pod).posts
    assert secret in feed(user=steward, pod=pod).posts
