"""Abuse limits on every member action: 429 + Retry-After at the limit, reset at the window boundary,
per member and per IP address, stricter for newcomers. The limiter's clock is controlled."""

from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from communities.models import Comment, Post, Reaction
from microgroups.services.invites import invite_create
from microgroups.services.pods import pod_create
from moderation.models import Report
from petcommunity import ratelimit
from tests.factories import PostFactory, UserFactory, join

pytestmark = pytest.mark.django_db


def post_new(client, body="Hello"):
    return client.post("/posts/new/", {"body": body})


def test_the_eleventh_post_in_ten_minutes_answers_429_with_retry_after_and_the_friendly_page(
        client, established, clock):
    client.force_login(established)
    clock.advance(100)  # 100 s into a 600 s window
    assert [post_new(client, f"Post {i}").status_code for i in range(10)] == [302] * 10
    response = post_new(client, "One too many")
    assert response.status_code == 429
    assert response["Retry-After"] == "500"
    assert "You're doing that too often" in response.content.decode()
    assert "about 9 minutes" in response.content.decode()
    assert Post.objects.filter(author=established).count() == 10


def test_the_window_resets_exactly_at_its_boundary(client, established, clock):
    client.force_login(established)
    for i in range(10):
        post_new(client, f"Post {i}")
    clock.advance(599)
    response = post_new(client, "Still too soon")
    assert response.status_code == 429 and response["Retry-After"] == "1"
    assert "Please wait 1 second;" in response.content.decode()
    clock.advance(1)  # the next window
    assert post_new(client, "Fresh window").status_code == 302
    assert Post.objects.filter(author=established).count() == 11


def test_newcomers_get_the_stricter_rate(client, newcomer, clock):
    client.force_login(newcomer)
    assert [post_new(client, f"Hi {i}").status_code for i in range(5)] == [302, 302, 302, 302, 429]


def test_a_rung_above_newcomer_in_any_pod_lifts_a_young_account_to_the_member_rate(client, newcomer, clock):
    steward = UserFactory()
    pod = pod_create(actor=steward, name="Regulars", charter="Be kind.")
    join(newcomer, pod, rung="regular")
    client.force_login(newcomer)
    assert [post_new(client, f"Hi {i}").status_code for i in range(5)] == [302] * 5


def test_the_newcomer_tier_follows_the_settings(settings, newcomer):
    assert ratelimit.is_newcomer(newcomer) is True
    settings.RATE_LIMIT_NEWCOMER_DAYS = 1
    assert ratelimit.is_newcomer(newcomer) is False


def test_the_address_limit_stops_several_members_sharing_one_ip(client, settings, clock):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "post": {"member": "10/10m", "newcomer": "10/10m", "ip": "3/10m"}}
    first, second = UserFactory(), UserFactory()
    client.force_login(first)
    assert [post_new(client).status_code for _ in range(2)] == [302, 302]
    client.force_login(second)
    assert post_new(client).status_code == 302
    response = post_new(client)
    assert response.status_code == 429 and response["Retry-After"] == "600"
    other_ip = client.post("/posts/new/", {"body": "From home"}, REMOTE_ADDR="203.0.113.9")
    assert other_ip.status_code == 302  # a different address has its own window


def test_ipv6_addresses_share_a_window_per_64_block():
    scope = {"client": ("2001:db8:1:2:aaaa::1", 5000)}
    other = {"client": ("2001:db8:1:2:bbbb::9", 5000)}
    assert ratelimit.client_ip(scope) == ratelimit.client_ip(other) == "2001:db8:1:2::"
    assert ratelimit.client_ip({"client": ("192.0.2.7", 1)}) == "192.0.2.7"


TIGHT = {"member": "2/m", "newcomer": "2/m", "ip": "100/m"}


@pytest.fixture
def tight(settings):
    settings.RATE_LIMITS = {action: TIGHT for action in settings.RATE_LIMITS}
    return settings


def test_comments_are_limited(client, established, tight, clock):
    post = PostFactory()
    client.force_login(established)
    codes = [client.post(f"/posts/{post.pk}/comments/", {"body": f"c{i}"}).status_code for i in range(3)]
    assert codes == [302, 302, 429]
    assert Comment.objects.filter(post=post).count() == 2


def test_reactions_on_posts_and_comments_share_one_limit(client, established, tight, clock):
    post = PostFactory()
    comment = Comment.objects.create(post=post, author=post.author, body="x", body_html="<p>x</p>")
    client.force_login(established)
    assert client.post(f"/posts/{post.pk}/react/", {"kind": "paw"}).status_code == 302
    assert client.post(f"/comments/{comment.pk}/react/", {"kind": "heart"}).status_code == 302
    assert client.post(f"/posts/{post.pk}/react/", {"kind": "hug"}).status_code == 429
    assert Reaction.objects.filter(member=established).count() == 2


def test_reports_are_limited(client, established, tight, clock):
    posts = PostFactory.create_batch(3)
    client.force_login(established)
    codes = [client.post(reverse("moderation:report_post", args=[p.pk]), {"reason": "spam"}).status_code
             for p in posts]
    assert codes == [302, 302, 429]
    assert Report.objects.filter(reporter=established).count() == 2


def test_invite_redemption_attempts_are_limited(client, established, tight, clock):
    steward = UserFactory()
    pod = pod_create(actor=steward, name="Secret", charter="Be kind.", privacy="invite")
    used_up = invite_create(actor=steward, pod=pod, max_uses=1)
    join(UserFactory(), pod)
    used_up.uses = 1
    used_up.save(update_fields=["uses"])
    fresh = invite_create(actor=steward, pod=pod, max_uses=1)
    client.force_login(established)
    form = {"acknowledge": "on", "version": pod.charter_version}
    assert client.post(f"/pods/join/{used_up.code}/", form).status_code == 410
    assert client.post(f"/pods/join/{used_up.code}/", form).status_code == 410
    response = client.post(f"/pods/join/{fresh.code}/", form)  # even a good code waits for the window
    assert response.status_code == 429 and response["Retry-After"] == "60"
    assert not pod.memberships.filter(member=established).exists()
    clock.advance(60)
    assert client.post(f"/pods/join/{fresh.code}/", form).status_code == 302
    assert pod.memberships.filter(member=established, status="active").exists()


def test_pod_posts_count_against_the_same_post_limit(client, established, tight, clock):
    steward = UserFactory()
    pod = pod_create(actor=steward, name="Walkers", charter="Be kind.")
    join(established, pod)
    client.force_login(established)
    assert post_new(client).status_code == 302
    assert client.post(f"/pods/{pod.slug}/post/", {"body": "In the pod", "audience": "everyone"}).status_code == 302
    assert client.post(f"/pods/{pod.slug}/post/", {"body": "Again", "audience": "everyone"}).status_code == 429


def test_htmx_requests_get_a_small_notice_and_json_clients_get_json(client, established, tight, clock):
    post = PostFactory()
    client.force_login(established)
    for _ in range(2):
        client.post(f"/posts/{post.pk}/react/", {"kind": "paw"})
    fragment = client.post(f"/posts/{post.pk}/react/", {"kind": "paw"}, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 429 and fragment["Retry-After"] == "60"
    assert fragment["HX-Reswap"] == "beforebegin"
    body = fragment.content.decode()
    assert body.startswith('<p class="message warning" role="alert">') and "<html" not in body
    assert "about 1 minute" in body
    as_json = client.post(f"/posts/{post.pk}/react/", {"kind": "paw"}, HTTP_ACCEPT="application/json")
    assert as_json.status_code == 429
    assert as_json.json() == {"error": "rate_limited", "retry_after": 60}


def test_reading_is_never_limited(client, established, tight, clock):
    post = PostFactory()
    client.force_login(established)
    assert {client.get(f"/posts/{post.pk}/").status_code for _ in range(5)} == {200}


def test_limits_can_be_switched_off(client, established, tight, clock):
    tight.RATE_LIMITS_ENABLED = False
    client.force_login(established)
    assert {post_new(client, f"p{i}").status_code for i in range(5)} == {302}


def test_a_cache_outage_lets_members_through_rather_than_refusing_everyone(client, established, tight, clock):
    client.force_login(established)
    with mock.patch("petcommunity.ratelimit.cache.incr", side_effect=ConnectionError("redis down")):
        assert {post_new(client, f"p{i}").status_code for i in range(4)} == {302}


def test_every_limited_view_name_resolves_and_names_a_configured_action(settings):
    for view_name, action in settings.RATE_LIMITED_VIEWS.items():
        assert action in settings.RATE_LIMITS
        args = {"communities:post_new": []}.get(view_name, ["1"])
        assert reverse(view_name, args=args)
    for rates in settings.RATE_LIMITS.values():
        assert {"member", "newcomer", "ip"} <= set(rates)
        for spec in rates.values():
            assert ratelimit.Rate.parse(spec).amount > 0


def test_rate_specs_parse_with_counted_units():
    assert ratelimit.Rate.parse("10/10m") == ratelimit.Rate(10, 600)
    assert ratelimit.Rate.parse("5/h") == ratelimit.Rate(5, 3600)
    assert ratelimit.Rate.parse("3/30s") == ratelimit.Rate(3, 30)


def test_a_young_member_who_stewards_a_pod_is_not_a_newcomer(newcomer):
    pod_create(actor=newcomer, name="Mine", charter="Be kind.")
    newcomer.refresh_from_db()
    assert ratelimit.is_newcomer(newcomer) is False
    assert ratelimit.is_newcomer(UserFactory(date_joined=timezone.now() - timedelta(days=8))) is False
