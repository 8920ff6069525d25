"""Micro-influencers per niche tag: engagement from distinct members relative to reach, set-based."""

# ruff: noqa: S608 - queries are assembled from table names and fixed fragments; values are always params.

from datetime import date, timedelta

from django.db import connection
from django.utils import timezone

from communities.models import Post

from ..models import InfluencerRollup
from ..periods import day_start, period_end
from . import sql

MIN_REACH = 5  # distinct other members who saw the member's tagged posts in the period
TOP_PER_TAG = 5


def influencers_compute(*, period: str, start: date, today: date | None = None) -> list[InfluencerRollup]:
    today = today or timezone.now().date()
    last = min(period_end(period, start), today)
    t0, t1 = day_start(start), day_start(last + timedelta(days=1))

    post, tags = sql.table("communities.Post"), connection.ops.quote_name(Post.tags.through._meta.db_table)
    comment, reaction, imp = (sql.table("communities.Comment"), sql.table("communities.Reaction"),
                              sql.table("metrics.Impression"))
    tagged = (f"SELECT p.id AS post_id, p.author_id AS author_id, pt.tag_id AS tag_id FROM {post} p "
              f"JOIN {tags} pt ON pt.post_id = p.id WHERE p.status = 'published'")
    engagements = (f"SELECT c.post_id AS post_id, c.author_id AS member_id FROM {comment} c "
                   f"WHERE c.created_at >= %s AND c.created_at < %s AND c.status = 'published' "
                   f"UNION SELECT r.post_id, r.member_id FROM {reaction} r "
                   f"WHERE r.post_id IS NOT NULL AND r.created_at >= %s AND r.created_at < %s")
    # Whoever engaged with a post saw it, whatever the impression buffer says: reach ⊇ engagers.
    seen = (f"SELECT i.post_id AS post_id, i.member_id AS member_id FROM {imp} i WHERE i.day >= %s AND i.day <= %s "
            f"UNION SELECT e.post_id, e.member_id FROM ({engagements}) e")
    query = (
        f"SELECT tag_id, author_id, reach, engagers, rn FROM ("
        f" SELECT rc.tag_id, rc.author_id, rc.reach, COALESCE(en.engagers, 0) AS engagers,"
        f" ROW_NUMBER() OVER (PARTITION BY rc.tag_id ORDER BY COALESCE(en.engagers, 0) * 1.0 / rc.reach DESC,"
        f" COALESCE(en.engagers, 0) DESC, rc.author_id) AS rn FROM"
        f" (SELECT t.tag_id, t.author_id, COUNT(DISTINCT i.member_id) AS reach FROM ({tagged}) t"
        f"  JOIN ({seen}) i ON i.post_id = t.post_id WHERE i.member_id <> t.author_id"
        f"  GROUP BY t.tag_id, t.author_id) rc"
        f" LEFT JOIN (SELECT t.tag_id, t.author_id, COUNT(DISTINCT e.member_id) AS engagers FROM ({tagged}) t"
        f"  JOIN ({engagements}) e ON e.post_id = t.post_id WHERE e.member_id <> t.author_id"
        f"  GROUP BY t.tag_id, t.author_id) en ON en.tag_id = rc.tag_id AND en.author_id = rc.author_id"
        f" WHERE rc.reach >= %s) ranked WHERE rn <= %s"
    )
    params = [start, last, t0, t1, t0, t1, t0, t1, t0, t1, MIN_REACH, TOP_PER_TAG]
    return [
        InfluencerRollup(period=period, start=start, tag_id=tag_id, member_id=member_id, reach=reach,
                         engagers=engagers, rank=rank)
        for tag_id, member_id, reach, engagers, rank in sql.run(query, params)
    ]
