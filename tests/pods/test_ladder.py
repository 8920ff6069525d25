from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from communities.models import Reaction
from communities.policy import check_can_post_in_pod
from microgroups.models import Membership, MembershipEvent, Pod
from microgroups.services.ladder import (
    ladder_stats,
    membership_set_rung,
    next_rung_needs,
    pace_of,
    pod_ladder_update,
    rungs_recompute_pod,
    thresholds,
)
from tests.factories import CommentFactory, PostFactory, UserFactory

from .conftest import member_of

pytestmark = pytest.mark.django_db


def _active_on(pod, member, days_ago: list[int], now):
    for d in days_ago:
        PostFactory(pod=pod, author=member, created_at=now - timedelta(days=d))


def _rung(pod, member) -> str:
    return Membership.objects.get(pod=pod, member=member).rung


def test_stats_count_only_activity_in_this_pod(make_pod):
    pod, other = make_pod(name="A"), make_pod(name="B")
    m, fan1, fan2 = member_of(pod), UserFactory(), UserFactory()
    now = timezone.now()
    post = PostFactory(pod=pod, author=m, created_at=now - timedelta(days=40))
    CommentFactory(post=post, author=m, created_at=now - timedelta(days=2))
    CommentFactory(post=post, author=m, created_at=now - timedelta(days=2))
    PostFactory(pod=other, author=m, created_at=now)  # another pod: not counted
    PostFactory(pod=None, author=m, created_at=now)  # the Commons: not counted
    Reaction.objects.create(member=fan1, post=post, kind="paw")
    Reaction.objects.create(member=fan2, post=post, kind="heart")
    # their own reaction: an active day, but not a reactor
    Reaction.objects.create(member=m, post=post, kind="hug", created_at=now - timedelta(days=5))
    s = ladder_stats(pod, [m.pk], now=now)[m.pk]
    assert (s.active_days, s.active_days_30, s.contributions, s.distinct_reactors) == (3, 2, 3, 2)
    assert s.last_active == (now - timedelta(days=2)).date()


def test_newcomer_becomes_regular_and_is_told(pod):
    m = member_of(pod)
    now = timezone.now()
    Pod.objects.filter(pk=pod.pk).update(ladder={"pace_adjust": False})
    pod.refresh_from_db()
    _active_on(pod, m, [1, 2], now)
    assert rungs_recompute_pod(pod=pod, now=now) == []
    _active_on(pod, m, [3], now)
    assert rungs_recompute_pod(pod=pod, now=now) == [(m.pk, "newcomer", "regular")]
    assert _rung(pod, m) == "regular"
    assert m.notifications.get(kind="pod").verb == f"You are now a regular in {pod.name}"
    event = MembershipEvent.objects.get(pod=pod, member=m, kind="rung")
    assert (event.from_value, event.to_value, event.actor) == ("newcomer", "regular", None)


def test_trusted_needs_tenure_recent_activity_contributions_and_reactors(pod):
    Pod.objects.filter(pk=pod.pk).update(ladder={"pace_adjust": False})
    pod.refresh_from_db()
    m = member_of(pod)
    now = timezone.now()
    Membership.objects.filter(pod=pod, member=m).update(joined_at=now - timedelta(days=25), rung="regular")
    _active_on(pod, m, list(range(1, 11)), now)  # 10 posts on 10 days
    rungs_recompute_pod(pod=pod, now=now)
    assert _rung(pod, m) == "regular"  # nobody reacted yet
    membership = Membership.objects.get(pod=pod, member=m)
    stats = ladder_stats(pod, [m.pk], now=now)[m.pk]
    needs = next_rung_needs(membership, stats, thresholds(pod), now=now)
    assert needs == ("trusted", ["3 more members reacting to you"])
    for fan in (UserFactory(), UserFactory(), UserFactory()):
        Reaction.objects.create(member=fan, post=m.posts.first(), kind="paw")
    rungs_recompute_pod(pod=pod, now=now)
    assert _rung(pod, m) == "trusted"


def test_next_rung_needs_in_words(pod):
    m = member_of(pod)
    now = timezone.now()
    _active_on(pod, m, [1], now)
    membership = Membership.objects.get(pod=pod, member=m)
    stats = ladder_stats(pod, [m.pk], now=now)[m.pk]
    assert next_rung_needs(membership, stats, thresholds(pod), now=now) == (
        "regular", ["2 more days active", "2 more posts or comments"])


def test_quiet_pod_lowers_activity_thresholds_never_below_half(pod):
    stats = ladder_stats(pod, [], now=timezone.now())
    assert pace_of(stats) == 0.5
    pod.ladder_pace = 0.5
    t = thresholds(pod)
    assert (t["regular_active_days"], t["trusted_active_days_30"], t["trusted_contributions"]) == (2, 4, 5)
    assert t["trusted_member_days"] == 21  # tenure isn't paced


def test_hand_set_rung_is_sticky_and_logged(pod, steward):
    m = member_of(pod)
    membership_set_rung(actor=steward, pod=pod, member=m, rung="trusted", reason="known her for years")
    rungs_recompute_pod(pod=pod, now=timezone.now() + timedelta(days=200))  # long silence: would demote
    assert _rung(pod, m) == "trusted"
    event = MembershipEvent.objects.get(pod=pod, member=m, kind="rung")
    assert (event.actor, event.to_value, event.reason) == (steward, "trusted", "known her for years")
    membership_set_rung(actor=steward, pod=pod, member=m, rung="auto")
    rungs_recompute_pod(pod=pod, now=timezone.now() + timedelta(days=200))
    assert _rung(pod, m) == "regular"


def test_long_silence_demotes_one_rung_at_a_time(pod):
    m = member_of(pod)
    now = timezone.now()
    Membership.objects.filter(pod=pod, member=m).update(rung="trusted", joined_at=now - timedelta(days=200),
                                                        rung_changed_at=now - timedelta(days=100))
    rungs_recompute_pod(pod=pod, now=now)
    assert _rung(pod, m) == "regular"
    rungs_recompute_pod(pod=pod, now=now + timedelta(days=1))
    assert _rung(pod, m) == "regular"  # another full silent spell before the next step down
    assert "no activity for 60 days" in m.notifications.latest("pk").verb


def test_stewards_only_may_set_rungs(pod):
    m = member_of(pod)
    with pytest.raises(PermissionDenied):
        membership_set_rung(actor=m, pod=pod, member=m, rung="trusted")


def test_rung_unlocks_links_and_trusted_only_posts(pod, steward):
    from django.core.exceptions import ValidationError

    m = member_of(pod)
    with pytest.raises(ValidationError, match="Links unlock"):
        check_can_post_in_pod(m, pod, audience="everyone", has_links=True, has_images=False)
    membership_set_rung(actor=steward, pod=pod, member=m, rung="regular")
    check_can_post_in_pod(m, pod, audience="everyone", has_links=True, has_images=False)
    with pytest.raises(ValidationError, match="Trusted-only"):
        check_can_post_in_pod(m, pod, audience="trusted", has_links=False, has_images=False)
    pod_ladder_update(actor=steward, pod=pod, settings={"links_min_rung": "trusted", "regular_active_days": 3})
    pod.refresh_from_db()
    assert pod.ladder == {"links_min_rung": "trusted"}
    with pytest.raises(ValidationError, match="Links unlock at the trusted rung"):
        check_can_post_in_pod(m, pod, audience="everyone", has_links=True, has_images=False)


def test_ladder_settings_are_validated(pod, steward):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        pod_ladder_update(actor=steward, pod=pod, settings={"regular_active_days": -1, "images_min_rung": "boss"})
    assert set(exc.value.message_dict) == {"regular_active_days", "images_min_rung"}


def test_an_upheld_moderation_action_demotes_trusted_and_blocks_promotion(pod, steward):
    from moderation.models import ModerationLogEntry

    m = member_of(pod)
    now = timezone.now()
    membership_set_rung(actor=steward, pod=pod, member=m, rung="trusted")  # even a hand-set rung
    ModerationLogEntry.objects.create(scope_kind="pod", pod=pod, content_pod=pod, actor=steward, action="remove",
                                      subject=m, reason="rude")
    assert rungs_recompute_pod(pod=pod, now=now) == [(m.pk, "trusted", "regular")]
    membership = Membership.objects.get(pod=pod, member=m)
    assert (membership.rung, membership.rung_set_by_hand) == ("regular", False)
    assert "an upheld moderation action" in m.notifications.latest("pk").verb
