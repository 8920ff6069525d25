"""Account deletion: personal data goes, threads stay readable as "deleted member"."""

import io

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from communities.models import Follow, Notification, Pet, Tag
from communities.services.accounts import account_delete
from microgroups.models import Membership
from tests.factories import (
    CommentFactory,
    PetFactory,
    PlaceFactory,
    PodFactory,
    PostFactory,
    TagFactory,
    UserFactory,
    join,
)

pytestmark = pytest.mark.django_db


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 200, 10)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def member():
    user = UserFactory(username="leaving", email="leaving@example.com", display_name="Leaving Person",
                       bio="Private-ish bio", region=PlaceFactory())
    user.interests.add(TagFactory(kind=Tag.Kind.INTEREST, slug="hiking"))
    PetFactory(owner=user, name="Biscuit")
    other = UserFactory()
    Follow.objects.create(follower=user, followee=other)
    Follow.objects.create(follower=other, followee=user)
    Notification.objects.create(recipient=user, kind="mention", verb="mentioned you")
    pod = PodFactory()
    join(user, pod)
    join(other, pod)
    return user


def test_deletion_wipes_personal_data_and_keeps_posts(client, member, django_capture_on_commit_callbacks):
    post = PostFactory(author=member, body="My old post")
    CommentFactory(post=post, author=member, body="My comment")
    pod = member.pod_memberships.get().pod
    with django_capture_on_commit_callbacks(execute=True):
        account_delete(actor=member)
    member.refresh_from_db()
    assert member.username == f"deleted-{member.pk}"
    assert (member.email, member.display_name, member.bio, member.first_name, member.avatar.name) == ("", "", "", "",
                                                                                                       "")
    assert member.region is None and member.is_active is False and member.deleted_at is not None
    assert not member.has_usable_password()
    assert member.name == "deleted member"
    assert not member.interests.exists()
    assert not Pet.objects.filter(owner=member).exists()
    assert not Follow.objects.filter(follower=member).exists() and not Follow.objects.filter(followee=member).exists()
    assert not Notification.objects.filter(recipient=member).exists()
    assert not EmailAddress.objects.filter(user=member).exists()
    assert Membership.objects.get(member=member).status == "left"
    pod.refresh_from_db()
    assert pod.member_count == 1
    # The thread is still there, signed "deleted member".
    html = client.get(f"/posts/{post.pk}/").content.decode()
    assert "My old post" in html and "deleted member" in html and "Leaving Person" not in html
    assert client.get(f"/members/{member.username}/").status_code == 404
    assert client.get("/members/leaving/").status_code == 404


def test_deletion_page_needs_the_password_and_logs_out(client, member):
    client.force_login(member)
    page = client.get("/settings/delete/")
    assert page.status_code == 200
    response = client.post("/settings/delete/", {"password": "wrong", "confirm": "on"})
    assert response.status_code == 200
    assert "That is not your current password." in response.content.decode()
    member.refresh_from_db()
    assert member.deleted_at is None
    response = client.post("/settings/delete/", {"password": "pw-for-tests-123", "confirm": "on"})
    assert response.status_code == 302 and response["Location"] == "/"
    member.refresh_from_db()
    assert member.deleted_at is not None
    assert client.get("/settings/profile/").status_code == 302  # signed out


def test_other_sessions_end_when_the_account_is_deleted(client, member, django_capture_on_commit_callbacks):
    client.force_login(member)
    assert client.get("/settings/profile/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):  # as the request that deletes it commits
        account_delete(actor=member)  # e.g. from another device
    assert client.get("/settings/profile/").status_code == 302


def test_deleted_member_cannot_log_in(client, member):
    account_delete(actor=member)
    response = client.post("/accounts/login/", {"login": "leaving@example.com", "password": "pw-for-tests-123"})
    assert response.status_code == 200
    assert not client.session.get("_auth_user_id")


def test_avatar_and_pet_photo_files_are_removed(member, django_capture_on_commit_callbacks):
    member.avatar.save("a.png", SimpleUploadedFile("a.png", png()), save=True)
    pet = Pet.objects.get(owner=member)
    pet.photo.save("p.png", SimpleUploadedFile("p.png", png()), save=True)
    storage, avatar_name, photo_name = member.avatar.storage, member.avatar.name, pet.photo.name
    assert storage.exists(avatar_name) and storage.exists(photo_name)
    with django_capture_on_commit_callbacks(execute=True):
        account_delete(actor=member)
    assert not storage.exists(avatar_name) and not storage.exists(photo_name)


def test_only_managers_delete_other_accounts(member):
    with pytest.raises(PermissionDenied):
        account_delete(actor=UserFactory(), member=member)
    manager = UserFactory(is_staff=True)
    manager.groups.add(Group.objects.get(name="Community managers"))
    assert account_delete(actor=manager, member=member).deleted_at is not None


def test_deleting_twice_is_harmless(member):
    first = account_delete(actor=member).deleted_at
    assert account_delete(actor=member).deleted_at == first
