"""The rung-aware composer: it offers only what the member's rung unlocks in the pod (the same rules the
post service enforces), with one line on what is still locked; a stale form is still refused at the field."""

import pytest

from communities.policy import ComposerUnlocks, composer_unlocks
from microgroups.models import Membership
from microgroups.permissions import unlock_hint
from microgroups.selectors import RungProgress
from tests.factories import UserFactory, join

pytestmark = pytest.mark.django_db

NEWCOMER_HINT = ("Photos and links unlock at regular: 3 more days active, 3 more posts or comments; "
                 "trusted-only posts at trusted.")
REGULAR_HINT = ("Trusted-only posts unlock at trusted: 21 more days as a member, 8 more days active in the "
                "last 30, 10 more posts or comments, 3 more members reacting to you.")


@pytest.fixture
def client_for(client):
    def login(user):
        client.force_login(user)
        return client
    return login


def _composer(html: str) -> str:
    return html.split('id="composer"')[1].split("</form>")[0]


def test_the_policy_answers_what_each_rung_may_use(pod):
    newcomer, regular, trusted = UserFactory(), UserFactory(), UserFactory()
    join(newcomer, pod)
    join(regular, pod, rung="regular")
    join(trusted, pod, rung="trusted")
    assert composer_unlocks(newcomer, pod) == ComposerUnlocks(audience=False, images=False, links=False,
                                                             hint=NEWCOMER_HINT)
    assert composer_unlocks(regular, pod) == ComposerUnlocks(audience=False, images=True, links=True,
                                                            hint=REGULAR_HINT)
    assert composer_unlocks(trusted, pod) == ComposerUnlocks(audience=True, images=True, links=True, hint="")
    assert composer_unlocks(UserFactory(), pod) == ComposerUnlocks(audience=False, images=False, links=False)
    assert composer_unlocks(newcomer, None) == ComposerUnlocks()  # the Commons: photos and links for all


def test_a_steward_lowering_the_photo_rung_unlocks_photos_for_newcomers(pod):
    newcomer = UserFactory()
    join(newcomer, pod)
    pod.ladder = {"images_min_rung": "newcomer"}
    pod.save(update_fields=["ladder"])
    unlocks = composer_unlocks(newcomer, pod)
    assert (unlocks.images, unlocks.links, unlocks.audience) == (True, False, False)
    assert unlocks.hint == "Links unlock at regular: 3 more days active, 3 more posts or comments; " \
                           "trusted-only posts at trusted."


def test_the_hint_says_when_the_next_rung_is_earned_or_set_by_hand():
    locked = {"photos": "regular", "trusted-only posts": "trusted"}
    earned = RungProgress(rung="newcomer", next_rung="regular", needs=[], by_hand=False)
    by_hand = RungProgress(rung="newcomer", next_rung="regular", needs=["1 more day active"], by_hand=True)
    assert unlock_hint(earned, locked) == ("Photos unlock at regular: you've done what it needs, the nightly "
                                           "update will move you up; trusted-only posts at trusted.")
    assert unlock_hint(by_hand, locked) == ("Photos unlock at regular (a steward set your rung); "
                                            "trusted-only posts at trusted.")
    assert unlock_hint(None, {"trusted-only posts": "trusted"}) == "Trusted-only posts unlock at trusted."
    assert unlock_hint(earned, {}) == ""


def test_a_newcomers_composer_offers_no_trusted_only_posts_or_photos_and_says_when_they_unlock(client_for, pod):
    newcomer = UserFactory()
    join(newcomer, pod)
    composer = _composer(client_for(newcomer).get(f"/pods/{pod.slug}/").content.decode())
    assert NEWCOMER_HINT in composer
    assert 'value="trusted"' not in composer and "Add photos" not in composer and 'name="images"' not in composer
    assert "Add a poll" in composer  # polls need no rung


def test_a_trusted_members_composer_offers_everything_without_a_hint(client_for, pod):
    trusted = UserFactory()
    join(trusted, pod, rung="trusted")
    composer = _composer(client_for(trusted).get(f"/pods/{pod.slug}/").content.decode())
    assert '<option value="trusted">Trusted members only</option>' in composer
    assert "<summary>Add photos</summary>" in composer and "data-composer-unlocks" not in composer


def test_a_stale_trusted_only_post_from_a_newcomer_is_refused_at_the_field_never_published_to_everyone(
        client_for, pod):
    newcomer = UserFactory()
    join(newcomer, pod)
    response = client_for(newcomer).post(f"/pods/{pod.slug}/post/", {"body": "For the trusted few",
                                                                      "audience": "trusted"})
    composer = _composer(response.content.decode())
    assert response.status_code == 400 and not pod.posts.exists()
    assert "Trusted-only posts are for trusted members and stewards." in composer
    assert '<option value="trusted" selected>Trusted members only</option>' in composer
    assert "For the trusted few" in composer


def test_the_hint_follows_a_rung_change_by_a_steward(pod, steward):
    from microgroups.services.ladder import membership_set_rung

    member = UserFactory()
    join(member, pod)
    assert composer_unlocks(member, pod).hint == NEWCOMER_HINT
    membership_set_rung(actor=steward, pod=pod, member=member, rung="trusted")
    assert Membership.objects.get(pod=pod, member=member).rung == "trusted"
    assert composer_unlocks(member, pod) == ComposerUnlocks(audience=True, images=True, links=True, hint="")


def test_progress_is_counted_once_until_the_pods_feed_or_the_rung_changes(
        pod, steward, monkeypatch, django_capture_on_commit_callbacks):
    from communities.models import User
    from communities.services.posts import post_create
    from microgroups import selectors
    from microgroups.services.ladder import membership_set_rung

    counted = []
    real = selectors.ladder_stats
    monkeypatch.setattr(selectors, "ladder_stats", lambda *a, **kw: counted.append(1) or real(*a, **kw))
    member = UserFactory()
    join(member, pod)

    def fresh():  # a new request's user object: nothing memoised on it
        return User.objects.get(pk=member.pk)

    assert composer_unlocks(fresh(), pod).hint == NEWCOMER_HINT
    assert composer_unlocks(fresh(), pod).hint == NEWCOMER_HINT
    assert len(counted) == 1

    with django_capture_on_commit_callbacks(execute=True):  # the post bumps the pod's place after commit
        post_create(actor=member, pod=pod, body="First walk together", audience="everyone")
    assert composer_unlocks(fresh(), pod).hint == (
        "Photos and links unlock at regular: 2 more days active, 2 more posts or comments; "
        "trusted-only posts at trusted.")
    assert len(counted) == 2

    membership_set_rung(actor=steward, pod=pod, member=member, rung="regular")
    assert selectors.member_rung_progress(fresh(), pod).rung == "regular"
    assert len(counted) == 3
