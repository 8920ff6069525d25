"""The dashboards through the test client: access, content, CSV, constant queries, the pulse."""

import csv
import io
from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrics.models import MetricRollup, PulseResponse, PulseSurvey
from metrics.services import cohorts_recompute, metrics_backfill, rollup_period
from tests.factories import PodFactory, UserFactory, join

from .conftest import TODAY, WEEK

pytestmark = pytest.mark.django_db
RANGE = "?period=week&start=2025-02-01&end=2025-03-09"


@pytest.fixture
def manager(db):
    user = UserFactory(username="boss", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name="Community managers")[0])
    return user


@pytest.fixture
def rolled(world):
    metrics_backfill(since=date(2025, 2, 1), until=TODAY)
    return world


def test_dashboard_needs_a_manager(client, world):
    assert client.get("/metrics/").status_code == 302
    client.force_login(world.a)
    assert client.get("/metrics/").status_code == 403


def test_dashboard_shows_cards_with_definitions_and_dashes(client, manager, rolled):
    client.force_login(manager)
    body = client.get(f"/metrics/{RANGE}&pod=p1").content.decode()
    assert "2025-W10" in body and "Broad vs micro" in body
    assert "(Comments + reactions) ÷ impressions." in body  # the definition beside the figure
    assert "P1" in body and 'href="/pods/p1/insights/"' in body
    assert "—" in body  # a ratio with nothing to divide by
    assert "<canvas" in body and "chart.umd.min.js" in body and "Show as a table" in body
    assert "members whose profile place is the region or a city in it" in body  # the region definition
    assert "North" in body  # the fixture's region has a row

def test_dashboard_csv_of_the_cards(client, manager, rolled):
    client.force_login(manager)
    response = client.get(f"/metrics/{RANGE}&pod=p1&format=csv&table=cards")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["Figure", "Commons", "Commons: change"]
    by_label = {r[0]: r for r in rows[1:]}
    assert by_label["Impressions"][1] == "7" and by_label["Engagement rate"][1] == "1"  # numbers, not "100.0%"
    assert by_label["Impressions"][5] == "2"  # P1
    assert client.get(f"/metrics/{RANGE}&format=csv&table=nope").status_code == 404


def test_every_dashboard_table_downloads(client, manager, rolled):
    client.force_login(manager)
    for name in ["figures", "cohorts", "sentiment_map", "influencers", "emerging_niches", "attention", "pods",
                 "pod_effect", "series_engagement_rate", "regions"]:
        response = client.get(f"/metrics/{RANGE}&format=csv&table={name}")
        assert response.status_code == 200, name
        assert response.content.decode().count("\n") >= 1


def test_bad_range_shows_errors_and_defaults(client, manager, rolled):
    client.force_login(manager)
    response = client.get("/metrics/?start=2025-03-09&end=2025-03-01&pod=no-such-pod&period=year")
    assert response.status_code == 200
    body = response.content.decode()
    assert "The start must be on or before the end." in body and "No pod has that name." in body
    assert 'value="no-such-pod"' in body


def test_a_region_is_a_third_column_with_its_cohorts_and_csv_cells_are_numbers(client, manager, rolled):
    client.force_login(manager)
    response = client.get(f"/metrics/{RANGE}&region=north")
    body = response.content.decode()
    assert [name for name, _ in [(c["scope"], c) for c in response.context["cards"][0]["cells"]]] == [
        "Commons", "All pods", "North"]
    assert '<option value="north" selected>North</option>' in body
    rows = list(csv.reader(io.StringIO(client.get(f"/metrics/{RANGE}&region=north&format=csv&table=cards")
                                       .content.decode())))
    assert rows[0][5:7] == ["North", "North: change"]
    by_label = {r[0]: r for r in rows[1:]}
    # North: a and d (Leeds) and b live there; all three were active in W10, with 4 + 3 + 1 impressions.
    assert by_label["Active members"][5] == "3" and by_label["Impressions"][5] == "8"
    for row in rows[1:]:
        for cell in row[1:-1]:
            assert cell == "" or float(cell) == float(cell.replace(",", "")), (row[0], cell)  # 2478, 0.11
    january = "?period=week&start=2025-01-01&end=2025-03-09&region=north&format=csv&table=cohorts"
    cohorts = list(csv.reader(io.StringIO(client.get(f"/metrics/{january}").content.decode())))
    assert {(r[0], r[1], r[2]) for r in cohorts[1:]} >= {("Commons", "2025-W02", "3"), ("North", "2025-W02", "3")}


def test_pods_are_picked_by_name_from_a_list_and_sections_are_linked(client, manager, rolled):
    client.force_login(manager)
    body = client.get(f"/metrics/{RANGE}&pod=P2").content.decode()
    assert '<datalist id="pod-choices"><option value="P1"></option><option value="P2"></option></datalist>' in body
    assert 'href="/pods/p2/insights/"' in body  # the pod named P2 is the third column
    assert 'aria-label="On this page"' in body
    for section in ("cards-title", "series-title", "pods-title", "retention-title", "invest-title", "regions-title",
                    "pulse-title", "definitions-title"):
        assert f'href="#{section}"' in body and f'id="{section}"' in body


def test_pulse_is_summed_over_pods_on_the_dashboard(client, manager, rolled):
    for pod, asked, answers, scores in ((rolled.p1, 4, 2, 9), (rolled.p2, 6, 1, 2)):
        PulseSurvey.objects.create(pod=pod, month=date(2025, 3, 1), asked_count=asked, response_count=answers,
                                   score_sum=scores)
    client.force_login(manager)
    rows = list(csv.reader(io.StringIO(client.get(f"/metrics/{RANGE}&format=csv&table=pulse").content.decode())))
    assert rows[1] == ["March 2025", "2", "10", "3", "0.3", "3.66667"]  # 3 of 10 asked; (9 + 2) / 3


def test_insights_charts_draw_the_all_pods_median(client, manager, rolled):
    client.force_login(manager)
    response = client.get(f"/pods/p1/insights/{RANGE}")
    chart = next(c for c in response.context["charts"] if c.id == "pod-chart-active_members")
    median = next(d for d in chart.data["datasets"] if d["label"] == "All-pods median")
    assert median["borderDash"] and len(median["data"]) == len(chart.labels)
    w10 = chart.labels.index("2025-W10")
    # P1 (a, b active) and P2 (a, c active) both had 2 active members in W10: the median is 2.
    assert median["data"][w10] == 2


def _seed_pods(n: int):
    for i in range(n):
        pod = PodFactory(slug=f"q{n}-{i}")
        MetricRollup.objects.create(scope_kind="pod", scope_id=pod.pk, period="week", start=WEEK,
                                    end=date(2025, 3, 9), days=7, members_end=3 + i, active_members=2,
                                    impressions=10, comments=2, attention="no_steward")


def test_dashboard_queries_do_not_grow_with_pods(client, manager, rolled):
    client.force_login(manager)
    client.get(f"/metrics/{RANGE}")  # warm caches (session, seen-today keys)
    _seed_pods(3)
    with CaptureQueriesContext(connection) as few:
        client.get(f"/metrics/{RANGE}")
    _seed_pods(20)
    with CaptureQueriesContext(connection) as many:
        assert client.get(f"/metrics/{RANGE}").status_code == 200
    assert len(many) == len(few) <= 22  # 18, and four for the Moderation section


def test_dashboard_never_reads_raw_events(client, manager, rolled):
    client.force_login(manager)
    client.get(f"/metrics/{RANGE}")
    with CaptureQueriesContext(connection) as ctx:
        client.get(f"/metrics/{RANGE}")
    # The nav's queue badge (moderation) reads its own table; everything else must be rollups.
    sql = " ".join(q["sql"] for q in ctx.captured_queries if "moderation_queueitem" not in q["sql"])
    for raw in ("metrics_impression", "metrics_activityday", "communities_post", "communities_comment",
                "communities_reaction", "microgroups_membershipevent"):
        assert raw not in sql


def test_insights_for_stewards_and_managers_only(client, manager, rolled):
    steward, member = UserFactory(), UserFactory()
    join(steward, rolled.p1, role="steward")
    join(member, rolled.p1)
    client.force_login(member)
    assert client.get("/pods/p1/insights/").status_code == 403
    assert client.get("/pods/no-such/insights/").status_code == 404
    client.force_login(steward)
    response = client.get(f"/pods/p1/insights/{RANGE}")
    assert response.status_code == 200
    body = response.content.decode()
    assert "All-pods median" in body and "P1: insights" in body
    client.force_login(manager)
    assert client.get("/pods/p1/insights/?format=csv&table=insights").status_code == 200


def test_unlisted_pod_insights_are_404_for_outsiders(client, world):
    secret = PodFactory(slug="secret", privacy="invite", is_unlisted=True)
    client.force_login(world.a)
    assert client.get(f"/pods/{secret.slug}/insights/").status_code == 404


def test_pulse_prompt_answer_and_results(client, manager):
    pod = PodFactory(slug="cats")
    steward, member, late = UserFactory(), UserFactory(), UserFactory()
    join(steward, pod, role="steward")
    join(member, pod)
    from metrics.services import pulse_open_month

    assert pulse_open_month() == 1 and pulse_open_month() == 0
    survey = PulseSurvey.objects.get(pod=pod)
    assert survey.asked_count == 2
    join(late, pod)  # joined after the pulse opened: not asked this month
    client.force_login(member)
    page = client.get(f"/pods/{pod.slug}/pulse/").content.decode()
    assert "How valuable is this pod to you?" in page
    response = client.post(f"/pods/{pod.slug}/pulse/", {"score": "9", "text": "More meetups"})
    assert "less than or equal to 5" in response.content.decode() and "More meetups" in response.content.decode()
    response = client.post(f"/pods/{pod.slug}/pulse/", {"score": "4", "text": "More meetups"})
    assert response.status_code == 302
    assert client.post(f"/pods/{pod.slug}/pulse/", {"score": "5"}).status_code == 403  # once a month
    client.force_login(late)
    assert client.post(f"/pods/{pod.slug}/pulse/", {"score": "5"}).status_code == 403
    survey.refresh_from_db()
    assert (survey.response_count, survey.mean_score, survey.response_rate) == (1, 4.0, 0.5)
    assert PulseResponse.objects.get().text == "More meetups"
    client.force_login(steward)
    body = client.get(f"/pods/{pod.slug}/insights/").content.decode()
    assert "More meetups" in body and "50.0%" in body and member.username not in body


def test_pulse_prompt_tag_shows_only_to_members_who_may_answer(rf, world):
    from django.template import Context, Template

    from metrics.services import pulse_open_month

    join(world.a, world.p1)
    pulse_open_month()
    template = Template("{% load metrics_tags %}{% pulse_prompt pod %}")
    request = rf.get("/")
    for user, expected in [(world.a, True), (world.c, False)]:
        request.user = user
        html = template.render(Context({"request": request, "pod": world.p1, "csrf_token": "x"}))
        assert ("This month's pulse" in html) is expected


def test_rollup_rows_for_the_manager_dashboard_exist_after_backfill(rolled):
    assert MetricRollup.objects.filter(period="d28").exists()
    rollup_period(period="week", start=WEEK, today=TODAY)
    cohorts_recompute(weeks=[WEEK], today=TODAY)


def test_admin_lists_rollups_and_recomputes(client, world):
    admin_user = UserFactory(username="root", is_staff=True, is_superuser=True)
    rollup_period(period="week", start=WEEK, today=TODAY)
    client.force_login(admin_user)
    for url in ["/admin/metrics/metricrollup/", "/admin/metrics/retentioncohort/", "/admin/metrics/pulsesurvey/",
                "/admin/metrics/pulseresponse/"]:
        assert client.get(url).status_code == 200, url
    ids = list(MetricRollup.objects.filter(period="week").values_list("pk", flat=True))
    response = client.post("/admin/metrics/metricrollup/", {"action": "recompute", "_selected_action": ids[:1]})
    assert response.status_code == 302
    assert MetricRollup.objects.filter(period="week", start=WEEK).count() == len(ids)
