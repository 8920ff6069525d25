"""Feed rows shared by an audience (communities.selectors.feeds): one member's load serves the next, each
viewer still sees exactly what the policy lets them read (segmented announcements, trusted-only posts,
authors they blocked) whichever audience warmed the cache first, and a write shows on the next load."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from communities.models import Post
from communities.selectors import feed
from communities.selectors.feeds import SLACK
from communities.services.announcements import announcement_create
from communities.services.posts import post_create
from messaging.services import block_create
from tests.factories import PodFactory, PostFactory, UserFactory, join

pytestmark = pytest.mark.django_db


def ids(page) -> list[int]:
    return [p.pk for p in page.posts]


def _posts(n, created_at=None, **kw):
    now = created_at or timezone.now() - timedelta(minutes=1)
    return [PostFactory(created_at=now - timedelta(seconds=i), **kw) for i in range(n)]


def test_a_second_member_reads_the_rows_the_first_one_loaded(member, other, django_assert_num_queries):
    posts = _posts(25)
    first = feed(user=member, sort="new")
    with django_assert_num_queries(1):  # only their own reactions, saves and blocks
        second = feed(user=other, sort="new")
    assert ids(second) == ids(first) == [p.pk for p in posts[:20]]
    assert second.next_cursor == first.next_cursor
    with django_assert_num_queries(0):  # a visitor has no state of their own
        assert ids(feed(user=AnonymousUser(), sort="new")) == ids(first)


def test_a_new_post_is_on_the_next_members_load(member, other, django_capture_on_commit_callbacks):
    _posts(3)
    before = ids(feed(user=member, sort="new"))
    with django_capture_on_commit_callbacks(execute=True):
        new = post_create(actor=other, body="Fresh news from the park", audience="everyone")
    assert ids(feed(user=member, sort="new")) == [new.pk, *before]


@pytest.mark.parametrize("warm_first", ["manager", "member", "recipient", "anonymous"])
def test_a_segmented_announcement_in_the_feed_reaches_only_its_recipients(manager, member, warm_first):
    from tests.content.test_polls_announcements import _senior_dog_owner

    ann = _senior_dog_owner("ann")
    _posts(3)
    clinic = announcement_create(actor=manager, body="Senior dog clinic", segment={"species": "dog"}, pin=False)
    _posts(2)
    viewers = {"manager": manager, "member": member, "recipient": ann, "anonymous": AnonymousUser()}
    feed(user=viewers[warm_first], sort="new")
    assert clinic.pk in ids(feed(user=ann, sort="new"))
    assert clinic.pk in ids(feed(user=manager, sort="new"))
    assert clinic.pk not in ids(feed(user=member, sort="new"))
    assert clinic.pk not in ids(feed(user=AnonymousUser(), sort="new"))
    assert len(feed(user=ann, sort="new").posts) == 6 and len(feed(user=member, sort="new").posts) == 5


# A few blocked authors' posts are left out of the shared rows (one query); more than the slack holds,
# and the member gets their own query (the rows, their tags and images) and their state for those rows.
@pytest.mark.parametrize(("blocked_posts", "queries"), [(2, 1), (SLACK + 3, 5)])
def test_a_blocked_authors_posts_stay_off_a_full_page(member, other, blocked_posts, queries,
                                                     django_assert_num_queries):
    nuisance = UserFactory()
    _posts(30)
    _posts(blocked_posts, author=nuisance, created_at=timezone.now())  # the newest: all on page one
    feed(user=other, sort="new")  # warms the shared rows
    block_create(actor=member, member=nuisance)
    with django_assert_num_queries(queries):
        page = feed(user=member, sort="new")
    expected = list(Post.objects.exclude(author=nuisance).order_by("-created_at", "-pk").values_list("pk", flat=True))
    assert ids(page) == expected[:20]
    rest = feed(user=member, sort="new", cursor=page.next_cursor)
    assert ids(rest) == expected[20:] and rest.next_cursor is None


@pytest.mark.parametrize("warm_first", ["trusted", "newcomer", "outsider"])
def test_trusted_only_pod_posts_reach_trusted_members_whoever_loaded_first(warm_first):
    pod = PodFactory(privacy="open")
    trusted, newcomer, outsider = UserFactory(), UserFactory(), UserFactory()
    join(trusted, pod, rung="trusted")
    join(newcomer, pod)
    secret = PostFactory(pod=pod, audience="trusted", body="only for the trusted")
    public = PostFactory(pod=pod, audience="everyone", body="for everyone here")
    viewers = {"trusted": trusted, "newcomer": newcomer, "outsider": outsider}
    feed(user=viewers[warm_first], pod=pod, sort="new")
    assert ids(feed(user=trusted, pod=pod, sort="new")) == [public.pk, secret.pk]
    assert ids(feed(user=newcomer, pod=pod, sort="new")) == [public.pk]
    assert ids(feed(user=outsider, pod=pod, sort="new")) == [public.pk]  # an open pod: readable, not trusted
