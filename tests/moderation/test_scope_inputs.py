"""Pages where a moderator picks a scope (the log filter; the rules, removal reasons, notes and Team forms)
cost the same whatever the number of pods: a short select (the Commons, regions, my own pods, the pods in
play) and, for any other pod, its slug typed in, checked on the server with the error at the field."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from moderation.models import ModerationLogEntry, ModeratorAssignment, ModeratorNote, RemovalReason, Rule
from moderation.selectors import log_scope_choices
from tests.factories import PodFactory, UserFactory

from .conftest import fresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def region_mod(region):
    user = UserFactory(username="regionmod")
    ModeratorAssignment.objects.create(member=user, scope_kind="region", region=region)
    return user


def idle_pods(city, n=30):
    """Pods with nothing logged or waiting, placed in a city (a pod's region costs a lookup when listed)."""
    return [PodFactory(name=f"Idle {i:02d}", slug=f"idle-{i:02d}", region=city) for i in range(n)]


def page_after_idle_pods(client, path, city, assert_num_queries) -> str:
    """`path` read warm, then again after 30 idle pods were added, asserting the second read costs exactly
    the queries of the first; returns the second page."""
    client.get(path)  # warm the session and caches
    with CaptureQueriesContext(connection) as before:
        assert client.get(path).status_code == 200
    idle_pods(city)
    with assert_num_queries(len(before.captured_queries)):
        return client.get(path).content.decode()


PAGES = ["/moderation/log/", "/moderation/rules/new/", "/moderation/reasons/", "/moderation/members/walker/",
         "/moderation/team/"]


@pytest.mark.parametrize("path", PAGES)
def test_a_managers_scope_pages_cost_the_same_with_30_more_pods(client, manager, member, pod, city, path,
                                                               django_assert_num_queries):
    client.force_login(manager)
    body = page_after_idle_pods(client, path, city, django_assert_num_queries)
    assert '<option value="pod:' not in body  # the manager stewards no pod and nothing is logged


def test_an_assignment_page_costs_the_same_with_30_more_pods(client, manager, region, city,
                                                             django_assert_num_queries):
    row = ModeratorAssignment.objects.create(member=UserFactory(username="mira"), scope_kind="region",
                                             region=region)
    path = f"/moderation/team/{row.pk}/"
    client.force_login(manager)
    assert "Idle 07" not in page_after_idle_pods(client, path, city, django_assert_num_queries)


@pytest.mark.parametrize("path", ["/moderation/log/", "/moderation/rules/new/", "/moderation/reasons/"])
def test_a_region_moderators_scope_pages_cost_the_same_with_30_more_pods_in_their_region(
        client, region_mod, member, pod, city, path, django_assert_num_queries):
    client.force_login(region_mod)
    assert "Idle 07" not in page_after_idle_pods(client, path, city, django_assert_num_queries)


def test_the_log_filter_lists_pods_logged_about_and_the_selected_one_not_idle_ones(manager, pod, city):
    idle = idle_pods(city, 3)
    ModerationLogEntry.objects.create(actor=manager, action="warn", scope_kind="pod", pod=pod,
                                      region_id=city.parent_id)
    keys = [c.key for c in log_scope_choices(fresh(manager), selected=f"pod:{idle[1].pk}")]
    assert keys == ["commons", f"region:{city.parent_id}", f"pod:{idle[1].pk}", f"pod:{pod.pk}"]


def test_the_log_filters_by_a_pod_named_in_the_address(client, manager, pod, city):
    quiet = idle_pods(city, 1)[0]
    ModerationLogEntry.objects.create(actor=manager, action="warn", scope_kind="pod", pod=quiet,
                                      region_id=city.parent_id, reason="about the quiet one")
    ModerationLogEntry.objects.create(actor=manager, action="warn", scope_kind="pod", pod=pod,
                                      region_id=city.parent_id, reason="about reactive dogs")
    client.force_login(manager)
    response = client.get(f"/moderation/log/?scope=pod:{quiet.pk}")
    body = response.content.decode()
    assert response.status_code == 200
    assert "about the quiet one" in body and "about reactive dogs" not in body
    assert f'<option value="pod:{quiet.pk}" selected>Pod: Idle 00</option>' in body


def test_a_log_filter_on_a_pod_outside_my_region_is_refused(client, region_mod, other_pod):
    client.force_login(region_mod)
    response = client.get(f"/moderation/log/?scope=pod:{other_pod.pk}")
    assert response.status_code == 400
    assert "scope" in response.context["form"].errors


def test_a_manager_makes_a_rule_in_a_pod_typed_by_its_slug(client, manager, pod, city):
    idle_pods(city, 2)
    client.force_login(manager)
    response = client.post("/moderation/rules/new/", {"scope": "commons", "pod": " Idle-01 ", "kind": "daily_cap",
                                                      "title": "Calm down", "enabled": "on", "posts": "3"})
    assert response.status_code == 302
    rule = Rule.objects.get(title="Calm down")
    assert (rule.scope_kind, rule.pod.slug, rule.settings["posts"]) == ("pod", "idle-01", 3)


@pytest.mark.parametrize("slug", ["no-such-pod", "cat-people"])
def test_a_slug_outside_my_scopes_is_told_at_the_field_and_kept(client, region_mod, pod, other_pod, slug):
    """A pod that does not exist and one outside my region read alike."""
    client.force_login(region_mod)
    response = client.post("/moderation/reasons/", {"scope": f"region:{pod.region.parent_id}", "pod": slug,
                                                    "title": "Spam", "text": "Spam."})
    assert response.status_code == 400
    assert response.context["form"].errors == {"pod": ["No pod with that slug among the pods you moderate."]}
    body = response.content.decode()
    assert f'value="{slug}"' in body and 'value="Spam"' in body
    assert not RemovalReason.objects.exists()


def test_an_unlisted_pod_in_my_region_is_unknown_by_slug_as_in_the_select(client, region_mod, member, city):
    PodFactory(name="Hidden", slug="hidden", region=city, is_unlisted=True, privacy="invite")
    client.force_login(region_mod)
    response = client.post("/moderation/members/walker/notes/", {"scope": "commons", "pod": "hidden",
                                                                 "text": "Watch"})
    assert response.status_code == 400
    assert response.context["form"].errors == {"pod": ["No pod with that slug among the pods you moderate."]}
    assert not ModeratorNote.objects.exists()


def test_a_region_moderator_notes_in_a_city_pod_by_its_key_or_slug(client, region_mod, member, pod):
    client.force_login(region_mod)
    for data in ({"scope": f"pod:{pod.pk}"}, {"pod": "reactive-dogs"}):
        response = client.post("/moderation/members/walker/notes/", {**data, "text": "Watch"})
        assert response.status_code == 302
    assert [(n.scope_kind, n.pod_id) for n in ModeratorNote.objects.all()] == [("pod", pod.pk)] * 2


def test_a_scope_key_i_do_not_moderate_is_refused_at_the_field(client, region_mod, member):
    client.force_login(region_mod)
    response = client.post("/moderation/members/walker/notes/", {"scope": "commons", "text": "Watch"})
    assert response.status_code == 400
    assert response.context["form"].errors == {"scope": ["Choose a scope you moderate."]}


def test_the_team_assigns_in_a_pod_typed_by_its_slug(client, manager, pod):
    mira = UserFactory(username="mira")
    client.force_login(manager)
    response = client.post("/moderation/team/", {"member": "mira", "scope": "", "pod": "reactive-dogs",
                                                 "reason": "Local"})
    assert response.status_code == 302
    row = ModeratorAssignment.objects.get(member=mira)
    assert (row.scope_kind, row.pod_id) == ("pod", pod.pk)
    response = client.post("/moderation/team/", {"member": "mira", "scope": "", "pod": "nope", "reason": "x"})
    assert response.status_code == 400
    assert response.context["form"].errors == {"pod": ["No pod with that slug among the pods you moderate."]}


def test_the_slug_input_suggests_pods_logged_about_lately(client, manager, member, pod, city):
    idle_pods(city, 2)
    ModerationLogEntry.objects.create(actor=manager, action="warn", scope_kind="pod", pod=pod,
                                      region_id=city.parent_id)
    client.force_login(manager)
    body = client.get("/moderation/reasons/").content.decode()
    assert 'list="id_pod-pods"' in body
    assert '<datalist id="id_pod-pods"><option value="reactive-dogs">Reactive dogs</option></datalist>' in body
