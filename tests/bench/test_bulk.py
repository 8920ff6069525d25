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
