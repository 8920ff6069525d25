"""The navigation bar is cached per member (communities.navcache): each write that changes it shows on the
next page, a warm page asks the database nothing for it, and no member is ever shown another's bar."""

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from communities.context_processors import nav
from communities.models import ContentStatus, User
from communities.services.notifications import (
    notification_create,
    notification_mark_all_read,
    notification_mark_read,
)
from messaging import services as messaging
from moderation.scopes import COMMONS, scope_for_pod
from moderation.services.actions import item_approve
from moderation.services.assignments import moderator_assign, moderator_revoke
from moderation.services.queue import queue_item_open
from tests.factories import PodFactory, PostFactory, UserFactory, join

pytestmark = pytest.mark.django_db

# The badges as base.html renders them.
UNREAD = 'data-unread-count {}>{}</span>'
QUEUE = "data-queue-count{}>{}</span>"
MESSAGES = "data-message-count {}>{}</span>"


def unread(n: int) -> str:
    return UNREAD.format("" if n else "hidden", n)


def queue(n: int) -> str:
    return QUEUE.format("" if n else " hidden", n)


def messages(n: int) -> str:
    return MESSAGES.format("" if n else "hidden", n)


def page(client, user) -> str:
    client.force_login(user)
    return client.get("/accounts/password/change/").content.decode()


def fresh_nav(user) -> dict:
    """The bar as a new request computes it: a user object with no memoised roles."""
    request = RequestFactory().get("/")
    request.user = User.objects.get(pk=user.pk)
    return dict(nav(request)["nav"])


@pytest.fixture
def steward(db):
    pod = PodFactory(name="Reactive dogs", slug="reactive-dogs")
    user = UserFactory(username="steward")
    join(user, pod, rung="trusted", role="steward")
    return user


def held_post(pod):
    author = UserFactory()
    join(author, pod)
    post = PostFactory(pod=pod, author=author, status=ContentStatus.HELD)
    return queue_item_open(kind="held", scope=scope_for_pod(pod), subject=author, post=post)[0]


def test_a_new_notification_raises_the_badge_at_once_and_reading_lowers_it(
        client, member, other, django_capture_on_commit_callbacks):
    assert unread(0) in page(client, member)  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        first = notification_create(recipient=member, kind="follow", verb="Ben followed you", actor=other)
        notification_create(recipient=member, kind="reply", verb="Ben replied", actor=other)
    assert unread(2) in page(client, member)
    with django_capture_on_commit_callbacks(execute=True):
        notification_mark_read(actor=member, notification=first)
    assert unread(1) in page(client, member)
    with django_capture_on_commit_callbacks(execute=True):
        notification_mark_all_read(actor=member)
    assert unread(0) in page(client, member)


def test_the_bar_changes_when_the_write_commits(member, other, django_capture_on_commit_callbacks):
    assert fresh_nav(member)["unread_count"] == 0
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification_create(recipient=member, kind="follow", verb="Ben followed you", actor=other)
    # Until the write commits, pages keep the cached bar (the count it read is the committed one).
    assert callbacks and fresh_nav(member)["unread_count"] == 0
    for callback in callbacks:
        callback()
    assert fresh_nav(member)["unread_count"] == 1


def test_a_message_raises_the_messages_badge_and_reading_lowers_it(
        client, member, other, django_capture_on_commit_callbacks):
    pod = PodFactory(slug="senior-cats")
    join(member, pod, rung="regular")
    join(other, pod, rung="regular")
    assert messages(0) in page(client, member)
    with django_capture_on_commit_callbacks(execute=True):
        conversation = messaging.conversation_start(actor=other, recipients=[member], body="Hello Maya")
    assert messages(1) in page(client, member)
    messaging.conversation_read(actor=member, conversation=conversation)
    assert messages(0) in page(client, member)


def test_a_held_post_raises_a_moderators_queue_badge_and_a_decision_lowers_it(
        client, steward, member, django_capture_on_commit_callbacks):
    pod = steward.pod_memberships.get().pod
    assert queue(0) in page(client, steward)
    assert fresh_nav(member)["queue_count"] == 0  # a member's entry, cached before the hold
    with django_capture_on_commit_callbacks(execute=True):
        item = held_post(pod)
    assert queue(1) in page(client, steward)
    assert fresh_nav(member) == {"is_member": True, "is_manager": False, "is_moderator": False,
                                 "unread_count": 0, "queue_count": 0, "message_count": 0}
    with django_capture_on_commit_callbacks(execute=True):
        item_approve(actor=User.objects.get(pk=steward.pk), item_id=item.pk)
    assert queue(0) in page(client, steward)


def test_assigning_and_revoking_a_moderator_shows_on_their_next_page(
        client, member, manager, django_capture_on_commit_callbacks):
    assert "data-queue-count" not in page(client, member)
    with django_capture_on_commit_callbacks(execute=True):
        assignment = moderator_assign(actor=manager, member=User.objects.get(pk=member.pk), scope=COMMONS)
    assert queue(0) in page(client, member)
    with django_capture_on_commit_callbacks(execute=True):
        moderator_revoke(actor=manager, assignment=assignment)
    assert "data-queue-count" not in page(client, member)


def test_the_manager_flag_set_in_the_admin_shows_at_once(member, django_capture_on_commit_callbacks):
    from django.contrib.auth.models import Group

    assert fresh_nav(member)["is_manager"] is False
    user = User.objects.get(pk=member.pk)
    with django_capture_on_commit_callbacks(execute=True):
        user.is_staff = True
        user.save()
        user.groups.add(Group.objects.get_or_create(name="Community managers")[0])
    assert fresh_nav(member)["is_manager"] is True
    with django_capture_on_commit_callbacks(execute=True):
        Group.objects.get(name="Community managers").user_set.clear()
    assert fresh_nav(member)["is_manager"] is False
    with django_capture_on_commit_callbacks(execute=True):
        user = User.objects.get(pk=member.pk)
        user.is_superuser = True
        user.save(update_fields=["is_superuser"])
    assert fresh_nav(member)["is_manager"] is True


def test_making_and_unmaking_a_steward_shows_on_their_next_page(member, steward,
                                                                 django_capture_on_commit_callbacks):
    from microgroups.services.pods import membership_set_role

    pod = steward.pod_memberships.get().pod
    join(member, pod, rung="trusted")
    assert fresh_nav(member)["is_moderator"] is False
    with django_capture_on_commit_callbacks(execute=True):
        membership_set_role(actor=User.objects.get(pk=steward.pk), pod=pod, member=User.objects.get(pk=member.pk),
                            role="steward")
    assert fresh_nav(member)["is_moderator"] is True
    with django_capture_on_commit_callbacks(execute=True):
        membership_set_role(actor=User.objects.get(pk=steward.pk), pod=pod, member=User.objects.get(pk=member.pk),
                            role="member")
    assert fresh_nav(member)["is_moderator"] is False


def test_a_warm_page_asks_the_database_nothing_for_the_bar(client, member, django_assert_num_queries):
    client.force_login(member)
    with CaptureQueriesContext(connection) as cold:
        client.get("/accounts/password/change/")
    nav_tables = ("communities_notification", "messaging_participant", "moderation_moderatorassignment")
    assert [t for t in nav_tables if any(t in q["sql"] for q in cold.captured_queries)] == list(nav_tables)
    # A warm page of this kind asks nothing: the session, the member and the bar come from the caches.
    with django_assert_num_queries(0) as warm:
        client.get("/accounts/password/change/")
    assert not [q for q in warm.captured_queries if any(t in q["sql"] for t in nav_tables)]
    assert len(cold.captured_queries) > 1


def test_the_bar_itself_costs_no_query_when_warm(member, django_assert_num_queries):
    assert fresh_nav(member)["unread_count"] == 0
    request = RequestFactory().get("/")
    request.user = User.objects.get(pk=member.pk)
    with django_assert_num_queries(0):
        assert dict(nav(request)["nav"])["is_member"] is True


def test_a_member_never_gets_another_members_bar(client, member, other, manager, steward,
                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification_create(recipient=other, kind="follow", verb="Maya followed you", actor=member)
        notification_create(recipient=other, kind="follow", verb="Boss followed you", actor=manager)
        held_post(steward.pod_memberships.get().pod)
    bars = {u.username: fresh_nav(u) for u in (member, other, manager, steward)}
    again = {u.username: fresh_nav(u) for u in (member, other, manager, steward)}  # from the cache now
    assert again == bars
    assert {name: (bar["unread_count"], bar["is_manager"], bar["is_moderator"], bar["queue_count"])
            for name, bar in again.items()} == {
        "maya": (0, False, False, 0), "ben": (2, False, False, 0), "boss": (0, True, True, 1),
        "steward": (0, False, True, 1)}
    body = page(client, member)
    assert unread(0) in body and "data-queue-count" not in body
