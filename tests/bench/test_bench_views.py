"""The benchmark's baselines must be fair: the naive feed shows exactly the posts the real feed shows."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from bench import wrk
from bench.stats import percentile, summary
from tests.factories import PodFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def posts():
    now = timezone.now()
    made = []
    for i in range(45):  # more than two pages, with scores that order differently per sort
        made.append(PostFactory(created_at=now - timedelta(minutes=7 * i), hot_score=float((i * 37) % 45),
                                reaction_count=(i * 11) % 9))
    PostFactory(pod=PodFactory(privacy="invite"), created_at=now)  # never in the Commons feed
    PostFactory(created_at=now, pinned_at=now)  # shown above the feed by both, not in the page itself
    return made


def _ids(response) -> list[int]:
    assert response.status_code == 200
    return [p.pk for p in response.context["page"].posts]


@override_settings(ROOT_URLCONF="bench.urls")
@pytest.mark.parametrize("sort", ["new", "hot", "top"])
def test_naive_and_real_feed_show_the_same_posts_on_page_1(client, posts, sort):
    real = _ids(client.get(f"/?sort={sort}"))
    naive = _ids(client.get(f"/bench/naive/?sort={sort}&page=1"))
    assert len(real) == 20
    assert naive == real


@override_settings(ROOT_URLCONF="bench.urls")
def test_naive_and_real_feed_agree_for_a_member_and_on_page_2(client, posts):
    client.force_login(UserFactory())
    first = client.get("/")  # members default to hot
    assert _ids(client.get("/bench/naive/?page=1")) == _ids(first)
    cursor = first.context["page"].next_cursor
    second = _ids(client.get(f"/?sort=hot&cursor={cursor}"))
    assert len(second) == 20
    assert _ids(client.get("/bench/naive/?sort=hot&page=2")) == second


@override_settings(ROOT_URLCONF="bench.urls")
def test_trivial_view_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/bench/trivial/")
    assert response.content == b"ok"


def test_bench_urls_are_not_in_the_product_urlconf(client):
    assert client.get("/bench/naive/").status_code == 404
    assert client.get("/bench/trivial/").status_code == 404


def test_wrk_script_embeds_requests_and_numbers_bodies():
    script = wrk.script_for([
        {"method": "GET", "path": "/?sort=new", "headers": {"Cookie": "a=b"}},
        {"method": "POST", "path": "/posts/new/", "headers": {}, "body": "body=x]]__N__"},
    ])
    assert 'path = [=[/?sort=new]=]' in script
    assert '[ [=[Cookie]=] ] = [=[a=b]=]' in script
    assert 'body = [=[body=x]]__N__]=], dynamic = true' in script
    assert "body = nil, dynamic = false" in script


def test_summary_reports_median_and_spread():
    s = summary([10.0, 12.0, 11.0, 30.0, None])
    assert (s["median"], s["min"], s["max"], s["n"]) == (11.5, 10.0, 30.0, 4)
    assert s["spread"] == round(20 / 11.5, 3)
    assert percentile([5, 1, 4, 2, 3], 50) == 3
    assert percentile(list(range(1, 101)), 99) == 99
