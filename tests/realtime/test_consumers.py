"""Websocket streams through the real ASGI stack: subscribe checks, frames, and stopping frames."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.db import transaction
from django.utils import timezone

from communities import streams
from communities.services.comments import comment_create
from communities.services.posts import post_create, post_delete
from messaging.services import block_create, block_remove
from microgroups.models import Membership, Pod
from moderation.scopes import scope_for_pod
from moderation.services.actions import item_approve
from moderation.services.queue import queue_item_open
from tests.factories import PodFactory, PostFactory, UserFactory, join

from .conftest import communicator, session_cookie_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_memory_layer")]


def run(coro_fn):
    return async_to_sync(coro_fn)()


async def connected(path, user=None):
    session = None
    if user is not None:
        _, session = await database_sync_to_async(session_cookie_for)(user)
    comm = communicator(path, session=session)
    ok, code = await comm.connect()
    assert ok, f"handshake refused with {code}"
    return comm


async def refused(path, user=None, **kwargs) -> int:
    session = None
    if user is not None:
        _, session = await database_sync_to_async(session_cookie_for)(user)
    comm = communicator(path, session=session, **kwargs)
    ok, code = await comm.connect()
    assert not ok
    # Let the consumer finish inside this loop: a task still pending when async_to_sync closes the loop
    # would be cancelled there, and its thread-sensitive database call would wait on this very thread.
    await comm.disconnect()
    return code


def test_anonymous_visitor_hears_new_commons_posts_rendered_as_the_page_card():
    author = UserFactory()

    async def scenario():
        comm = await connected("/ws/feed/commons/")
        post = await database_sync_to_async(post_create)(actor=author, body="Live hello from the Commons")
        frame = await comm.receive_json_from(timeout=1)
        assert frame["type"] == "post.new"
        assert frame["id"] == post.pk
        assert f'id="post-{post.pk}"' in frame["html"]
        assert "Live hello from the Commons" in frame["html"]
        await comm.disconnect()

    run(scenario)


def test_deleted_post_disappears_from_open_feeds():
    author = UserFactory()
    post = post_create(actor=author, body="Soon gone")

    async def scenario():
        comm = await connected("/ws/feed/commons/")
        await database_sync_to_async(post_delete)(actor=author, post=post)
        assert await comm.receive_json_from(timeout=1) == {"type": "post.remove", "id": post.pk}
        await comm.disconnect()

    run(scenario)


def test_a_rolled_back_transaction_sends_nothing():
    author = UserFactory()

    def write_then_fail():
        with pytest.raises(RuntimeError), transaction.atomic():
            post_create(actor=author, body="Never happened")
            raise RuntimeError("boom")

    async def scenario():
        comm = await connected("/ws/feed/commons/")
        await database_sync_to_async(write_then_fail)()
        assert await comm.receive_nothing(timeout=0.3)
        await comm.disconnect()

    run(scenario)


def test_subscribing_to_a_request_only_pod_needs_membership():
    pod = PodFactory(privacy=Pod.Privacy.REQUEST)
    member, outsider = UserFactory(), UserFactory()
    join(member, pod)
    path = f"/ws/feed/pod/{pod.slug}/"

    async def scenario():
        assert await refused(path) == 4403
        assert await refused(path, outsider) == 4403
        assert await refused("/ws/feed/pod/no-such-pod/", member) == 4403
        comm = await connected(path, member)
        await comm.disconnect()

    run(scenario)


def test_unlisted_pod_and_queue_and_personal_streams_refuse_the_wrong_people():
    pod = PodFactory(privacy=Pod.Privacy.INVITE, is_unlisted=True)
    member = UserFactory()

    async def scenario():
        assert await refused(f"/ws/feed/pod/{pod.slug}/", member) == 4403
        assert await refused("/ws/moderation/queue/", member) == 4403
        assert await refused("/ws/moderation/queue/") == 4403
        assert await refused("/ws/me/") == 4403

    run(scenario)


def test_a_foreign_origin_is_refused():
    async def scenario():
        comm = communicator("/ws/feed/commons/", origin="https://evil.example")
        ok, _ = await comm.connect()
        assert not ok
        await comm.disconnect()

    run(scenario)


def test_trusted_only_posts_reach_trusted_members_only():
    pod = PodFactory(privacy=Pod.Privacy.REQUEST)
    trusted, newcomer = UserFactory(), UserFactory()
    join(trusted, pod, rung="trusted")
    join(newcomer, pod)
    path = f"/ws/feed/pod/{pod.slug}/"

    async def scenario():
        t_sock, n_sock = await connected(path, trusted), await connected(path, newcomer)
        secret = await database_sync_to_async(post_create)(actor=trusted, pod=pod, body="Trusted eyes only",
                                                           audience="trusted")
        frame = await t_sock.receive_json_from(timeout=1)
        assert (frame["type"], frame["id"]) == ("post.new", secret.pk)
        assert await n_sock.receive_nothing(timeout=0.3)
        public = await database_sync_to_async(post_create)(actor=trusted, pod=pod, body="Hello pod")
        assert (await n_sock.receive_json_from(timeout=1))["id"] == public.pk
        assert (await t_sock.receive_json_from(timeout=1))["id"] == public.pk
        await t_sock.disconnect()
        await n_sock.disconnect()

    run(scenario)


def leave(member, pod, status=Membership.Status.LEFT):
    """What the pods' leave/remove/ban services do: end the membership, then stop the member's frames."""
    with transaction.atomic():
        Membership.objects.filter(pod=pod, member=member).update(status=status, ended_at=timezone.now())
        streams.close_streams(member.pk, groups=[streams.pod_group(pod.pk)])


@pytest.mark.parametrize("status", [Membership.Status.LEFT, Membership.Status.REMOVED, Membership.Status.BANNED])
def test_leaving_or_removal_from_a_request_pod_closes_the_socket_within_a_second(status):
    pod = PodFactory(privacy=Pod.Privacy.REQUEST)
    member, author = UserFactory(), UserFactory()
    join(member, pod)
    join(author, pod)

    async def scenario():
        comm = await connected(f"/ws/feed/pod/{pod.slug}/", member)
        await database_sync_to_async(leave)(member, pod, status)
        closed = await comm.receive_output(timeout=1)
        assert closed == {"type": "websocket.close", "code": 4403, "reason": None} or closed["code"] == 4403
        await database_sync_to_async(post_create)(actor=author, pod=pod, body="After you left")
        assert await comm.receive_nothing(timeout=0.3)

    run(scenario)


def test_removed_trusted_member_of_an_open_pod_keeps_public_frames_but_loses_trusted_ones():
    pod = PodFactory(privacy=Pod.Privacy.OPEN)
    member, steward = UserFactory(), UserFactory()
    join(member, pod, rung="trusted")
    join(steward, pod, role="steward")

    async def scenario():
        comm = await connected(f"/ws/feed/pod/{pod.slug}/", member)
        await database_sync_to_async(leave)(member, pod, Membership.Status.REMOVED)
        await database_sync_to_async(post_create)(actor=steward, pod=pod, body="Stewards' note", audience="trusted")
        assert await comm.receive_nothing(timeout=0.3)
        public = await database_sync_to_async(post_create)(actor=steward, pod=pod, body="Open to all")
        assert (await comm.receive_json_from(timeout=1))["id"] == public.pk
        await comm.disconnect()

    run(scenario)


def test_promotion_to_trusted_joins_the_trusted_group_without_reconnecting():
    pod = PodFactory(privacy=Pod.Privacy.REQUEST)
    member, steward = UserFactory(), UserFactory()
    join(member, pod)
    join(steward, pod, role="steward")

    def promote():
        with transaction.atomic():
            Membership.objects.filter(pod=pod, member=member).update(rung="trusted")
            streams.refresh_streams(member.pk)

    async def scenario():
        comm = await connected(f"/ws/feed/pod/{pod.slug}/", member)
        await database_sync_to_async(promote)()
        await comm.receive_nothing(timeout=0.2)  # let the socket re-check before the post arrives
        post = await database_sync_to_async(post_create)(actor=steward, pod=pod, body="For trusted", audience="trusted")
        assert (await comm.receive_json_from(timeout=1))["id"] == post.pk
        await comm.disconnect()

    run(scenario)


def test_logout_closes_that_sessions_sockets_but_not_other_sessions():
    member = UserFactory()

    async def scenario():
        client, session = await database_sync_to_async(session_cookie_for)(member)
        _, other_session = await database_sync_to_async(session_cookie_for)(member)
        this_browser = communicator("/ws/feed/commons/", session=session)
        other_browser = communicator("/ws/feed/commons/", session=other_session)
        assert (await this_browser.connect())[0] and (await other_browser.connect())[0]
        response = await database_sync_to_async(client.post)("/accounts/logout/")
        assert response.status_code == 302
        assert (await this_browser.receive_output(timeout=1))["code"] == 4401
        assert await other_browser.receive_nothing(timeout=0.3)
        author = await database_sync_to_async(UserFactory)()
        await database_sync_to_async(post_create)(actor=author, body="Still live elsewhere")
        assert (await other_browser.receive_json_from(timeout=1))["type"] == "post.new"
        await other_browser.disconnect()

    run(scenario)


def test_suspension_closes_every_socket_and_refuses_new_ones():
    from communities.services.accounts import member_suspend

    member, manager = UserFactory(), UserFactory(is_staff=True, is_superuser=True)

    async def scenario():
        feed, me = await connected("/ws/feed/commons/", member), await connected("/ws/me/", member)
        await database_sync_to_async(member_suspend)(actor=manager, member=member, days=3)
        assert (await feed.receive_output(timeout=1))["code"] == 4401
        assert (await me.receive_output(timeout=1))["code"] == 4401
        assert await refused("/ws/me/", member) == 4403

    run(scenario)


def test_deleting_an_account_closes_its_sockets():
    from communities.services.accounts import account_delete

    member = UserFactory()

    async def scenario():
        feed = await connected("/ws/feed/commons/", member)
        await database_sync_to_async(account_delete)(actor=member)
        assert (await feed.receive_output(timeout=1))["code"] == 4401

    run(scenario)


def test_revoked_steward_loses_the_moderation_queue_stream():
    pod = PodFactory()
    steward = UserFactory()
    join(steward, pod, role="steward")

    def revoke():
        with transaction.atomic():
            Membership.objects.filter(pod=pod, member=steward).update(role="member")
            streams.close_streams(steward.pk, groups=[streams.moderation_queue_group(steward.pk)])

    async def scenario():
        queue = await connected("/ws/moderation/queue/", steward)
        await database_sync_to_async(streams.broadcast)(
            [streams.moderation_queue_group(steward.pk)], {"type": "queue.new", "id": 7, "html": "<li>x</li>"})
        assert (await queue.receive_json_from(timeout=1))["id"] == 7
        await database_sync_to_async(revoke)()
        assert (await queue.receive_output(timeout=1))["code"] == 4403

    run(scenario)


def test_a_feed_socket_drops_new_posts_and_comments_of_members_its_member_blocked():
    """The pages hide a blocked member's posts and comments from the blocker; so does their open feed,
    from the moment the block commits, and it hears that member again once unblocked."""
    me, them, other = UserFactory(), UserFactory(), UserFactory()
    thread = post_create(actor=other, body="A thread")

    async def scenario():
        feed = await connected("/ws/feed/commons/", me)
        await database_sync_to_async(block_create)(actor=me, member=them)
        await database_sync_to_async(post_create)(actor=them, body="Not for the blocker")
        await database_sync_to_async(comment_create)(actor=them, post=thread, body="Nor this reply")
        heard = await database_sync_to_async(post_create)(actor=other, body="Still heard")
        frame = await feed.receive_json_from(timeout=1)
        assert (frame["type"], frame["id"], frame["author_id"]) == ("post.new", heard.pk, other.pk)
        assert await feed.receive_nothing(timeout=0.3)
        await database_sync_to_async(block_remove)(actor=me, member=them)
        again = await database_sync_to_async(post_create)(actor=them, body="Heard again")
        frame = await feed.receive_json_from(timeout=1)
        assert (frame["type"], frame["id"]) == ("post.new", again.pk)
        await feed.disconnect()

    run(scenario)


def test_personal_frames_reach_the_personal_stream_only():
    member = UserFactory()

    async def scenario():
        me, feed = await connected("/ws/me/", member), await connected("/ws/feed/commons/", member)
        await database_sync_to_async(streams.broadcast)([streams.user_group(member.pk)], {"type": "notify",
                                                                                           "unread": 3})
        assert await me.receive_json_from(timeout=1) == {"type": "notify", "unread": 3}
        assert await feed.receive_nothing(timeout=0.3)
        await me.disconnect()
        await feed.disconnect()

    run(scenario)


def test_a_close_sent_through_broadcast_is_honoured_and_never_relayed():
    pod = PodFactory(privacy=Pod.Privacy.REQUEST)
    member = UserFactory()
    join(member, pod)

    def remove():
        with transaction.atomic():
            Membership.objects.filter(pod=pod, member=member).update(status="removed")
            streams.broadcast([streams.user_group(member.pk)],
                              {"type": "stream.close", "group": streams.pod_group(pod.pk)})

    async def scenario():
        comm = await connected(f"/ws/feed/pod/{pod.slug}/", member)
        await database_sync_to_async(remove)()
        assert (await comm.receive_output(timeout=1))["type"] == "websocket.close"

    run(scenario)


def test_ping_gets_pong():
    async def scenario():
        comm = await connected("/ws/feed/commons/")
        await comm.send_json_to({"type": "ping"})
        assert await comm.receive_json_from(timeout=1) == {"type": "pong"}
        await comm.disconnect()

    run(scenario)


def test_queue_frames_carry_the_moderators_own_count():
    """The badge and the list's total move with the list: each queue frame carries the count the badge's
    own query gives this moderator at that moment."""
    pod = PodFactory()
    steward, author = UserFactory(), UserFactory()
    join(steward, pod, role="steward", rung="trusted")
    join(author, pod)

    def hold():
        post = PostFactory(pod=pod, author=author, status="held")
        return queue_item_open(kind="held", scope=scope_for_pod(pod), subject=author, post=post)[0]

    async def scenario():
        queue = await connected("/ws/moderation/queue/", steward)
        first = await database_sync_to_async(hold)()
        frame = await queue.receive_json_from(timeout=1)
        assert (frame["type"], frame["id"], frame["queue_count"]) == ("queue.new", first.pk, 1)
        second = await database_sync_to_async(hold)()
        assert (await queue.receive_json_from(timeout=1))["queue_count"] == 2
        await database_sync_to_async(item_approve)(actor=steward, item_id=first.pk)
        frame = await queue.receive_json_from(timeout=1)
        assert (frame["type"], frame["id"], frame["queue_count"]) == ("queue.remove", first.pk, 1)
        assert second.pk != first.pk
        await queue.disconnect()

    run(scenario)
