"""Writes of the metrics app: recording events, rolling them up, and the pulse."""

from .backfill import metrics_backfill, rollup_recent
from .cohorts import cohorts_recompute
from .events import activity_mark, impressions_flush, impressions_record
from .pulse import pulse_open_month, pulse_respond, pulse_survey_open
from .rollups import rollup_period

__all__ = [
    "activity_mark", "cohorts_recompute", "impressions_flush", "impressions_record", "metrics_backfill",
    "pulse_open_month", "pulse_respond", "pulse_survey_open", "rollup_period", "rollup_recent",
]
