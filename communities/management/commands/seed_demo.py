"""`manage.py seed_demo`: a lively demo community, deterministic for a seed, sized for demos or benchmarks."""

import time
from random import Random

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from communities import demo as community_demo
from communities.models import User
from metrics import demo as metrics_demo
from microgroups import demo as pod_demo
from moderation import demo as moderation_demo


class Command(BaseCommand):
    help = "Create the demo community (idempotent: does nothing when members already exist)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--members", type=int, default=200)
        parser.add_argument("--pods", type=int, default=30)
        parser.add_argument("--posts", type=int, default=3000)
        parser.add_argument("--days", type=int, default=84, help="History simulated, ending now (12 weeks).")
        parser.add_argument("--if-empty", action="store_true", help="Exit quietly when the database has members.")

    def handle(self, *args, **opts):
        # Accounts without a usable password (the pods' system author made by a migration) don't count.
        if User.objects.exclude(password__startswith=UNUSABLE_PASSWORD_PREFIX).exists():
            if not opts["if_empty"]:
                self.stdout.write("The database already has members; seed_demo leaves it as it is.")
            return
        began = time.monotonic()
        ctx = community_demo.DemoContext(rng=Random(opts["seed"]), now=timezone.now(), days=opts["days"])
        with transaction.atomic():
            community_demo.seed_vocabulary(ctx)
            community_demo.seed_members(ctx, opts["members"])
            pod_demo.seed_pods(ctx, opts["pods"])
            # --posts is the total: the engagement step adds announcements and poll posts of its own.
            extra = community_demo.ENGAGEMENT_POSTS if opts["members"] >= 6 else 0
            community_demo.seed_content(ctx, posts=max(opts["posts"] - extra, 0), days=opts["days"])
            community_demo.seed_engagement(ctx)
            community_demo.seed_deletions(ctx)  # authors delete a few posts and comments (the services)
            pod_demo.seed_pods_after_content(ctx)  # waitlist, split umbrella, emerging niches, suggestions
            moderation_demo.seed_moderation(ctx)  # rules at each scope, moderators, a queue with items
        metrics_demo.seed_metrics(ctx, days=opts["days"])  # impressions, activity, pulses, then the rollups
        self.stdout.write(self.style.SUCCESS(
            f"Demo community: {len(ctx.members)} members, {len(ctx.pods)} pods, {opts['posts']} posts.\n"
            f"Logins (password '{community_demo.DEMO_PASSWORD}'): manager (community manager), moderator1-3, "
            f"{ctx.members[4].username if len(ctx.members) > 4 else ''} (member).\n"
            f"Seeded in {time.monotonic() - began:.1f}s."
        ))
