"""The COPY generator's text encoding and per-table defaults (bench/bulk.py)."""

import pytest

from bench.bulk import Table, _esc


def test_copy_text_escapes_the_characters_copy_gives_meaning():
    assert _esc("a\tb\nc\\d\re") == "a\\tb\\nc\\\\d\\re"
    assert _esc(None) == r"\N"
    assert (_esc(True), _esc(False)) == ("t", "f")
    assert _esc({"k": [1]}) == '{"k": [1]}'
    assert _esc(3) == "3"


def test_columns_the_generator_leaves_out_get_the_model_default():
    table = Table("communities.Post", ["id", "author_id", "pod_id", "body", "body_html", "sentiment", "audience",
                                       "status", "created_at", "last_activity_at", "paw_count", "heart_count",
                                       "helpful_count", "hug_count", "reaction_count", "comment_count", "hot_score"])
    left_out = table.sql.split("(", 1)[1].split(")", 1)[0].split(", ")[17:]
    defaults = dict(zip(left_out, table.suffix.lstrip("\t").split("\t"), strict=True))
    assert defaults['"is_announcement"'] == "f"
    assert defaults['"pinned_at"'] == r"\N"
    assert defaults['"removal_reason"'] == ""


def test_a_required_column_without_default_must_come_from_the_generator():
    with pytest.raises(ValueError, match="communities_comment.post_id"):
        Table("communities.Comment", ["id", "author_id", "body"])


def test_the_post_text_pool_ends_when_the_demo_has_fewer_distinct_texts_than_asked(monkeypatch):
    """The demo's pool (templates x pets x breeds) may shrink below bulk.TEXTS; the draw must still end."""
    from random import Random
    from types import SimpleNamespace

    from bench import bulk
    from communities import demo, rendering

    monkeypatch.setattr(rendering, "render_markdown", lambda text: f"<p>{text}</p>")  # speed: text only

    gen = object.__new__(bulk.Generator)
    gen.demo, gen.core = demo, SimpleNamespace(tags={"topic": []})
    posts, comments = gen._texts(Random(7))
    assert 0 < len(posts) <= bulk.TEXTS
    assert len({body for body, *_ in posts}) == len(posts)
    assert comments
