"""`manage.py metrics_backfill --since YYYY-MM-DD [--until YYYY-MM-DD]`: recompute rollups and cohorts."""

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from metrics.services import impressions_flush, metrics_backfill


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value}") from None


class Command(BaseCommand):
    help = "Recompute metric rollups and retention cohorts for every period from --since (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--since", required=True, type=_date)
        parser.add_argument("--until", type=_date, default=None)

    def handle(self, *args, **opts):
        began = time.monotonic()
        flushed = impressions_flush()
        result = metrics_backfill(since=opts["since"], until=opts["until"])
        self.stdout.write(self.style.SUCCESS(
            f"Flushed {flushed} buffered impressions; wrote {result['rollup_rows']} rollup rows and "
            f"{result['cohort_rows']} cohort rows in {time.monotonic() - began:.1f}s."
        ))
