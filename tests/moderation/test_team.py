"""The Team page: managers see moderators and stewards by scope, and assign, move and revoke moderators,
each with a reason the log keeps. Others get 403; a scope that isn't theirs to assign in is a 404."""

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from moderation.models import ModerationLogEntry, ModeratorAssignment, QueueItem
from moderation.scopes import Scope
from moderation.selectors import team_overview, user_is_moderator
from moderation.services.assignments import moderator_assign, moderator_move, moderator_revoke
from moderation.services.queue import queue_item_claim
from moderation.services.reports import report_create
from tests.factories import PlaceFactory, PodFactory, PostFactory, UserFactory, join

from .conftest import fresh

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


def test_a_manager_assigns_a_moderator_and_the_log_keeps_who_where_and_why(client, manager, region):
    mod = UserFactory(username="mira")
    response = _login(client, manager).post("/moderation/team/", {
        "member": "@Mira", "scope": f"region:{region.pk}", "reason": "Knows the local rescues"})
    assert response.status_code == 302
    assignment = ModeratorAssignment.objects.get(member=mod)
    assert (assignment.scope_kind, assignment.region_id, assignment.revoked_at) == ("region", region.pk, None)
    entry = ModerationLogEntry.objects.get(action="assign")
    assert (entry.actor, entry.subject, entry.region_id, entry.reason) == (manager, mod, region.pk,
                                                                            "Knows the local rescues")
    assert user_is_moderator(fresh(mod))


@pytest.mark.parametrize("reason, error", [("", "This field is required."),
                                           ("   ", "This field is required."),
                                           ("x" * 501, "at most 500 characters")])
def test_a_missing_or_too_long_reason_is_told_at_the_field_and_the_input_kept(client, manager, region, reason,
                                                                                error):
    UserFactory(username="mira")
    response = _login(client, manager).post("/moderation/team/", {
        "member": "mira", "scope": f"region:{region.pk}", "reason": reason})
    assert response.status_code == 400
    form = response.context["form"]
    assert any(error in e for e in form.errors["reason"])
    assert 'value="mira"' in response.content.decode()  # what was typed is still there
    assert not ModeratorAssignment.objects.exists() and not ModerationLogEntry.objects.exists()


def test_an_unknown_member_is_told_at_the_field(client, manager, region):
    response = _login(client, manager).post("/moderation/team/", {
        "member": "nobody-here", "scope": f"region:{region.pk}", "reason": "why not"})
    assert response.status_code == 400
    assert response.context["form"].errors["member"] == ["No active member has that username."]


@pytest.mark.parametrize("key", ["pod:987654", "region:987654", "city", "pod:abc", "region:", "commons:1"])
def test_a_scope_that_does_not_exist_answers_404(client, manager, key):
    UserFactory(username="mira")
    response = _login(client, manager).post("/moderation/team/", {"member": "mira", "scope": key, "reason": "r"})
    assert response.status_code == 404
    assert not ModeratorAssignment.objects.exists()


def test_a_city_is_not_a_region_scope(client, manager, city):
    UserFactory(username="mira")
    response = _login(client, manager).post("/moderation/team/", {
        "member": "mira", "scope": f"region:{city.pk}", "reason": "r"})
    assert response.status_code == 404


def test_assigning_in_a_scope_you_do_not_manage_answers_404(region, steward, pod):
    """Moderators (a steward, a region moderator) do not appoint their peers: the service says 404."""
    region_mod = UserFactory()
    ModeratorAssignment.objects.create(member=region_mod, scope_kind="region", region=region)
    for actor in (steward, region_mod, UserFactory()):
        with pytest.raises(Http404):
            moderator_assign(actor=fresh(actor), member=UserFactory(), scope=Scope("pod", region.pk, pod.pk))
        with pytest.raises(Http404):
            moderator_assign(actor=fresh(actor), member=UserFactory(), scope=Scope("region", region.pk))
    assert ModeratorAssignment.objects.count() == 1


@pytest.mark.parametrize("role, status", [("member", 403), ("steward", 403), ("region_mod", 403), ("manager", 200)])
def test_the_team_page_is_for_managers(client, manager, steward, member, region, role, status):
    region_mod = UserFactory(username="regina")
    ModeratorAssignment.objects.create(member=region_mod, scope_kind="region", region=region)
    who = {"member": member, "steward": steward, "region_mod": region_mod, "manager": manager}[role]
    assert _login(client, who).get("/moderation/team/").status_code == status
    posted = _login(client, who).post("/moderation/team/", {"member": "walker", "scope": "commons",
                                                            "reason": "Covers weekends"})
    assert posted.status_code == (302 if role == "manager" else 403)
    assert ModeratorAssignment.objects.filter(member=member).exists() is (role == "manager")


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/moderation/team/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/accounts/login/")


def test_the_team_page_lists_managers_moderators_and_stewards_by_scope(client, manager, region, pod, steward):
    lonely = PodFactory(name="Nobody home", slug="nobody-home")
    commons_mod, region_mod, pod_mod = UserFactory(display_name="Cora"), UserFactory(display_name="Regina"), \
        UserFactory(display_name="Paula")
    moderator_assign(actor=manager, member=commons_mod, scope=Scope("commons"))
    moderator_assign(actor=manager, member=region_mod, scope=Scope("region", region.pk))
    moderator_assign(actor=manager, member=pod_mod, scope=Scope("pod", region.pk, pod.pk))
    team = team_overview()
    assert [a.member for a in team.commons.moderators] == [commons_mod]
    assert [(p.label, [a.member for a in p.moderators]) for p in team.regions] == [("Northshire", [region_mod])]
    by_pod = {p.label: p for p in team.pods}
    assert [s.member for s in by_pod["Reactive dogs"].stewards] == [steward]
    assert [a.member for a in by_pod["Reactive dogs"].moderators] == [pod_mod]
    assert by_pod[lonely.name].stewards == [] and team.pods_without_steward == 1
    assert team.managers == [manager]
    html = _login(client, manager).get("/moderation/team/").content.decode()
    for name in ("Cora", "Regina", "Paula", "Steward", "No steward", "Boss"):
        assert name in html


def test_the_team_page_lists_only_the_pods_without_a_steward_on_request(client, manager, pod, steward):
    """The warning counts every pod without a steward, and its link lists just those, a page at a time."""
    lonely = [PodFactory(name=f"Lonely {i:02d}") for i in range(3)]
    team = team_overview(without_steward_only=True, page_size=2)
    assert ([p.label for p in team.pods], team.pods_without_steward) == (["Lonely 00", "Lonely 01"], 3)
    rest = team_overview(without_steward_only=True, page_size=2, cursor=team.next_cursor)
    assert ([p.label for p in rest.pods], rest.next_cursor) == (["Lonely 02"], None)
    _login(client, manager)
    everyone = client.get("/moderation/team/").content.decode()
    assert "3 pods without a steward" in everyone and 'href="?steward=none"' in everyone
    assert pod.name in everyone
    only = client.get("/moderation/team/?steward=none").content.decode()
    assert "Showing the 3 pods without a steward" in only
    assert all(p.name in only for p in lonely) and pod.name not in only


def test_the_team_page_costs_the_same_queries_for_3_or_30_pods(client, manager, django_assert_num_queries):
    def make(n):
        for _ in range(n):
            pod = PodFactory()
            join(UserFactory(), pod, role="steward")
            moderator_assign(actor=manager, member=UserFactory(), scope=Scope("pod", None, pod.pk))

    _login(client, manager)
    make(3)
    client.get("/moderation/team/")  # warm: the first request also loads what the session caches
    with CaptureQueriesContext(connection) as few:
        assert client.get("/moderation/team/").status_code == 200
    make(27)
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get("/moderation/team/").status_code == 200


def test_moving_a_moderator_revokes_the_old_scope_and_logs_before_and_after(client, manager, region, pod):
    mod = UserFactory(display_name="Mira")
    old = moderator_assign(actor=manager, member=mod, scope=Scope("region", region.pk))
    response = _login(client, manager).post(f"/moderation/team/{old.pk}/", {
        "action": "move", "move-scope": f"pod:{pod.pk}", "move-reason": "Focus on the reactive dogs"})
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.revoked_at is not None
    new = ModeratorAssignment.objects.get(member=mod, revoked_at__isnull=True)
    assert (new.scope_kind, new.pod_id) == ("pod", pod.pk)
    entry = ModerationLogEntry.objects.get(action="assign_move")
    assert (entry.before, entry.after, entry.reason, entry.pod_id) == (
        "Region: Northshire", "Pod: Reactive dogs", "Focus on the reactive dogs", pod.pk)


def test_moving_to_the_same_scope_or_without_a_reason_is_refused_at_the_field(client, manager, region):
    mod = UserFactory()
    row = moderator_assign(actor=manager, member=mod, scope=Scope("region", region.pk))
    _login(client, manager)
    same = client.post(f"/moderation/team/{row.pk}/", {"action": "move", "move-scope": f"region:{region.pk}",
                                                       "move-reason": "again"})
    assert same.status_code == 400
    assert same.context["move"].errors["scope"] == ["They moderate that scope already: choose another one."]
    blank = client.post(f"/moderation/team/{row.pk}/", {"action": "move", "move-scope": "commons",
                                                        "move-reason": ""})
    assert blank.status_code == 400 and "reason" in blank.context["move"].errors
    assert ModeratorAssignment.objects.filter(revoked_at__isnull=True).count() == 1


def test_revoking_from_the_team_page_needs_a_reason_and_takes_effect_at_once(client, manager, region, pod):
    mod = UserFactory()
    row = moderator_assign(actor=manager, member=mod, scope=Scope("region", region.pk))
    report_create(actor=UserFactory(), post=PostFactory(pod=pod, author=UserFactory()), reason="spam")
    item = QueueItem.objects.get()
    queue_item_claim(actor=fresh(mod), item_id=item.pk)
    _login(client, manager)
    blank = client.post(f"/moderation/team/{row.pk}/", {"action": "revoke", "revoke-reason": " "})
    assert blank.status_code == 400 and "reason" in blank.context["revoke"].errors
    assert ModeratorAssignment.objects.get().revoked_at is None
    done = client.post(f"/moderation/team/{row.pk}/", {"action": "revoke", "revoke-reason": "Stepped back"})
    assert done.status_code == 302
    assert ModeratorAssignment.objects.get().revoked_at is not None
    assert not user_is_moderator(fresh(mod))
    item.refresh_from_db()
    assert item.claimed_by_id is None
    entry = ModerationLogEntry.objects.get(action="revoke")
    assert (entry.subject, entry.reason, entry.region_id) == (mod, "Stepped back", region.pk)


def test_an_assignment_page_is_404_for_an_unknown_id_and_403_for_non_managers(client, manager, member, region):
    row = moderator_assign(actor=manager, member=UserFactory(), scope=Scope("region", region.pk))
    assert _login(client, manager).get("/moderation/team/987654/").status_code == 404
    assert _login(client, member).get(f"/moderation/team/{row.pk}/").status_code == 403
    assert _login(client, member).post(f"/moderation/team/{row.pk}/", {
        "action": "revoke", "revoke-reason": "mine now"}).status_code == 403
    assert ModeratorAssignment.objects.get().revoked_at is None


def test_services_refuse_moves_and_revokes_from_non_managers(manager, region, member):
    row = moderator_assign(actor=manager, member=UserFactory(), scope=Scope("region", region.pk))
    other = PlaceFactory(kind="region", slug="southshire", name="Southshire")
    with pytest.raises(Http404):
        moderator_move(actor=fresh(member), assignment=row, scope=Scope("region", other.pk), reason="r")
    with pytest.raises(Http404):
        moderator_revoke(actor=fresh(member), assignment=row, reason="r")
    assert ModeratorAssignment.objects.get().revoked_at is None
