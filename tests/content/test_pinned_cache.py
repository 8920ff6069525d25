"""Pinned posts are cached per place under the feed's version (communities.selectors.posts.pinned_posts):
pins and unpins show at once, the shared rows are filtered for each viewer by the policy, and a warm
read asks the database only for the viewer's own state."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from communities import pagecache
from communities.models import Post
from communities.selectors import pinned_posts
from communities.services.announcements import announcement_create, post_pin, post_unpin
from communities.services.posts import post_create, post_edit
from microgroups.models import Pod
from tests.factories import PetFactory, PodFactory, PostFactory, UserFactory, join

pytestmark = pytest.mark.django_db


def ids(posts) -> list[int]:
    return [p.pk for p in posts]


def pinned_in_pod(pod, *, audience="everyone", body="Pod rules"):
    """Pods have no pin service (the admin pins there): the row, and the bump the admin's save would need."""
    post = PostFactory(pod=pod, author=UserFactory(), body=body, audience=audience, pinned_at=timezone.now())
    pagecache._bump_now([pagecache.pod(pod.pk)])
    return post


def test_a_pin_shows_at_once_and_an_unpin_removes_it(client, member, manager, django_capture_on_commit_callbacks):
    post = post_create(actor=member, body="Great tip about litter", audience="everyone")
    assert pinned_posts(user=member) == []  # the empty list is cached under the current version
    with django_capture_on_commit_callbacks(execute=True):
        post_pin(actor=manager, post=post)
    assert ids(pinned_posts(user=member)) == [post.pk]
    assert ids(pinned_posts(user=AnonymousUser())) == [post.pk]
    client.force_login(member)
    assert client.get("/").content.decode().count("Great tip about litter") == 1  # pinned, not in the feed too
    with django_capture_on_commit_callbacks(execute=True):
        post_unpin(actor=manager, post=post)
    assert pinned_posts(user=member) == []
    assert "Great tip about litter" in client.get("/").content.decode()  # back in the feed


def test_an_edit_of_a_pinned_post_shows_at_once(member, manager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post = post_create(actor=member, body="Vet hours: 9 to 5", audience="everyone")
        post_pin(actor=manager, post=post)
    assert pinned_posts(user=member)[0].body == "Vet hours: 9 to 5"
    with django_capture_on_commit_callbacks(execute=True):
        post_edit(actor=member, post=Post.objects.get(pk=post.pk), body="Vet hours: 8 to 6")
    assert pinned_posts(user=member)[0].body == "Vet hours: 8 to 6"


def test_a_warm_read_asks_only_for_the_viewers_own_state(member, other, manager, django_assert_num_queries,
                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post = post_create(actor=member, body="Pinned", audience="everyone", pet=PetFactory(owner=member))
        post_pin(actor=manager, post=post)
    with django_assert_num_queries(3):  # the posts (author, pod, pet in the row), tags, images
        assert ids(pinned_posts(user=AnonymousUser())) == [post.pk]
    with django_assert_num_queries(0):  # another visitor: the shared rows, nothing of theirs to ask
        assert ids(pinned_posts(user=AnonymousUser())) == [post.pk]
    viewer = UserFactory(username="viewer")
    with django_assert_num_queries(1):  # their reactions and saves, one query
        (card,) = pinned_posts(user=viewer)
    assert card.pet.name and card.viewer_reactions == set() and card.viewer_saved is False


def test_trusted_only_pinned_posts_are_filtered_for_each_viewer(db):
    pod = PodFactory(slug="reactive-dogs")
    trusted, newcomer = UserFactory(username="trusted"), UserFactory(username="newcomer")
    join(trusted, pod, rung="trusted")
    join(newcomer, pod)
    secret = pinned_in_pod(pod, audience="trusted", body="Trusted only")
    public = pinned_in_pod(pod, body="For everyone")
    assert ids(pinned_posts(user=trusted, pod=pod)) == [public.pk, secret.pk]  # fills the shared entry
    assert ids(pinned_posts(user=newcomer, pod=pod)) == [public.pk]
    assert ids(pinned_posts(user=AnonymousUser(), pod=pod)) == [public.pk]


def test_a_pod_closing_hides_its_cached_pinned_posts_from_outsiders(db):
    pod = PodFactory(slug="quiet-cats")
    insider = UserFactory(username="insider")
    join(insider, pod)
    post = pinned_in_pod(pod)
    assert ids(pinned_posts(user=AnonymousUser(), pod=pod)) == [post.pk]
    Pod.objects.filter(pk=pod.pk).update(privacy=Pod.Privacy.INVITE)  # no feed write: the entry stays
    pod.refresh_from_db()
    assert pinned_posts(user=AnonymousUser(), pod=pod) == []
    assert pinned_posts(user=UserFactory(username="outsider"), pod=pod) == []
    assert ids(pinned_posts(user=insider, pod=pod)) == [post.pk]


def test_a_segmented_announcement_is_pinned_for_its_recipients_only(member, manager,
                                                                   django_capture_on_commit_callbacks):
    from tests.content.test_polls_announcements import _senior_dog_owner

    ann = _senior_dog_owner("ann")
    with django_capture_on_commit_callbacks(execute=True):
        public = announcement_create(actor=manager, body="Welcome week!", segment=None, pin=True)
    assert ids(pinned_posts(user=ann)) == [public.pk]  # cached before the segmented one exists
    with django_capture_on_commit_callbacks(execute=True):
        clinic = announcement_create(actor=manager, body="Senior dog clinic",
                                     segment={"species": "dog", "needs": ["senior"]})
    assert ids(pinned_posts(user=ann)) == [clinic.pk, public.pk]
    assert ids(pinned_posts(user=member)) == [public.pk]
    assert ids(pinned_posts(user=AnonymousUser())) == [public.pk]
    assert ids(pinned_posts(user=manager)) == [clinic.pk, public.pk]


def test_a_pinned_segmented_announcements_comments_and_removal_show_at_once(manager,
                                                                           django_capture_on_commit_callbacks):
    """No socket hears about a segmented announcement (its recipients share no group), yet the cached
    pinned list must still follow it: a comment's count, and a removal, on the recipient's next load."""
    from communities.services.comments import comment_create
    from communities.services.reactions import reaction_toggle
    from moderation.services.content import hide
    from tests.content.test_polls_announcements import _senior_dog_owner

    ann = _senior_dog_owner("ann")
    with django_capture_on_commit_callbacks(execute=True):
        clinic = announcement_create(actor=manager, body="Senior dog clinic", pin=True,
                                     segment={"species": "dog", "needs": ["senior"]})
    assert [p.comment_count for p in pinned_posts(user=ann)] == [0]
    with django_capture_on_commit_callbacks(execute=True):
        comment_create(actor=ann, post=Post.objects.get(pk=clinic.pk), body="Booked for Tuesday")
    assert [p.comment_count for p in pinned_posts(user=ann)] == [1]
    with django_capture_on_commit_callbacks(execute=True):
        reaction_toggle(actor=ann, kind="heart", post=Post.objects.get(pk=clinic.pk))
    assert [p.heart_count for p in pinned_posts(user=ann)] == [1]
    with django_capture_on_commit_callbacks(execute=True):  # what moderation's remove action does
        Post.objects.filter(pk=clinic.pk).update(status="removed")
        hide(Post.objects.get(pk=clinic.pk))
    assert pinned_posts(user=ann) == []


def test_five_are_shown_from_the_newest_pin(member, manager, django_capture_on_commit_callbacks):
    posts = []
    for n in range(7):
        with django_capture_on_commit_callbacks(execute=True):
            post = post_create(actor=member, body=f"Tip {n}", audience="everyone")
            post_pin(actor=manager, post=post)
        posts.append(post)
    assert ids(pinned_posts(user=member)) == [p.pk for p in reversed(posts)][:5]
