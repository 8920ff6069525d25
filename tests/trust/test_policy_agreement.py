"""The one policy agrees with itself: for every role × object state of the matrix world, the queryset
filters, the per-object checks and the fan-out (`readers_of`) give the same answer, and that answer is
the policy table's (tests/trust/policy.py). Segmented announcements are added to the world here."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from communities.models import AnnouncementRecipient, ContentStatus, Post
from communities.policy import Policy, readers_of
from moderation.models import ModeratorAssignment, QueueItem, ScopeKind
from moderation.scopes import COMMONS, scope_of_row
from moderation.selectors import visible_items
from moderation.services.queue import moderator_ids_for
from tests.factories import UserFactory

from . import policy
from .world import build_world

pytestmark = pytest.mark.django_db


def _fresh(user):
    """A new user object per check: roles are memoised on the object, as on `request.user`."""
    if user is None:
        return AnonymousUser()
    return get_user_model().objects.get(pk=user.pk)


def _segmented(world, *, status=ContentStatus.PUBLISHED) -> Post:
    """A Commons announcement addressed to one segment: the `trusted` role only."""
    post = Post.objects.create(author=world.users["manager"], body="segment only", body_html="<p>segment only</p>",
                               segment={"region": "matrix-north"}, is_announcement=True, status=status)
    AnnouncementRecipient.objects.create(post=post, member=world.users["trusted"])
    return post


def _people(world) -> dict:
    return {**world.users, "author": world.author}


def test_filter_check_and_readers_agree_for_every_role_and_post_state():
    world = build_world()
    segmented = [_segmented(world), _segmented(world, status=ContentStatus.HELD)]
    posts = [obj.post for obj in world.posts] + segmented
    readers = {post.pk: set(readers_of(post).values_list("pk", flat=True)) for post in posts}
    cells = 0
    for role, user in _people(world).items():
        seen = _fresh(user)
        p = Policy(seen)
        filtered = set(p.filter_posts(Post.objects.all()).values_list("pk", flat=True))
        published = set(Post.objects.filter(p.readable_posts_q()).values_list("pk", flat=True))
        for post in posts:
            allowed = p.can_read_post(post)
            where = f"{role} on post {post.pk} ({post.pod and post.pod.slug}, {post.status}, {post.audience})"
            assert (post.pk in filtered) == allowed, where
            assert (post.pk in published) == (allowed and post.status == ContentStatus.PUBLISHED), where
            if user is not None:
                assert (user.pk in readers[post.pk]) == allowed, where
            if allowed:
                p.check_can_read_post(post)
            else:
                with pytest.raises(Http404):
                    p.check_can_read_post(post)
            cells += 1
        # The declared table, for the world's own posts (the author is not one of its roles).
        if role in policy.ROLES:
            for obj in world.posts:
                assert p.can_read_post(obj.post) == policy.reads_post(role, obj.place, obj.kind), (role, obj.place,
                                                                                                 obj.kind)
        # The feed's fast per-place filter says the same as the general one, place by place.
        for place in policy.PLACES:
            pod = world.pods.get(place)
            in_place = set(Post.objects.filter(p.readable_in_place_q(pod)).values_list("pk", flat=True))
            expected = {pk for pk in published if Post.objects.get(pk=pk).pod_id == (pod.pk if pod else None)}
            assert in_place == expected, (role, place)
    assert cells == len(_people(world)) * len(posts) == 16 * 26


def test_segmented_announcements_are_for_recipients_only():
    world = build_world()
    post = _segmented(world)
    assert Policy(_fresh(world.users["trusted"])).can_read_post(post) is True
    assert Policy(_fresh(world.users["manager"])).can_read_post(post) is True
    for role in ("anonymous", "member", "regular", "steward", "mod_region"):
        assert Policy(_fresh(world.users[role])).can_read_post(post) is False, role
    assert set(readers_of(post).values_list("username", flat=True)) == {"t_trusted", "t_manager", "t_superuser"}


def test_moderators_see_and_act_on_the_same_items():
    """The queue list (`filter_queue_items` inside `visible_items`), the item check and the fan-out of a
    new item agree for every moderator role and every item of the world."""
    world = build_world()
    items = [obj.item for obj in world.posts if obj.item is not None]
    assert len(items) == 9  # held posts in every place, reported trusted-only posts in the four pods
    for role in policy.MODERATORS | {"member", "trusted"}:
        user = world.users[role]
        listed = set(visible_items(_fresh(user)).values_list("pk", flat=True))
        for item in QueueItem.objects.filter(pk__in=[i.pk for i in items]).select_related("post__pod", "pod"):
            p = Policy(_fresh(user))
            allowed = p.can_moderate_item(item)
            assert (item.pk in listed) == allowed, (role, item.pk)
            fanned = moderator_ids_for(scope_of_row(item), post=item.post, pod=item.pod)
            assert (user.pk in fanned) == allowed, (role, item.pod and item.pod.slug, item.post.audience)


def test_a_commons_moderator_outside_a_segment_never_sees_its_queue_item():
    """moderation once kept its own copy of the read rule and let every Commons moderator list items about
    segmented announcements (while the item page said 404). Now both say: recipients and managers only."""
    world = build_world()
    post = _segmented(world, status=ContentStatus.HELD)
    item = QueueItem.objects.create(kind="held", post=post, subject=post.author, reason="segment",
                                    scope_kind=ScopeKind.COMMONS)
    outsider = UserFactory(username="t_commons_mod")
    ModeratorAssignment.objects.create(member=outsider, scope_kind=ScopeKind.COMMONS)
    insider = world.users["trusted"]
    ModeratorAssignment.objects.create(member=insider, scope_kind=ScopeKind.COMMONS)

    assert item.pk not in set(visible_items(_fresh(outsider)).values_list("pk", flat=True))
    with pytest.raises(Http404):
        Policy(_fresh(outsider)).check_can_moderate_item(item)
    assert item.pk in set(visible_items(_fresh(insider)).values_list("pk", flat=True))
    Policy(_fresh(insider)).check_can_moderate_item(item)
    fanned = moderator_ids_for(COMMONS, post=post)
    assert insider.pk in fanned and outsider.pk not in fanned
