"""`manage.py counters_sync`: recompute every denormalised counter from its source rows."""

from django.core.management.base import BaseCommand

from communities.services.counters import counters_sync


class Command(BaseCommand):
    help = "Repair reaction, comment and pod post counters; re-score only the posts that were wrong."

    def add_arguments(self, parser):
        parser.add_argument("--post", type=int, action="append", dest="post_ids",
                            help="Limit to this post id (repeatable).")

    def handle(self, *args, **opts):
        report = counters_sync(post_ids=opts["post_ids"])
        self.stdout.write(self.style.SUCCESS(
            f"Repaired {len(report.post_ids)} post(s), {len(report.comment_ids)} comment(s), "
            f"{len(report.pod_ids)} pod(s)."))
