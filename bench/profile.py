"""Where a page's time goes, in-process: pyinstrument over N requests through Django's test client
(the full middleware stack, bench settings, the bench database), plus queries and SQL time per request.

    python -m bench.profile [--path /] [--as member|manager|anonymous] [-n 30] [--html out.html]

Runs against the dataset `make bench` made (DATABASE_URL, default the `bench` database). The first
requests warm the caches, as a serving worker's would be; only the following N are profiled.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--path", default="/")
    parser.add_argument("--as", dest="who", choices=["anonymous", "member", "manager"], default="anonymous")
    parser.add_argument("-n", type=int, default=30, help="profiled requests (after 5 warm-up requests)")
    parser.add_argument("--html", help="also write pyinstrument's HTML report here")
    parser.add_argument("--sql", type=int, default=0, metavar="K",
                        help="also print the K slowest statements of the profiled requests, with their time")
    return parser.parse_args()


class _SqlTimer:
    """connection.execute_wrapper: count statements and their time (and each statement's, by its SQL)."""

    def __init__(self):
        self.count, self.seconds = 0, 0.0
        self.by_sql: dict[str, list[float]] = {}

    def __call__(self, execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            took = time.perf_counter() - began
            self.count += 1
            self.seconds += took
            self.by_sql.setdefault(sql, []).append(took)


def _signed_in_as(who: str):
    from django.db.models import Count, Q

    from communities.models import User
    from microgroups.models import Membership, Pod

    if who == "manager":  # the community manager the dashboards benchmark signs in as (bench/fixtures.py)
        return User.objects.get(username="manager")
    # The member the feed benchmark signs in as (bench/fixtures.py), without its deep-page cursors.
    pod = (Pod.objects.filter(privacy="open").annotate(n=Count("posts", filter=Q(posts__status="published")))
           .order_by("-n", "pk").first())
    ids = Membership.objects.filter(pod=pod, status="active", role="member").values("member_id")
    return User.objects.filter(is_staff=False, pk__in=ids).order_by("pk").first()


def main() -> int:
    args = _args()
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from pyinstrument import Profiler

    client = Client()
    if args.who != "anonymous":
        from .sessions import session_for

        cookie = session_for(_signed_in_as(args.who))["Cookie"]
        for part in cookie.split("; "):
            name, _, value = part.partition("=")
            client.cookies[name] = value
    for _ in range(5):
        response = client.get(args.path)
        assert response.status_code == 200, response.status_code
    timer = _SqlTimer()
    profiler = Profiler(interval=0.0005)
    began = time.perf_counter()
    with connection.execute_wrapper(timer):
        profiler.start()
        for _ in range(args.n):
            response = client.get(args.path)
        profiler.stop()
    wall = (time.perf_counter() - began) / args.n
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    print(f"{args.who} {args.path}: {wall * 1000:.1f} ms wall per request (profiled), "
          f"{timer.count / args.n:.1f} queries, {timer.seconds / args.n * 1000:.1f} ms SQL, "
          f"{len(response.content) / 1024:.0f} KB")
    slowest = sorted(timer.by_sql.items(), key=lambda kv: -sum(kv[1]))[: args.sql]
    for sql, times in slowest:
        print(f"\n{sum(times) / args.n * 1000:.1f} ms per request, {len(times) / args.n:g} per request: {sql}")
    if args.html:
        Path(args.html).write_text(profiler.output_html())
    return 0


if __name__ == "__main__":
    sys.exit(main())
