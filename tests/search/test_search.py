"""Search: ranked, highlighted, filtered, and only ever over what the viewer may read."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communities.models import ContentStatus, Post, Tag
from communities.services.comments import comment_create
from communities.services.posts import post_create, post_edit
from microgroups.models import Pod
from search.selectors import SearchFilters, search
from tests.factories import PodFactory, TagFactory, UserFactory, join

pytestmark = pytest.mark.django_db


def find(user, q, **kw):
    return search(user=user, filters=SearchFilters(q=q, **kw))


def found_ids(user, q, **kw):
    return [hit.obj.pk for hit in find(user, q, **kw).hits]


@pytest.fixture
def author():
    return UserFactory(username="amelia", display_name="Amelia Paws")


@pytest.fixture
def reader():
    return UserFactory(username="rory")


def test_search_finds_a_commons_post_with_the_words_highlighted(author, reader):
    post = post_create(actor=author, body="Biscuit loves the long walks by the river every morning")
    post_create(actor=author, body="Nothing to see here about cats")
    results = find(reader, "river walks")
    assert [h.obj.pk for h in results.hits] == [post.pk]
    assert results.counts["posts"] == 1
    assert results.hits[0].url == f"/posts/{post.pk}/"
    snippet = str(results.hits[0].snippet)
    assert "<mark>river</mark>" in snippet
    assert "<mark>walks</mark>" in snippet or "<mark>walk" in snippet


def test_search_escapes_the_text_it_quotes(author, reader):
    post_create(actor=author, body="Cats & dogs <script>alert(1)</script> kibble review")
    snippet = str(find(reader, "kibble").hits[0].snippet)
    assert "<script>" not in snippet
    assert "Cats &amp; dogs" in snippet
    assert snippet.count("<") == snippet.count("<mark>") + snippet.count("</mark>")


def test_search_leaves_out_words_after_a_minus(author, reader):
    dogs = post_create(actor=author, body="Treats for dogs and puppies")
    post_create(actor=author, body="Treats for cats and kittens")
    assert found_ids(reader, "treats -cats") == [dogs.pk]


def test_private_pod_posts_are_found_by_members_only_and_never_counted(author, reader):
    pod = PodFactory(privacy=Pod.Privacy.REQUEST, name="Quiet pod")
    join(author, pod)
    member = UserFactory()
    join(member, pod)
    secret = post_create(actor=author, pod=pod, body="Zanzibar the tortoise escaped again")
    assert found_ids(member, "zanzibar") == [secret.pk]
    results = find(reader, "zanzibar")
    assert results.hits == [] and results.counts["posts"] == 0
    anonymous = find(None, "zanzibar")
    assert anonymous.hits == [] and anonymous.counts["posts"] == 0


def test_trusted_only_posts_are_found_by_trusted_members_only(author):
    pod = PodFactory(privacy=Pod.Privacy.OPEN)
    join(author, pod, rung="trusted")
    regular, trusted = UserFactory(), UserFactory()
    join(regular, pod, rung="regular")
    join(trusted, pod, rung="trusted")
    post = post_create(actor=author, pod=pod, body="Quokka sightings for the inner circle", audience="trusted")
    assert found_ids(trusted, "quokka") == [post.pk]
    assert found_ids(regular, "quokka") == []
    assert find(regular, "quokka").counts["posts"] == 0


@pytest.mark.parametrize("status", [ContentStatus.HELD, ContentStatus.REMOVED, ContentStatus.DELETED])
def test_held_removed_and_deleted_posts_are_never_found(author, reader, status):
    post = post_create(actor=author, body="Axolotl tank cleaning tips")
    Post.objects.filter(pk=post.pk).update(status=status)
    for viewer in (reader, author):
        results = find(viewer, "axolotl")
        assert results.hits == [] and results.counts["posts"] == 0


def test_comments_are_found_only_on_posts_the_viewer_may_read(author, reader):
    open_post = post_create(actor=author, body="Open question about harnesses")
    comment = comment_create(actor=reader, post=open_post, body="Try the marmalade coloured harness")
    pod = PodFactory(privacy=Pod.Privacy.INVITE)
    join(author, pod)
    hidden_post = post_create(actor=author, pod=pod, body="Pod-only question")
    comment_create(actor=author, post=hidden_post, body="A marmalade secret inside the pod")
    outsider = UserFactory()
    results = find(outsider, "marmalade", scope="comments")
    assert [h.obj.pk for h in results.hits] == [comment.pk]
    assert results.counts["comments"] == 1
    assert results.hits[0].url == f"/posts/{open_post.pk}/?comment={comment.pk}#comment-{comment.pk}"


def test_unlisted_pods_are_found_by_their_members_only(author, reader):
    listed = PodFactory(name="Hedgehog friends", description="All about hedgehogs")
    unlisted = PodFactory(name="Hedgehog hideout", privacy=Pod.Privacy.INVITE, is_unlisted=True)
    join(author, unlisted)
    assert found_ids(reader, "hedgehog", scope="pods") == [listed.pk]
    assert find(reader, "hedgehog").counts["pods"] == 1
    assert sorted(found_ids(author, "hedgehog", scope="pods")) == sorted([listed.pk, unlisted.pk])


def test_members_are_searched_by_name_for_signed_in_viewers_only(author, reader):
    assert found_ids(reader, "amelia", scope="members") == [author.pk]
    assert found_ids(reader, "paws", scope="members") == [author.pk]
    assert find(None, "amelia").counts["members"] == 0


def test_filters_narrow_by_pod_species_author_and_date(author, reader):
    cat = TagFactory(kind=Tag.Kind.SPECIES, slug="cat", name="Cat")
    pod = PodFactory(slug="cat-corner")
    join(author, pod)
    join(reader, pod)
    in_pod = post_create(actor=author, pod=pod, body="Whisker care routine")
    commons = post_create(actor=author, body="Whisker facts", tags=[cat])
    by_reader = post_create(actor=reader, body="Whisker trimming question")
    old = post_create(actor=reader, body="Whisker story from long ago")
    Post.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    assert found_ids(reader, "whisker", pod="cat-corner") == [in_pod.pk]
    assert found_ids(reader, "whisker", species="cat") == [commons.pk]
    assert sorted(found_ids(reader, "whisker", author="AMELIA")) == sorted([in_pod.pk, commons.pk])
    week_ago = (timezone.now() - timedelta(days=7)).date()
    assert old.pk not in found_ids(reader, "whisker", after=week_ago)
    assert found_ids(reader, "whisker", before=week_ago) == [old.pk]
    assert by_reader.pk in found_ids(reader, "whisker")


def test_an_edit_replaces_what_the_post_is_found_by(author, reader):
    post = post_create(actor=author, body="Gerbil bedding question")
    post_edit(actor=author, post=post, body="Hamster bedding question")
    assert found_ids(reader, "hamster") == [post.pk]
    assert found_ids(reader, "gerbil") == []


def test_a_search_page_costs_three_queries_whatever_its_length(author, reader, django_assert_num_queries):
    for i in range(12):
        post_create(actor=author, body=f"Parrot perch idea number {i}")
    reader = type(reader).objects.get(pk=reader.pk)  # a fresh request's user: roles not yet memoised
    # the viewer's pod roles; the counts for posts, comments, pods and members (one statement); the page.
    with django_assert_num_queries(3):
        results = find(reader, "parrot")
        assert len(results.hits) == 12
        assert [h.obj.author.name for h in results.hits][:1] == ["Amelia Paws"]


def test_an_empty_query_searches_nothing(reader, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert find(reader, "   ").counts == {}


def test_search_page_renders_results_and_field_errors(client, author):
    post_create(actor=author, body="Ferret hammock recommendations")
    page = client.get("/search/", {"q": "ferret"})
    assert page.status_code == 200
    assert "<mark>Ferret</mark>" in page.content.decode()
    bad = client.get("/search/", {"q": "ferret", "after": "2026-02-10", "before": "2026-01-01"})
    assert bad.status_code == 200
    assert "Pick an end date on or after the start date." in bad.content.decode()
    assert 'data-search-hit' not in bad.content.decode()


# Capped counts --------------------------------------------------------------------------------------------

def test_a_count_past_the_cap_says_so_and_the_pages_go_on(author, reader, monkeypatch):
    monkeypatch.setattr("search.selectors.COUNT_CAP", 3)
    posts = [post_create(actor=author, body=f"Tortoise diet question {i}") for i in range(5)]
    with CaptureQueriesContext(connection) as queries:
        results = find(reader, "tortoise")
    counts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT (SELECT COUNT(*)")]
    assert len(counts) == 1 and counts[0].count("LIMIT 4) AS n_") == 4  # one statement, never past the cap
    assert results.counts["posts"] == 3
    assert results.capped == frozenset({"posts"})
    assert results.count_label("posts") == "3+" and results.total_label == "3+"
    assert results.count_label("comments") == "0"
    assert sorted(h.obj.pk for h in results.hits) == sorted(p.pk for p in posts)


def test_a_capped_count_never_counts_what_the_viewer_may_not_read(author, reader, monkeypatch):
    monkeypatch.setattr("search.selectors.COUNT_CAP", 3)
    pod = PodFactory(privacy=Pod.Privacy.REQUEST)
    join(author, pod)
    for i in range(4):
        post_create(actor=author, pod=pod, body=f"Iguana heat lamp {i}")
    open_posts = [post_create(actor=author, body=f"Iguana basking spot {i}") for i in range(2)]
    results = find(reader, "iguana")
    assert results.counts["posts"] == 2 and results.capped == frozenset()
    assert sorted(h.obj.pk for h in results.hits) == sorted(p.pk for p in open_posts)
    on_page = client_page(reader, "iguana")
    assert "Posts <span class=\"badge\">2</span>" in on_page


def test_the_page_shows_a_capped_count_with_a_plus(author, reader, monkeypatch):
    monkeypatch.setattr("search.selectors.COUNT_CAP", 2)
    for i in range(3):
        post_create(actor=author, body=f"Newt pond plants {i}")
    html = client_page(reader, "newt")
    assert "Posts <span class=\"badge\">2+</span>" in html
    assert "2+ posts for" in html


def client_page(user, q, **params) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.get("/search/", {"q": q, **params}).content.decode()


# The ranked page (PostgreSQL) -----------------------------------------------------------------------------

def _private_matches_ranked_first(author, word: str):
    """25 posts in an invite-only pod that rank above 22 Commons posts with `word`: (the best Commons
    post, the other 21)."""
    pod = PodFactory(privacy=Pod.Privacy.INVITE)
    join(author, pod)
    for i in range(25):
        post_create(actor=author, pod=pod, body=f"{word} {word} {word} {word} private note {i}")
    best = post_create(actor=author, body=f"{word} {word} {word} enclosure")
    return best, [post_create(actor=author, body=f"{word} enclosure number {i}") for i in range(21)]


def test_a_page_skips_matches_the_viewer_may_not_read_and_keeps_rank_order(author, reader):
    """The best-ranked matches are private: the reader's page is the readable ones, best first, and the
    next page starts where this one stopped."""
    best, rest = _private_matches_ranked_first(author, "Gecko")
    first = find(reader, "gecko")
    assert first.counts["posts"] == 22
    if connection.vendor == "postgresql":  # ranked; the text-matching fallback lists newest first
        assert first.hits[0].obj.pk == best.pk
    assert first.has_next
    second = search(user=reader, filters=SearchFilters(q="gecko"), page=2)
    shown = [h.obj.pk for h in first.hits] + [h.obj.pk for h in second.hits]
    assert sorted(shown) == sorted([best.pk] + [p.pk for p in rest])
    assert not second.has_next


def test_a_page_reads_every_match_when_the_read_check_rejects_the_top_candidates(author, reader, monkeypatch):
    """With room for only two unreadable matches among the top-ranked candidates, 25 private ones rank
    above every readable match: the page is read again over every match and still shows the readable
    ones, best first (PostgreSQL; the text-matching fallback has no candidates)."""
    monkeypatch.setattr("search.selectors.CANDIDATE_SLACK", 2)
    best, rest = _private_matches_ranked_first(author, "Axolotl")
    first = find(reader, "axolotl")
    assert len(first.hits) == 20
    if connection.vendor == "postgresql":
        assert first.hits[0].obj.pk == best.pk
    second = search(user=reader, filters=SearchFilters(q="axolotl"), page=2)
    assert sorted(h.obj.pk for h in first.hits + second.hits) == sorted([best.pk] + [p.pk for p in rest])


def test_equally_ranked_results_come_newest_first_across_pages(author, reader):
    """22 posts that rank alike, created (ids ascending) with ever older dates: the first page is the 20
    newest, newest first, whatever their ids; the two oldest are on page two."""
    posts = [post_create(actor=author, body=f"Budgie toy number {i}") for i in range(22)]
    for i, post in enumerate(posts):
        Post.objects.filter(pk=post.pk).update(created_at=timezone.now() - timedelta(hours=i))
    from search.documents import documents_rebuild

    documents_rebuild()  # the rows were backdated behind the services' back, as a restore would bring them
    assert found_ids(reader, "budgie") == [p.pk for p in posts[:20]]
    second = search(user=reader, filters=SearchFilters(q="budgie"), page=2)
    assert [h.obj.pk for h in second.hits] == [posts[20].pk, posts[21].pk]


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_a_document_carries_its_rows_creation_time():
    from search.models import CommentDocument, PostDocument

    author = UserFactory()
    post = post_create(actor=author, body="Chinchilla dust bath")
    comment = comment_create(actor=author, post=post, body="Chinchilla fur")
    assert PostDocument.objects.get(post=post).created_at == post.created_at
    assert CommentDocument.objects.get(comment=comment).created_at == comment.created_at
    post_edit(actor=author, post=post, body="Chinchilla sand bath")
    assert PostDocument.objects.get(post=post).created_at == post.created_at


def test_a_scope_with_nothing_found_costs_no_page_query(author, reader, django_assert_num_queries):
    post_create(actor=author, body="Ferret tunnel")
    reader = type(reader).objects.get(pk=reader.pk)
    with django_assert_num_queries(2):  # the viewer's roles and the counts
        results = find(reader, "ferret", scope="comments")
    assert results.counts["posts"] == 1 and results.hits == [] and not results.has_next
    with django_assert_num_queries(1):
        assert search(user=reader, filters=SearchFilters(q="ferret"), page=2).hits == []


@pytest.mark.parametrize("scope", ["posts", "comments"])
def test_the_page_renders_its_hits_without_a_query_per_hit(author, reader, scope):
    """A page loads only the columns a hit shows; whatever the template reads must be among them, or each
    hit would cost a query of its own."""
    pod = PodFactory(slug="ferret-club", name="Ferret club")
    join(author, pod)
    join(reader, pod)

    def page_queries(n):
        for i in range(n):
            post = post_create(actor=author, pod=pod if i % 2 else None, body=f"Ocelot note {i}")
            comment_create(actor=reader, post=post, body=f"Ocelot reply {i}")
        with CaptureQueriesContext(connection) as queries:
            html = client_page(reader, "ocelot", scope=scope)
        return len(queries.captured_queries), html

    client_page(reader, "ocelot", scope=scope)  # fills the caches a first page of any kind fills
    few, _ = page_queries(2)
    many, html = page_queries(10)
    assert html.count("data-search-hit=") == 12
    assert "Amelia Paws" in html and "Ferret club" in html
    assert many == few


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_a_rebuild_leaves_no_pending_entries_for_searches_to_read_through():
    """New documents wait in each GIN index's pending list, which every search reads entry by entry; a
    rebuild (after a bulk load or a restore) merges them into the index."""
    from search.documents import GIN_INDEXES, documents_rebuild

    author = UserFactory()
    for i in range(5):
        comment_create(actor=author, post=post_create(actor=author, body=f"Capybara bath {i}"), body="Capybara")
    documents_rebuild()
    with connection.cursor() as cursor:
        for index in GIN_INDEXES:
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
            assert cursor.fetchone()[0] == 0, index  # pages it had left to merge
