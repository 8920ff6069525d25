"""Each leak or wrong answer the matrix found, pinned by a small test next to the fix's description."""

import pytest
from django.contrib.auth.models import Group

from communities.models import Place
from microgroups.models import Pod
from moderation.models import ModerationLogEntry, ModeratorAssignment, Rule, ScopeKind
from moderation.selectors import log_page, rules_overview
from tests.factories import PlaceFactory, UserFactory, join

pytestmark = pytest.mark.django_db
SECRET_NAME = "Whispering willows"


@pytest.fixture
def unlisted_in_region():
    """An unlisted pod in a region, a rule in it (and its log entry), and that region's moderator."""
    region = PlaceFactory(kind=Place.Kind.REGION, name="North", slug="north")
    city = PlaceFactory(kind=Place.Kind.CITY, name="Town", slug="town", parent=region)
    pod = Pod.objects.create(name=SECRET_NAME, slug="willows", privacy="invite", is_unlisted=True, region=city)
    rule = Rule.objects.create(kind="watched_word", title="No spoilers", scope_kind=ScopeKind.POD, pod=pod,
                               settings={"pattern": "spoiler", "match": "word", "action": "flag"})
    ModerationLogEntry.objects.create(action="rule_create", rule=rule, rule_title=rule.title,
                                      scope_kind=ScopeKind.POD, pod=pod, region=region)
    moderator = UserFactory(username="regionmod")
    ModeratorAssignment.objects.create(member=moderator, scope_kind=ScopeKind.REGION, region=region)
    return pod, rule, moderator


def _rule_names(user) -> list[str]:
    return [rule.scope_label for group in rules_overview(user=user) for rule in group.rules]


def test_region_moderator_never_learns_an_unlisted_pods_name_from_rules_or_the_log(unlisted_in_region, client):
    pod, rule, moderator = unlisted_in_region
    assert _rule_names(moderator) == []
    assert log_page(user=moderator).entries == []
    client.force_login(moderator)
    for url in ("/moderation/rules/", "/moderation/log/"):
        page = client.get(url)
        assert page.status_code == 200 and SECRET_NAME not in page.content.decode()
    assert client.get(f"/moderation/rules/{rule.pk}/").status_code == 404
    assert client.post(f"/moderation/rules/{rule.pk}/toggle/").status_code == 404
    assert Rule.objects.get(pk=rule.pk).enabled is True


def test_a_region_moderator_who_is_a_member_and_managers_still_see_the_unlisted_pods_rules(unlisted_in_region):
    pod, rule, moderator = unlisted_in_region
    join(moderator, pod)
    assert _rule_names(moderator) == [f"Pod: {SECRET_NAME}"]
    assert [e.pk for e in log_page(user=moderator).entries] == list(ModerationLogEntry.objects.values_list("pk",
                                                                                                        flat=True))
    manager = UserFactory(username="boss", is_staff=True)
    manager.groups.add(Group.objects.get_or_create(name="Community managers")[0])
    assert _rule_names(manager) == [f"Pod: {SECRET_NAME}"]


def test_posting_in_a_listed_pod_one_has_not_joined_is_403_not_404(client):
    """A request or invite-only pod is listed: its existence is public, so refusing a post is a 403."""
    outsider = UserFactory(username="outsider")
    client.force_login(outsider)
    for privacy in ("request", "invite"):
        pod = Pod.objects.create(name=f"Listed {privacy}", slug=f"listed-{privacy}", privacy=privacy)
        response = client.post(f"/pods/{pod.slug}/post/", {"body": "hello"})
        assert response.status_code == 403
        assert not pod.posts.exists()


def _manager():
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get_or_create(name="Community managers")[0])
    return user


def test_voting_in_a_pod_poll_needs_membership_like_reacting(client):
    from communities.models import Poll, PollChoice, PollVote
    from tests.factories import PostFactory

    pod = Pod.objects.create(name="Open pod", slug="open-pod", privacy="open")
    post = PostFactory(pod=pod)
    poll = Poll.objects.create(post=post, question="Wet food?")
    yes = PollChoice.objects.create(poll=poll, text="Yes", position=0)
    for outsider in (UserFactory(), _manager()):  # reading an open pod is public; voting is taking part
        client.force_login(outsider)
        assert client.post(f"/polls/{poll.pk}/vote/", {"choices": yes.pk}).status_code == 403
    insider = UserFactory()
    join(insider, pod)
    client.force_login(insider)
    assert client.post(f"/polls/{poll.pk}/vote/", {"choices": yes.pk}).status_code == 302
    assert list(PollVote.objects.values_list("member_id", flat=True)) == [insider.pk]


def test_nobody_reacts_to_a_comment_under_a_held_post_not_even_a_manager(client):
    from communities.models import Reaction
    from tests.factories import CommentFactory, PostFactory

    comment = CommentFactory(post=PostFactory(status="held"))
    client.force_login(_manager())
    assert client.post(f"/comments/{comment.pk}/react/", {"kind": "paw"}).status_code == 403
    assert not Reaction.objects.exists()


def test_a_suspended_member_cannot_answer_the_pulse(client):
    from datetime import timedelta

    from django.utils import timezone

    from metrics.models import PulseResponse

    pod = Pod.objects.create(name="Pulse pod", slug="pulse-pod", privacy="open")
    member = UserFactory(suspended_until=timezone.now() + timedelta(days=3))
    join(member, pod)
    client.force_login(member)
    assert client.post(f"/pods/{pod.slug}/pulse/", {"score": "4", "text": "ok"}).status_code == 403
    assert not PulseResponse.objects.exists()


@pytest.fixture
def steward_and_pod():
    steward = UserFactory(username="stew")
    pod = Pod.objects.create(name="Settings pod", slug="settings-pod", privacy="request")
    join(steward, pod, role="steward", rung="trusted")
    return steward, pod


@pytest.mark.parametrize("section,key", [("members", "member"), ("waitlist", "member"), ("requests", "request")])
@pytest.mark.parametrize("raw", [" ", "abc", "1.5", "-3", "9" * 40])
def test_steward_settings_answer_404_for_a_posted_id_that_is_not_one(client, steward_and_pod, section, key, raw):
    steward, pod = steward_and_pod
    client.force_login(steward)
    response = client.post(f"/pods/{pod.slug}/settings/{section}/", {key: raw, "action": "remove"})
    assert response.status_code == 404


@pytest.mark.parametrize("bad_next", ["0", "home", "communities:profile_edit", "javascript:alert(1)"])
def test_a_next_that_is_not_a_path_falls_back_instead_of_500(client, bad_next):
    from tests.factories import PostFactory

    post, member = PostFactory(), UserFactory()
    client.force_login(member)
    react = client.post(f"/posts/{post.pk}/react/", {"kind": "paw", "next": bad_next})
    assert react.status_code == 302 and react["Location"] == f"/posts/{post.pk}/"
    report = client.post(f"/moderation/report/post/{post.pk}/", {"reason": "spam", "next": bad_next})
    assert report.status_code == 302 and report["Location"] == "/"


def test_a_metrics_range_from_year_one_is_a_field_error_not_a_500(client, steward_and_pod):
    steward, pod = steward_and_pod
    client.force_login(steward)
    response = client.get(f"/pods/{pod.slug}/insights/", {"end": "0001-01-01", "start": "0001-01-01"})
    assert response.status_code == 200
    assert "Choose a day from 2000 onwards." in response.content.decode()


@pytest.mark.parametrize("raw", ["99999999999999999999", "-99999999999999999999", "0"])
def test_a_poll_choice_id_beyond_a_database_integer_is_a_form_error_not_a_500(client, raw):
    from communities.models import Poll, PollChoice
    from tests.factories import PostFactory

    poll = Poll.objects.create(post=PostFactory(), question="Dry food?")
    PollChoice.objects.create(poll=poll, text="Yes", position=0)
    client.force_login(UserFactory())
    response = client.post(f"/polls/{poll.pk}/vote/", {"choices": raw})
    assert response.status_code == 200 and "Pick one of the choices." in response.content.decode()
