"""Messages earned on the ladder: who may write, blocks, turning off, limits, reports, live frames, email."""

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.layers import channel_layers, get_channel_layer
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from communities.streams import user_group
from messaging import services
from messaging.models import Conversation, MessageReport
from messaging.selectors import conversation_messages, inbox, unread_conversation_count
from tests.factories import PodFactory, UserFactory, join

pytestmark = pytest.mark.django_db

OLD = timezone.now() - timedelta(days=60)


def member(username, **kw):
    return UserFactory(username=username, date_joined=kw.pop("date_joined", OLD), **kw)


@pytest.fixture
def pod():
    return PodFactory(slug="senior-cats")


@pytest.fixture
def ann(pod):
    user = member("ann")
    join(user, pod, rung="regular")
    return user


@pytest.fixture
def bob(pod):
    user = member("bob")
    join(user, pod, rung="regular")
    return user


def field_error(exc_info, field="to") -> str:
    return " ".join(exc_info.value.message_dict[field])


def test_two_regulars_in_a_shared_pod_may_message_and_unread_counts_follow(ann, bob):
    conversation = services.conversation_start(actor=ann, recipients=[bob], body="Hi **Bob**")
    assert unread_conversation_count(bob) == 1
    assert unread_conversation_count(ann) == 0
    assert [m.body_html.strip() for m in conversation_messages(user=bob, conversation=conversation)] == \
        ["<p>Hi <strong>Bob</strong></p>"]
    services.conversation_read(actor=bob, conversation=conversation)
    assert unread_conversation_count(bob) == 0
    again = services.conversation_start(actor=ann, recipients=[bob], body="Second")
    assert again.pk == conversation.pk  # the pair's conversation continues
    assert [row.unread for row in inbox(user=bob)] == [True]


def test_a_newcomer_may_not_message_a_regular(pod, bob):
    newbie = member("newbie")
    join(newbie, pod, rung="newcomer")
    with pytest.raises(ValidationError) as exc:
        services.conversation_start(actor=newbie, recipients=[bob], body="Hello")
    assert "once you are both regulars in a shared pod" in field_error(exc)
    assert Conversation.objects.count() == 0


def test_regulars_of_different_pods_may_not_message(ann):
    other = member("otto")
    join(other, PodFactory(), rung="trusted")
    with pytest.raises(ValidationError):
        services.conversation_start(actor=ann, recipients=[other], body="Hello")


def test_a_steward_may_message_a_newcomer_of_their_pod(pod):
    steward, newbie = member("stew"), member("newbie")
    join(steward, pod, role="steward")
    join(newbie, pod)
    conversation = services.conversation_start(actor=steward, recipients=[newbie], body="Welcome!")
    assert conversation.participants.count() == 2
    with pytest.raises(ValidationError):  # not the other way round: the newcomer has not earned it
        services.conversation_start(actor=newbie, recipients=[steward], body="A new thread")


def test_turned_off_messages_refuse_members_but_not_a_moderation_matter(ann, bob):
    services.message_settings_update(actor=bob, accepts_messages=False, email_new_messages=True)
    with pytest.raises(ValidationError) as exc:
        services.conversation_start(actor=ann, recipients=[bob], body="Hi")
    assert field_error(exc) == "Bob isn't taking messages right now."
    with pytest.raises(ValidationError) as exc:
        services.conversation_start(actor=ann, recipients=[bob], body="Hi", about_moderation=True)
    assert field_error(exc) == "Only moderators open conversations about moderation."
    manager = member("manny", is_staff=True)
    manager.groups.add(Group.objects.get_or_create(name="Community managers")[0])
    conversation = services.conversation_start(actor=manager, recipients=[bob], body="About your post",
                                               about_moderation=True)
    assert conversation.about_moderation is True


def test_a_block_stops_messages_both_ways_and_hides_the_blocked_members_messages(ann, bob):
    conversation = services.conversation_start(actor=ann, recipients=[bob], body="First")
    services.block_create(actor=bob, member=ann)
    with pytest.raises(ValidationError) as exc:
        services.message_send(actor=ann, conversation=conversation, body="Still there?")
    assert " ".join(exc.value.message_dict["body"]) == "Bob isn't taking messages right now."  # block not named
    with pytest.raises(ValidationError) as exc:
        services.conversation_start(actor=bob, recipients=[ann], body="Hi")
    assert field_error(exc) == "You blocked Ann. Unblock them to send a message."
    assert conversation_messages(user=bob, conversation=conversation) == []
    services.block_remove(actor=bob, member=ann)
    assert len(conversation_messages(user=bob, conversation=conversation)) == 1


def test_groups_hold_at_most_eight_people(pod, ann):
    others = []
    for i in range(8):
        user = member(f"g{i}")
        join(user, pod, rung="regular")
        others.append(user)
    with pytest.raises(ValidationError) as exc:
        services.conversation_start(actor=ann, recipients=others, body="Party")
    assert field_error(exc) == "A conversation holds up to 8 people, you included."
    group = services.conversation_start(actor=ann, recipients=others[:7], body="Party")
    assert group.participants.count() == 8


def test_new_accounts_start_fewer_conversations_a_day(pod):
    fresh = member("fresh", date_joined=timezone.now() - timedelta(days=2))
    join(fresh, pod, role="steward")
    targets = [member(f"t{i}") for i in range(4)]
    for t in targets:
        join(t, pod)
    for t in targets[:3]:
        services.conversation_start(actor=fresh, recipients=[t], body="Welcome")
    with pytest.raises(ValidationError) as exc:
        services.conversation_start(actor=fresh, recipients=[targets[3]], body="Welcome")
    assert field_error(exc).startswith("You can start 3 new conversations a day.")


def test_only_participants_know_a_conversation_managers_included(ann, bob):
    conversation = services.conversation_start(actor=ann, recipients=[bob], body="Private")
    manager = member("boss", is_superuser=True, is_staff=True)
    for outsider in (manager, member("eve")):
        with pytest.raises(Http404):
            services.message_send(actor=outsider, conversation=conversation, body="Let me in")


def test_a_reported_message_is_shown_to_managers_alone(client, ann, bob):
    conversation = services.conversation_start(actor=ann, recipients=[bob], body="Reportable words")
    services.message_send(actor=ann, conversation=conversation, body="Unreported words")
    message = conversation.messages.order_by("pk").first()
    services.message_report(actor=bob, message=message, reason="Rude")
    assert MessageReport.objects.get().message_id == message.pk
    manager = member("boss", is_superuser=True, is_staff=True)
    client.force_login(manager)
    page = client.get("/messages/reports/").content.decode()
    assert "Reportable words" in page and "Unreported words" not in page
    assert client.get(f"/messages/{conversation.pk}/").status_code == 404
    client.force_login(bob)
    assert client.get("/messages/reports/").status_code == 403


def test_a_message_arrives_live_on_the_recipients_personal_stream(ann, bob, django_capture_on_commit_callbacks,
                                                                  settings):
    # One process's layer in memory: the pub/sub Redis layer keeps a channel in the event loop that made it,
    # and each async_to_sync call below runs its own loop (tests/realtime cover the Redis layer).
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(user_group(bob.pk), channel)
    with django_capture_on_commit_callbacks(execute=True):
        conversation = services.conversation_start(actor=ann, recipients=[bob], body="Live hello")
    event = async_to_sync(layer.receive)(channel)
    frame = event["frame"]
    assert frame["type"] == "message.new"
    assert frame["conversation_id"] == conversation.pk
    assert frame["unread"] == 1
    assert "Live hello" in frame["html"]


def test_a_new_message_is_emailed_without_its_text_unless_turned_off(ann, bob, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.conversation_start(actor=ann, recipients=[bob], body="Secret biscuit recipe")
    assert [m.to for m in mail.outbox] == [[bob.email]]
    assert "Ann sent you a message" in mail.outbox[0].body
    assert "Secret biscuit recipe" not in mail.outbox[0].body
    services.message_settings_update(actor=bob, accepts_messages=True, email_new_messages=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.conversation_start(actor=ann, recipients=[bob], body="Another")
    assert len(mail.outbox) == 1


def test_conversation_page_shows_messages_and_a_reply_lands_at_the_field(client, ann, bob):
    conversation = services.conversation_start(actor=ann, recipients=[bob], body="Hello Bob")
    client.force_login(bob)
    page = client.get(f"/messages/{conversation.pk}/")
    assert page.status_code == 200 and "Hello Bob" in page.content.decode()
    empty = client.post(f"/messages/{conversation.pk}/", {"body": "  "})
    assert empty.status_code == 400
    sent = client.post(f"/messages/{conversation.pk}/", {"body": "Hi Ann"})
    assert sent.status_code == 302
    assert conversation.messages.count() == 2


def test_a_block_hides_the_blocked_members_posts_and_comments_from_the_blocker(ann, bob):
    from communities.selectors import feed, post_comments_page
    from communities.services.comments import comment_create
    from communities.services.posts import post_create
    from search.selectors import SearchFilters, search

    mine = post_create(actor=bob, body="Bob's walnut question")
    theirs = post_create(actor=ann, body="Ann's walnut answer")
    comment_create(actor=ann, post=mine, body="Ann walnut comment")
    comment_create(actor=bob, post=mine, body="Bob walnut comment")
    services.block_create(actor=bob, member=ann)
    bob = type(bob).objects.get(pk=bob.pk)
    assert [p.pk for p in feed(user=bob).posts] == [mine.pk]
    assert [c.body for c in post_comments_page(post=mine, user=bob).comments] == ["Bob walnut comment"]
    assert [h.obj.pk for h in search(user=bob, filters=SearchFilters(q="walnut")).hits] == [mine.pk]
    assert search(user=bob, filters=SearchFilters(q="walnut", scope="comments")).counts["comments"] == 1
    # Others still see everything.
    assert sorted(p.pk for p in feed(user=ann).posts) == sorted([mine.pk, theirs.pk])


def test_pages_show_the_unread_badge_and_profiles_offer_message_and_block(client, ann, bob):
    services.conversation_start(actor=ann, recipients=[bob], body="Badge please")
    client.force_login(bob)
    page = client.get("/members/ann/").content.decode()
    assert '<span class="badge" data-message-count >1</span>' in page
    assert 'href="/messages/new/?to=ann"' in page
    assert 'action="/messages/block/ann/"' in page
    assert client.post("/messages/block/ann/").status_code == 302
    assert "Ann" in client.get("/messages/settings/").content.decode()


def test_reading_a_conversation_clears_the_header_badge(client, ann, bob, django_capture_on_commit_callbacks):
    conversation = services.conversation_start(actor=ann, recipients=[bob], body="Read me")
    client.force_login(bob)
    assert 'data-message-count >1</span>' in client.get("/messages/").content.decode()
    client.get(f"/messages/{conversation.pk}/")
    assert 'data-message-count hidden>0</span>' in client.get("/messages/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the badge is dropped after commit
        services.message_send(actor=ann, conversation=conversation, body="And me")
    assert 'data-message-count >1</span>' in client.get("/messages/").content.decode()
