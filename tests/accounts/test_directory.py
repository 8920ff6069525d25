"""The /members/ directory: filters through the page, hidden fields, pagination, constant queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communities.models import Place, Tag
from tests.factories import PetFactory, PlaceFactory, PodFactory, TagFactory, UserFactory, join

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    england = PlaceFactory(name="England", slug="england", kind=Place.Kind.REGION)
    leeds = PlaceFactory(name="Leeds", slug="leeds", kind=Place.Kind.CITY, parent=england)
    york = PlaceFactory(name="York", slug="york", kind=Place.Kind.CITY, parent=england)
    dog = TagFactory(kind=Tag.Kind.SPECIES, slug="dog", name="Dog")
    cat = TagFactory(kind=Tag.Kind.SPECIES, slug="cat", name="Cat")
    lab = TagFactory(kind=Tag.Kind.BREED, slug="labrador", name="Labrador", species=dog)
    senior = TagFactory(kind=Tag.Kind.NEED, slug="senior", name="senior")
    hiking = TagFactory(kind=Tag.Kind.INTEREST, slug="hiking", name="hiking")
    now = timezone.now()
    ann = UserFactory(username="ann", display_name="Ann", region=leeds, last_active_at=now)
    bea = UserFactory(username="bea", display_name="Bea", region=york, last_active_at=now - timedelta(days=40))
    cal = UserFactory(username="cal", display_name="Cal", last_active_at=now - timedelta(days=3))
    PetFactory(owner=ann, species=dog, breed=lab, name="Rex").needs.add(senior)
    PetFactory(owner=bea, species=cat, name="Tom").needs.add(senior)
    cal.interests.add(hiking)
    viewer = UserFactory(username="viewer", display_name="Zed Viewer")
    return locals()


def listed(response) -> list[str]:
    html = response.content.decode()
    return sorted(u for u in ("ann", "bea", "cal", "viewer") if f'class="card-title"><a href="/members/{u}/"' in html)


@pytest.mark.parametrize("query,expected", [
    ("", ["ann", "bea", "cal", "viewer"]),
    ("q=be", ["bea"]),
    ("species=dog", ["ann"]),
    ("breed=labrador", ["ann"]),
    ("needs=senior", ["ann", "bea"]),
    ("species=cat&needs=senior", ["bea"]),
    ("region=england", ["ann", "bea"]),
    ("region=york", ["bea"]),
    ("interests=hiking", ["cal"]),
    ("active=7", ["ann", "cal", "viewer"]),  # the viewer, browsing now, is active too
])
def test_each_filter_lists_the_expected_members(client, world, query, expected):
    client.force_login(world["viewer"])
    response = client.get(f"/members/?{query}")
    assert response.status_code == 200
    assert listed(response) == expected


def test_invalid_filter_shows_a_message_and_keeps_input(client, world):
    client.force_login(world["viewer"])
    response = client.get("/members/?q=ann&species=unicorn")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Select a valid choice" in html and 'value="ann"' in html


def test_hidden_region_is_neither_shown_nor_matchable(client, world):
    ann = world["ann"]
    ann.region_visibility = "trusted"
    ann.pets_visibility = "trusted"
    ann.save()
    client.force_login(world["viewer"])
    html = client.get("/members/").content.decode()
    assert 'href="/members/ann/"' in html
    assert "Leeds, England" not in html and "Rex" not in html
    assert listed(client.get("/members/?region=leeds")) == []
    assert listed(client.get("/members/?species=dog")) == []
    # A trusted pod-mate sees and matches it.
    pod = PodFactory()
    join(ann, pod)
    join(world["viewer"], pod, rung="trusted")
    client.force_login(world["viewer"])
    assert listed(client.get("/members/?region=leeds")) == ["ann"]
    assert "Leeds, England" in client.get("/members/").content.decode()


def test_keyset_pagination_walks_every_member_once(client, world):
    client.force_login(world["viewer"])
    from communities.selectors import directory_page

    seen, cursor = [], None
    while True:
        page = directory_page(viewer=world["viewer"], filters={}, cursor=cursor, page_size=2)
        seen += [c.member.username for c in page.cards]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert seen == ["ann", "bea", "cal", "viewer"]
    response = client.get("/members/?species=dog&cursor=garbage")
    assert response.status_code == 200 and listed(response) == ["ann"]


def test_directory_query_count_is_constant(client, world, django_assert_num_queries):
    viewer = world["viewer"]
    client.force_login(viewer)
    client.get("/members/")  # warm: last-active touch, cached vocabulary choices
    with CaptureQueriesContext(connection) as ctx:
        client.get("/members/?needs=senior")
    few = len(ctx.captured_queries)
    # session, user, pod roles, members, pets, interests (+ the navigation's own badges).
    assert few <= 9, [q["sql"][:80] for q in ctx.captured_queries]
    for i in range(30):
        u = UserFactory(username=f"extra{i}", region=world["leeds"])
        PetFactory(owner=u, species=world["dog"]).needs.add(world["senior"])
        u.interests.add(world["hiking"])
    with django_assert_num_queries(few):
        response = client.get("/members/?needs=senior")
    assert response.content.decode().count('<article class="card">') == 24  # a full page


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_a_directory_page_is_read_in_order_from_its_index(world):
    """The page's members come off `user_directory_order` in order (no sort of every member): the index is
    on the selector's own expression, and the planner matches it. Sorting is priced out so the few rows
    here cannot make a sort look cheaper; an index on any other expression would leave it no plan without
    one."""
    from communities.selectors import directory_page

    with CaptureQueriesContext(connection) as ctx:
        directory_page(viewer=world["viewer"], filters={})
    statements = [q["sql"] for q in ctx.captured_queries if "sort_name" in q["sql"]]
    assert len(statements) == 1
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + statements[0])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "user_directory_order" in plan, plan
    assert "Sort Key" not in plan, plan
