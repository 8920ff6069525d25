from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from PIL import Image

from communities.models import ContentStatus, Notification, Post, PostRevision, Tag
from communities.services import posts as post_services
from communities.services.posts import post_create, post_delete, post_edit
from communities.streams import COMMONS_GROUP, pod_group
from moderation.checks import CheckOutcome, ContentBlocked
from tests.factories import PodFactory, TagFactory, UserFactory, join

from .conftest import image_upload

pytestmark = pytest.mark.django_db


def test_post_create_renders_markdown_once_and_turns_hashtags_into_topics(member):
    TagFactory(kind=Tag.Kind.SPECIES, slug="cat", name="Cat")
    post = post_create(actor=member, body="**Luna** is home! #cat #SeniorCare <script>x</script>",
                       audience="everyone")
    assert "<strong>Luna</strong>" in post.body_html
    assert "<script>" not in post.body_html
    assert sorted((t.kind, t.slug) for t in post.tags.all()) == [("species", "cat"), ("topic", "cat"),
                                                                 ("topic", "seniorcare")]
    assert post.status == ContentStatus.PUBLISHED


def test_post_create_broadcasts_the_card_after_commit(member, listen, django_capture_on_commit_callbacks):
    listener = listen(COMMONS_GROUP)
    with django_capture_on_commit_callbacks(execute=True):
        post = post_create(actor=member, body="Hello Commons", audience="everyone")
    frames = listener.frames()
    assert [f["type"] for f in frames] == ["post.new"]
    assert frames[0]["id"] == post.pk
    assert f'id="post-{post.pk}"' in frames[0]["html"] and "Hello Commons" in frames[0]["html"]


def test_post_create_refuses_empty_body_and_trusted_audience_in_the_commons(member):
    with pytest.raises(ValidationError) as exc:
        post_create(actor=member, body="   ", audience="everyone")
    assert "body" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        post_create(actor=member, body="hi", audience="trusted")
    assert "audience" in exc.value.error_dict
    assert Post.objects.count() == 0


def test_suspended_member_cannot_post(member):
    member.suspended_until = timezone.now() + timedelta(days=1)
    with pytest.raises(PermissionDenied):
        post_create(actor=member, body="hi", audience="everyone")


def test_blocked_text_is_not_saved(member, monkeypatch):
    def block(**kwargs):
        raise ContentBlocked("No selling puppies here (rule: no sales).")

    monkeypatch.setattr(post_services, "content_check", block)
    with pytest.raises(ValidationError):
        post_create(actor=member, body="Puppies for sale", audience="everyone")
    assert Post.objects.count() == 0


def test_held_post_is_saved_held_and_not_broadcast(member, monkeypatch, listen, django_capture_on_commit_callbacks):
    seen = {}

    def hold(**kwargs):
        seen.update(kwargs)
        return CheckOutcome(status="held", body=kwargs["body"].replace("darn", "d**n"))

    monkeypatch.setattr(post_services, "content_check", hold)
    listener = listen(COMMONS_GROUP)
    with django_capture_on_commit_callbacks(execute=True):
        post = post_create(actor=member, body="darn it, see https://example.com", audience="everyone")
    assert post.status == ContentStatus.HELD
    assert post.body == "d**n it, see https://example.com"
    assert seen["kind"] == "post" and seen["has_links"] is True and seen["pod"] is None
    assert listener.frames() == []


def test_pod_post_needs_membership_and_moves_pod_counters(member, other):
    pod = PodFactory(privacy="request")
    with pytest.raises(PermissionDenied):  # a listed pod: non-members may know it, not post in it (403)
        post_create(actor=other, pod=pod, body="let me in", audience="everyone")
    join(member, pod)
    post = post_create(actor=member, pod=pod, body="Hi pod", audience="everyone")
    pod.refresh_from_db()
    assert pod.post_count == 1 and pod.last_post_at == post.created_at


def test_trusted_pod_post_is_broadcast_to_the_trusted_group_only(member, listen, django_capture_on_commit_callbacks):
    pod = PodFactory()
    join(member, pod, rung="trusted")
    everyone, trusted = listen(pod_group(pod.pk)), listen(pod_group(pod.pk, trusted=True))
    with django_capture_on_commit_callbacks(execute=True):
        post_create(actor=member, pod=pod, body="Just us", audience="trusted")
    assert everyone.frames() == []
    assert [f["type"] for f in trusted.frames()] == ["post.new"]


def test_mentions_notify_only_members_who_can_read_the_post(member):
    reader = UserFactory(username="reader")
    UserFactory(username="outsider")
    pod = PodFactory(privacy="request")
    join(member, pod)
    join(reader, pod)
    post_create(actor=member, pod=pod, body="@reader and @outsider and @nobody look", audience="everyone")
    assert list(Notification.objects.values_list("recipient__username", "kind")) == [("reader", "mention")]


def test_images_are_reencoded_without_exif(member):
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # camera make; a GPS block would be stripped the same way
    post = post_create(actor=member, body="Look", audience="everyone",
                       images=[image_upload(exif=exif.tobytes())], image_alt="A ginger cat")
    image = post.images.get()
    assert (image.width, image.height, image.alt) == (64, 48, "A ginger cat")
    with Image.open(image.image.path) as saved:
        assert dict(saved.getexif()) == {}


def test_oversize_and_non_image_uploads_are_refused(member, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError) as exc:
        post_create(actor=member, body="x", audience="everyone",
                    images=[SimpleUploadedFile("a.jpg", b"not an image", content_type="image/jpeg")])
    assert "not an image" in exc.value.error_dict["images"][0].message
    settings.POST_IMAGE_MAX_BYTES = 100
    with pytest.raises(ValidationError) as exc:
        post_create(actor=member, body="x", audience="everyone", images=[image_upload()])
    assert "the limit is 100 bytes" in exc.value.error_dict["images"][0].message
    assert Post.objects.count() == 0


def test_edit_within_window_keeps_history_and_notifies_new_mentions_only(member):
    UserFactory(username="ben")
    UserFactory(username="ana")
    post = post_create(actor=member, body="First @ben", audience="everyone")
    post_edit(actor=member, post=post, body="Second @ben @ana #walks")
    post.refresh_from_db()
    assert post.body == "Second @ben @ana #walks" and post.edited_at is not None
    assert list(PostRevision.objects.filter(post=post).values_list("body", flat=True)) == ["First @ben"]
    assert sorted(Notification.objects.values_list("recipient__username", flat=True)) == ["ana", "ben"]
    assert list(post.tags.values_list("slug", flat=True)) == ["walks"]


def test_edit_is_refused_after_the_window_and_for_others(member, other, settings):
    post = post_create(actor=member, body="Hi", audience="everyone")
    with pytest.raises(PermissionDenied):
        post_edit(actor=other, post=post, body="hacked")
    Post.objects.filter(pk=post.pk).update(
        created_at=timezone.now() - timedelta(minutes=settings.POST_EDIT_WINDOW_MINUTES + 1))
    post.refresh_from_db()
    with pytest.raises(PermissionDenied):
        post_edit(actor=member, post=post, body="late")


def test_delete_by_author_hides_the_post_and_broadcasts_removal(member, other, listen,
                                                                 django_capture_on_commit_callbacks):
    pod = PodFactory()
    join(member, pod)
    post = post_create(actor=member, pod=pod, body="Bye", audience="everyone")
    with pytest.raises(PermissionDenied):
        post_delete(actor=other, post=post)
    listener = listen(pod_group(pod.pk))
    with django_capture_on_commit_callbacks(execute=True):
        post_delete(actor=member, post=post)
    post.refresh_from_db()
    pod.refresh_from_db()
    assert post.status == ContentStatus.DELETED and pod.post_count == 0
    assert listener.frames() == [{"type": "post.remove", "id": post.pk}]


def test_publishing_records_a_post_created_webhook_delivery_but_never_for_trusted_posts(member, manager):
    from communities.models import WebhookDelivery
    from communities.services.webhooks import webhook_register

    webhook_register(actor=manager, name="Commons", url="https://hooks.example/commons", events=["post.created"])
    pod = PodFactory()
    webhook_register(actor=manager, name="Pod", url="https://hooks.example/pod", events=["post.created"], pod=pod)
    join(member, pod, rung="trusted")
    public = post_create(actor=member, body="Hello", audience="everyone")
    post_create(actor=member, pod=pod, body="Just us", audience="trusted")
    assert list(WebhookDelivery.objects.values_list("event_key", flat=True)) == [f"post.created:{public.pk}"]


def test_republishing_a_hidden_post_does_not_notify_mentions_twice(member):
    from moderation.services.content import publish, set_status

    UserFactory(username="ben")
    post = post_create(actor=member, body="Thanks @ben!", audience="everyone")
    set_status(post, ContentStatus.HELD)  # hidden by reports
    publish(post)  # a moderator approves it
    assert Notification.objects.filter(kind="mention", recipient__username="ben").count() == 1
