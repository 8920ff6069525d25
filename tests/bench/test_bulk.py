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


# The posts' ranges (bench/bulk.py generate_range): rows from a spec alone, collected here instead of COPY.

TABLES = ("post", "post_tags", "comment", "reaction", "impression", "activity")
NOW = 1_795_000_000  # a whole second, as Generator.content passes it


def _spec(index: int = 0, *, seed: int = 7, posts: int = 2000, comments: int = 6000, impressions: int = 20_000,
          heavy: int = 2000) -> dict:
    from random import Random

    from bench import bulk

    rng = Random(99)
    members = list(range(1000, 1600))
    pods = {pod: rng.sample(members, 12) for pod in range(1, 40)}
    pod_ids = list(pods)
    return {"seed": seed, "ranges": 2, "index": index, "members": members, "pods": pods,
            "post_pods": [pod_ids[n % len(pod_ids)] if n % 3 == 0 else 0 for n in range(posts)],
            "post_texts": [(f"body {i}\t<p>body {i}</p>\t0.5", [7] if i % 2 else []) for i in range(50)],
            "comment_texts": [f"comment {i}\t<p>comment {i}</p>\t0.0" for i in range(20)],
            "kinds": ["paw", "heart", "helpful", "hug"], "now": NOW, "days": 90, "heavy_day": NOW // 86400 - 100,
            "comment_mean": bulk.comment_draw_mean(posts, comments), "hot": (2, 1735689600.0, 45000),
            "tables": {name: (name, "\tdefault") for name in TABLES},
            "id_base": {name: 1 for name in TABLES if name != "post"}, "post_start": 1 + index * posts,
            "impressions": impressions, "heavy": heavy}


def _rows(spec: dict) -> tuple[dict, dict]:
    from bench import bulk

    rows: dict[str, list[list[str]]] = {name: [] for name in TABLES}

    def sink(table: str, data: bytes) -> None:
        rows[table] += [line.split("\t") for line in data.decode().splitlines()]

    return rows, bulk.generate_range(spec, sink)


def test_a_range_is_the_same_rows_for_the_same_seed_and_other_rows_for_another():
    first, again, other = _rows(_spec()), _rows(_spec()), _rows(_spec(seed=8))
    assert first == again
    assert first[0]["comment"] != other[0]["comment"]


def test_the_counts_come_within_a_few_percent_of_the_targets():
    rows, result = _rows(_spec(posts=2000, comments=6000, impressions=20_000, heavy=2000))
    assert len(rows["post"]) == 2000
    assert 6000 * 0.95 < len(rows["comment"]) < 6000 * 1.05
    # A few impressions fall to the once-a-day rule (the same member drawn twice for a post and day).
    assert 22_000 * 0.9 < len(rows["impression"]) <= 22_000
    assert result["counts"] == {name: len(rows[name]) for name in TABLES}


def test_the_comment_draw_averages_comments_per_post():
    from math import exp
    from random import Random

    from bench.bulk import comment_draw_mean

    mean = comment_draw_mean(1_000_000, 3_000_000)
    assert 1 / (exp(1 / mean) - 1) == pytest.approx(3.0)
    rng = Random(1)
    assert sum(int(rng.expovariate(1 / mean)) for _ in range(200_000)) / 200_000 == pytest.approx(3.0, rel=0.02)


def test_two_ranges_take_disjoint_ids_and_report_the_next_free_one():
    (a, result_a), (b, result_b) = _rows(_spec(0)), _rows(_spec(1))
    for table in ("comment", "reaction", "impression", "activity", "post_tags"):
        ids_a, ids_b = {int(r[0]) for r in a[table]}, {int(r[0]) for r in b[table]}
        assert not ids_a & ids_b
        assert max(result_a["next_ids"][table], result_b["next_ids"][table]) == max(ids_a | ids_b) + 1
    assert {int(r[0]) for r in a["post"]} == set(range(1, 2001))
    assert {int(r[0]) for r in b["post"]} == set(range(2001, 4001))


def test_rows_keep_the_tables_rules_and_the_counters_match_the_rows():
    from collections import Counter

    rows, result = _rows(_spec())
    impressions = rows["impression"]
    assert len({(r[1], r[2], r[4]) for r in impressions}) == len(impressions)  # once per member, post, day
    comments = Counter(r[1] for r in rows["comment"])
    reactions = Counter(r[1] for r in rows["reaction"])
    for post in rows["post"]:
        assert int(post[14]) == reactions[post[0]] and int(post[15]) == comments[post[0]]
        assert post[-1] == "default"  # the model defaults of the columns left out
    # A pod's activity days are this range's distinct (member, pod, day) seen; the Commons' go back to the
    # caller, who merges every range's.
    seen_in_pods = {(r[1], r[3], r[4]) for r in impressions if r[3] != r"\N"}
    assert {(r[1], r[2], r[3]) for r in rows["activity"]} == seen_in_pods
    seen_in_commons = {(int(r[1]), r[4]) for r in impressions if r[3] == r"\N"}
    assert len(result["commons"]) == len(seen_in_commons)
    assert {key >> 12 for key in result["commons"]} == {member for member, _ in seen_in_commons}


def test_timestamps_and_the_hot_score_are_those_the_product_writes():
    from datetime import UTC, datetime

    from communities.ranking import hot_score

    rows, _ = _rows(_spec())
    post = rows["post"][0]
    created = datetime.fromisoformat(post[8])
    assert created.tzinfo is not None and created.timestamp() == int(created.timestamp())
    assert NOW - 90 * 86400 <= created.timestamp() <= NOW
    assert float(post[16]) == hot_score(reaction_count=int(post[14]), comment_count=int(post[15]),
                                        created_at=created.astimezone(UTC))
    created_at = {p[0]: datetime.fromisoformat(p[8]) for p in rows["post"]}
    last_at = {p[0]: datetime.fromisoformat(p[9]) for p in rows["post"]}
    assert rows["comment"]
    for comment in rows["comment"]:
        assert created_at[comment[1]] < datetime.fromisoformat(comment[7]) <= last_at[comment[1]]


def test_unique_constraints_and_primary_keys_are_rebuilt_as_indexes_then_attached():
    from bench.bulk import _restore_plan

    indexes, constraints = _restore_plan([
        'ALTER TABLE metrics_impression ADD CONSTRAINT "impression_once_a_day" UNIQUE (member_id, post_id, day)',
        "CREATE INDEX impression_day_idx ON public.metrics_impression USING btree (day, pod_id)",
        'ALTER TABLE metrics_impression ADD CONSTRAINT "metrics_impression_pkey" PRIMARY KEY (id)',
        'ALTER TABLE communities_comment ADD CONSTRAINT "fk" FOREIGN KEY (post_id) REFERENCES communities_post(id) '
        "DEFERRABLE INITIALLY DEFERRED NOT VALID",
    ])
    assert indexes == [
        ("metrics_impression",
         'CREATE UNIQUE INDEX "impression_once_a_day" ON metrics_impression (member_id, post_id, day)'),
        ("metrics_impression",
         "CREATE INDEX impression_day_idx ON public.metrics_impression USING btree (day, pod_id)"),
        ("metrics_impression", 'CREATE UNIQUE INDEX "metrics_impression_pkey" ON metrics_impression (id)'),
    ]
    assert constraints == [
        'ALTER TABLE metrics_impression ADD CONSTRAINT "impression_once_a_day" UNIQUE USING INDEX '
        '"impression_once_a_day"',
        'ALTER TABLE metrics_impression ADD CONSTRAINT "metrics_impression_pkey" PRIMARY KEY USING INDEX '
        '"metrics_impression_pkey"',
        'ALTER TABLE communities_comment ADD CONSTRAINT "fk" FOREIGN KEY (post_id) REFERENCES communities_post(id) '
        "DEFERRABLE INITIALLY DEFERRED NOT VALID",
    ]


def test_the_commons_activity_days_of_all_ranges_merge_to_one_per_member_and_day():
    from bench.bulk import merge_commons

    (a, result_a), (b, result_b) = _rows(_spec(0)), _rows(_spec(1))
    seen = {(int(r[1]), r[4]) for rows in (a, b) for r in rows["impression"] if r[3] == r"\N"}
    assert set(result_a["commons"]) & set(result_b["commons"])  # both ranges saw some member on some day
    merged = merge_commons([result_a, result_b])
    assert len(merged) == len(set(merged)) == len(seen)
    assert merged == sorted(merged)


def test_posts_are_planned_by_pod_range_the_same_way_for_a_seed():
    from random import Random

    from bench.bulk import RANGES, plan_posts

    pods = [(pod, "open" if pod % 2 else "invite", list(range(pod % 7 + 1 + (30 if pod in (11, 13) else 0))))
            for pod in range(1, 60)]
    plan, owner = plan_posts(Random(5), pods, posts=10_000, big_pods=2)
    assert (plan, owner) == plan_posts(Random(5), pods, posts=10_000, big_pods=2)
    assert sum(len(posts) for posts in plan) == 10_000
    for k, posts in enumerate(plan):
        assert all(owner[pod] == k for pod in posts if pod)  # a pod's posts are all in its range
        assert 10_000 / RANGES * 0.5 < len(posts) < 10_000 / RANGES * 1.5
    in_pods = [pod for posts in plan for pod in posts if pod]
    assert 0.4 * 10_000 < len(in_pods) < 0.5 * 10_000  # 85% x 35% in any pod, plus the last 15% in big ones
    assert sum(pod in (11, 13) for pod in in_pods) > 0.15 * 10_000
