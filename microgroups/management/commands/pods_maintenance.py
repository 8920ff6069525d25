"""`manage.py pods_maintenance`: run the pods' periodic jobs now (all, or the ones named)."""

from django.core.management.base import BaseCommand

from microgroups.services import ladder, membership, niches, pods, suggestions

JOBS = ("counters", "rungs", "suggestions", "niches", "waitlist")


class Command(BaseCommand):
    help = "Recount pod members, recompute rungs, suggestions and emerging niches, expire waitlist offers."

    def add_arguments(self, parser):
        parser.add_argument("jobs", nargs="*", choices=JOBS, help="Default: all of them.")

    def handle(self, *args, jobs, **opts):

        run = {
            "counters": lambda: f"{len(pods.pod_counters_sync())} pod counters corrected",
            "rungs": lambda: f"{ladder.rungs_recompute()} rung changes",
            "suggestions": lambda: f"{suggestions.suggestions_refresh()} suggestions stored",
            "niches": lambda: f"{len(niches.niches_refresh())} emerging niches",
            "waitlist": lambda: f"{membership.waitlist_offers_expire()} expired offers passed on",
        }
        for job in jobs or JOBS:
            self.stdout.write(f"{job}: {run[job]()}")
