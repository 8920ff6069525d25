"""The hot score: time-anchored like Reddit's, so it only changes when a post gains reactions or comments.

score = log10(max(engagement, 1)) + (created − EPOCH) / HALF_LIFE_SECONDS. A post created 12.5 hours
later needs ten times the engagement to rank the same, and nothing is re-ranked as time passes.
"""

import math
from datetime import UTC, datetime

EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
HALF_LIFE_SECONDS = 45_000
COMMENT_WEIGHT = 2  # a comment is a bigger act than a reaction


def hot_score(*, reaction_count: int, comment_count: int, created_at: datetime) -> float:
    engagement = reaction_count + COMMENT_WEIGHT * comment_count
    order = math.log10(max(engagement, 1))
    return round(order + (created_at - EPOCH).total_seconds() / HALF_LIFE_SECONDS, 7)
