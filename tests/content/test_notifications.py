import pytest
from django.core import mail
from django.urls import reverse

from communities.models import Notification
from communities.services.comments import comment_create
from communities.services.notifications import notification_create, notification_preferences_update
from communities.services.posts import post_create, post_delete
from communities.streams import user_group
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_muted_kinds_create_nothing(member, other):
    notification_preferences_update(actor=member, muted_kinds=["reply"], email_kinds=[], announcement_emails=True)
    post = post_create(actor=member, body="Q", audience="everyone")
    comment_create(actor=other, post=post, body="A")
    assert Notification.objects.count() == 0


def test_email_is_sent_after_commit_for_kinds_turned_on(member, other, django_capture_on_commit_callbacks):
    notification_preferences_update(actor=member, muted_kinds=[], email_kinds=["reply"], announcement_emails=False)
    post = post_create(actor=member, body="Q", audience="everyone")
    with django_capture_on_commit_callbacks(execute=True):
        comment_create(actor=other, post=post, body="A")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [member.email] and "Ben commented on your post" in mail.outbox[0].subject
    comment = post.comments.get()
    assert f"/posts/{post.pk}/?comment={comment.pk}#comment-{comment.pk}" in mail.outbox[0].body
    assert Notification.objects.get().emailed_at is not None


def test_email_task_rechecks_that_the_content_is_still_readable(member, other):
    from communities.services.notification_emails import notification_email_send

    notification_preferences_update(actor=member, muted_kinds=[], email_kinds=["mention"], announcement_emails=False)
    post = post_create(actor=other, body="hey @maya", audience="everyone")  # not executed on commit here
    post_delete(actor=other, post=post)
    notification = Notification.objects.get(kind="mention")
    assert notification_email_send(notification_id=notification.pk) is False
    assert mail.outbox == []


def test_unread_count_is_pushed_to_the_personal_stream(member, listen, django_capture_on_commit_callbacks):
    listener = listen(user_group(member.pk))
    with django_capture_on_commit_callbacks(execute=True):
        notification_create(recipient=member, kind="follow", verb="Ben started following you")
        notification_create(recipient=member, kind="follow", verb="Cara started following you")
    assert listener.frames() == [{"type": "notify", "unread": 1}, {"type": "notify", "unread": 2}]


def test_notifications_page_costs_the_same_for_3_and_30(client, member, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    actors = [UserFactory() for _ in range(30)]
    for a in actors[:3]:
        notification_create(recipient=member, kind="follow", actor=a, verb=f"{a.name} followed you", url="/")
    client.force_login(member)
    client.get(reverse("communities:notifications"))  # warm up per-session writes
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("communities:notifications"))
    for a in actors[3:]:
        notification_create(recipient=member, kind="follow", actor=a, verb=f"{a.name} followed you", url="/")
    with django_assert_num_queries(len(ctx.captured_queries)):
        response = client.get(reverse("communities:notifications"))
    import re

    assert len(re.findall(rb'id="notification-\d+"', response.content)) == 30


def test_mark_all_read_and_open_one(client, member, other):
    n = notification_create(recipient=member, kind="follow", verb="Ben started following you", url="/members/ben/")
    notification_create(recipient=member, kind="follow", verb="x", url="/")
    client.force_login(other)
    assert client.get(reverse("communities:notification_open", args=[n.pk])).status_code == 404
    client.force_login(member)
    response = client.get(reverse("communities:notification_open", args=[n.pk]))
    assert response["Location"] == "/members/ben/"
    assert Notification.objects.filter(read_at__isnull=True).count() == 1
    client.post(reverse("communities:notifications_read"))
    assert Notification.objects.filter(read_at__isnull=True).count() == 0


def test_preferences_form_saves_per_kind_choices(client, member):
    client.force_login(member)
    data = {f"inapp_{k}": "on" for k in ["reply", "mention", "follow", "announcement", "pod", "moderation"]}
    data.update({"email_mention": "on", "email_reply": "on"})
    response = client.post(reverse("communities:notification_preferences"), data)
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.muted_notification_kinds == ["reaction"]
    assert member.email_notification_kinds == ["mention", "reply"]
    assert member.announcement_emails is False
    page = client.get(reverse("communities:notifications")).content.decode()
    assert 'name="email_mention" id="id_email_mention" checked' in page or "checked" in page
