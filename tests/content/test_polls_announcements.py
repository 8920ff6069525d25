from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from communities.models import AnnouncementRecipient, Notification, Pet, Poll, PollBallot, Post, Tag
from communities.selectors import feed, pinned_posts
from communities.services.announcements import announcement_create, post_pin, post_unpin
from communities.services.comments import comment_create, comment_edit
from communities.services.polls import PollSpec, poll_vote
from communities.services.posts import post_create
from communities.services.reactions import reaction_toggle
from communities.streams import COMMONS_GROUP
from tests.factories import TagFactory, UserFactory

pytestmark = pytest.mark.django_db


def _poll_post(author, **spec):
    spec = {"question": "Walk time?", "choices": ["Morning", "Evening", "Night"], **spec}
    return post_create(actor=author, body="Poll!", audience="everyone", poll=PollSpec(**spec))


def test_single_choice_poll_counts_one_vote_per_member(member, other):
    poll = _poll_post(member).poll
    morning, evening, _ = poll.choices.all()
    poll_vote(actor=other, poll=poll, choice_ids=[morning.pk])
    with pytest.raises(ValidationError) as exc:
        poll_vote(actor=other, poll=poll, choice_ids=[evening.pk])
    assert "already voted" in str(exc.value)
    with pytest.raises(ValidationError):
        poll_vote(actor=member, poll=poll, choice_ids=[morning.pk, evening.pk])
    poll.refresh_from_db()
    morning.refresh_from_db()
    assert (poll.voter_count, morning.vote_count) == (1, 1)


def test_ballot_constraint_stops_a_concurrent_double_submit(member, other):
    poll = _poll_post(member).poll
    PollBallot.objects.create(poll=poll, member=other)
    with pytest.raises(IntegrityError):
        PollBallot.objects.create(poll=poll, member=other)


def test_multiple_choice_and_closed_polls(member, other):
    poll = _poll_post(member, multiple=True, closes_at=timezone.now() + timedelta(hours=1)).poll
    a, b, _ = poll.choices.all()
    poll_vote(actor=other, poll=poll, choice_ids=[a.pk, b.pk])
    assert [c.vote_count for c in poll.choices.all()] == [1, 1, 0]
    Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    poll.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        poll_vote(actor=member, poll=poll, choice_ids=[a.pk])
    assert "closed" in str(exc.value)


def test_poll_spec_is_validated_before_anything_is_saved(member):
    with pytest.raises(ValidationError) as exc:
        _poll_post(member, choices=["Same", "same"], closes_at=timezone.now() - timedelta(days=1))
    assert set(exc.value.error_dict) == {"poll_choices", "poll_closes_at"}
    assert Post.objects.count() == 0


def test_poll_results_show_after_voting_through_the_page(client, member, other):
    post = _poll_post(member)
    choice = post.poll.choices.first()
    client.force_login(other)
    page = client.get(f"/posts/{post.pk}/").content.decode()
    assert 'name="choices"' in page and "<progress" not in page
    response = client.post(reverse("communities:poll_vote", args=[post.poll.pk]), {"choices": [choice.pk]},
                           HTTP_HX_REQUEST="true")
    assert "<progress" in response.content.decode() and "your vote" in response.content.decode()
    again = client.post(reverse("communities:poll_vote", args=[post.poll.pk]), {"choices": [choice.pk]})
    assert again.status_code == 200 and b"already voted" in again.content
    client.force_login(UserFactory())
    empty = client.post(reverse("communities:poll_vote", args=[post.poll.pk]), {"choices": []})
    assert empty.status_code == 200 and b"Pick one of the choices" in empty.content


def test_only_managers_pin_and_pinned_posts_lead_the_commons(member, manager, django_capture_on_commit_callbacks):
    post = post_create(actor=member, body="Great tip", audience="everyone")
    with pytest.raises(PermissionDenied):
        post_pin(actor=member, post=post)
    with django_capture_on_commit_callbacks(execute=True):  # the pinned list is cached per feed version
        post_pin(actor=manager, post=post)
    assert [p.pk for p in pinned_posts(user=member)] == [post.pk]
    assert post.pk not in [p.pk for p in feed(user=member, exclude_pinned=True).posts]
    with django_capture_on_commit_callbacks(execute=True):
        post_unpin(actor=manager, post=post)
    assert pinned_posts(user=member) == []


def test_public_announcement_is_pinned_for_everyone(manager, member, client):
    post = announcement_create(actor=manager, body="Welcome week!", segment=None, pin=True)
    assert post.is_announcement and post.pinned_at is not None
    assert b"Welcome week!" in client.get("/").content


def _senior_dog_owner(username, *, emails=True):
    user = UserFactory(username=username, announcement_emails=emails)
    dog = TagFactory(kind=Tag.Kind.SPECIES, slug="dog", name="Dog")
    pet = Pet.objects.create(owner=user, name="Rex", species=dog)
    pet.needs.add(TagFactory(kind=Tag.Kind.NEED, slug="senior", name="senior"))
    return user


def test_segmented_announcement_reaches_only_the_segment(manager, member, listen, client,
                                                         django_capture_on_commit_callbacks):
    ann, quiet = _senior_dog_owner("ann"), _senior_dog_owner("quiet", emails=False)
    listener = listen(COMMONS_GROUP)
    with django_capture_on_commit_callbacks(execute=True):
        post = announcement_create(actor=manager, body="Senior dog clinic on Friday",
                                   segment={"species": "dog", "needs": ["senior"]})
    assert set(AnnouncementRecipient.objects.values_list("member__username", flat=True)) == {"ann", "quiet"}
    assert set(Notification.objects.filter(kind="announcement").values_list("recipient__username", flat=True)) \
        == {"ann", "quiet"}
    assert [m.to for m in mail.outbox] == [[ann.email]]
    assert [f for f in listener.frames() if f["type"] == "post.new"] == []  # never on the public stream
    # Nor do its comments, their edits or its reaction counts: the public stream carries no frame of it.
    with django_capture_on_commit_callbacks(execute=True):
        reply = comment_create(actor=ann, post=post, body="Can I bring my old boy Rex?")
        comment_edit(actor=ann, comment=reply, body="Can I bring Rex, who is twelve?")
        reaction_toggle(actor=ann, kind="heart", post=post)
    assert [f for f in listener.frames() if f.get("id") == post.pk or f.get("post_id") == post.pk] == []
    # Recipients see it (pinned); everyone else: not in feeds, 404 on its page. Managers see it.
    assert [p.pk for p in pinned_posts(user=ann)] == [post.pk]
    assert pinned_posts(user=member) == [] and post.pk not in [p.pk for p in feed(user=member).posts]
    client.force_login(member)
    assert client.get(f"/posts/{post.pk}/").status_code == 404
    client.force_login(quiet)
    assert client.get(f"/posts/{post.pk}/").status_code == 200
    client.force_login(manager)
    assert client.get(f"/posts/{post.pk}/").status_code == 200
    client.logout()
    assert client.get(f"/posts/{post.pk}/").status_code == 404


def test_announcement_emails_are_sent_once_even_if_the_task_runs_twice(manager):
    from communities.services.notification_emails import announcement_emails_send

    _senior_dog_owner("ann")
    post = announcement_create(actor=manager, body="Clinic", segment={"species": "dog"})
    assert announcement_emails_send(post_id=post.pk) == 1
    assert announcement_emails_send(post_id=post.pk) == 0
    assert len(mail.outbox) == 1


def test_empty_segment_match_is_a_clear_error(manager):
    with pytest.raises(ValidationError) as exc:
        announcement_create(actor=manager, body="Hello", segment={"species": "axolotl"})
    assert "No members match" in str(exc.value)


def test_announcement_page_is_for_managers(client, member, manager):
    client.force_login(member)
    assert client.get(reverse("communities:announcement_new")).status_code == 403
    client.force_login(manager)
    assert client.get(reverse("communities:announcement_new")).status_code == 200
    bad = client.post(reverse("communities:announcement_new"), {"body": "Hi", "species": "axolotl"})
    assert bad.status_code == 200 and b"Hi</textarea>" in bad.content
    ok = client.post(reverse("communities:announcement_new"), {"body": "Hello all", "pin": "on"})
    assert ok.status_code == 302 and Post.objects.get(body="Hello all").pinned_at is not None
