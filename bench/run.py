"""`make bench` / `make bench SIZE=L`: build (or reuse) the dataset, start the app as deployed, measure,
and write bench/results/<date>-<size>.json and bench/RESULTS.md.

    python bench/run.py --size S [--quick] [--rounds N] [--only feeds,queries,...] [--rebuild] [--data-only]

`--size L` measures both sizes in one run: every figure at S (database `bench`, Redis db 9), then at L
(BENCH_L_DATABASE_URL, default database `bench_l`; BENCH_L_REDIS_URL, default Redis db 10), each in a
child process, then one RESULTS.md with both columns and L ÷ S. Not part of CI: the L data alone is
1M posts and 10M impressions.
"""

import argparse
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

L_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_l"
L_REDIS_URL = "redis://127.0.0.1:6379/10"
MODULES = ["weight", "queries", "feeds", "serving", "discovery", "dashboards", "writing", "realtime"]


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=["S", "L"], default="S")
    parser.add_argument("--quick", action="store_true",
                        help="shorter Celery memory window (the issue asks for 10 minutes) and fewer rounds")
    parser.add_argument("--rounds", type=int, default=None, help="repetitions per figure (default 5, quick 3)")
    parser.add_argument("--only", default="", help=f"comma-separated subset of {','.join(MODULES)}")
    parser.add_argument("--rebuild", action="store_true", help="regenerate the dataset even if the marker matches")
    parser.add_argument("--data-only", action="store_true", help="build or check the dataset, then stop")
    parser.add_argument("--no-write", action="store_true", help="print the table but leave RESULTS.md alone")
    parser.add_argument("--merge", metavar="JSON", help="re-measure --only modules into an earlier results file")
    parser.add_argument("--single", action="store_true", help="--size L alone, without the S run beside it")
    parser.add_argument("--json-out", metavar="JSON", help="where to write the results file")
    parser.add_argument("--l-only", default="", metavar="MODULES",
                        help="with --size L: the modules measured at L (default: as at S); leaving out dashboards "
                             "and weight skips L's 90-day metrics backfill (~42 s a day at L)")
    return parser.parse_args()


def _both_sizes(args: argparse.Namespace) -> int:
    """S then L, each a child `run.py --single` on its own database, then one report with L ÷ S."""
    import json
    import subprocess
    from datetime import UTC, datetime

    day = datetime.now(UTC).strftime("%Y-%m-%d")
    passthrough = [*(["--quick"] if args.quick else []), *(["--rounds", str(args.rounds)] if args.rounds else []),
                   *(["--rebuild"] if args.rebuild else []), *(["--data-only"] if args.data_only else [])]
    only = {"S": args.only, "L": args.l_only or args.only}
    envs = {"S": {"DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench"),
                  "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/9")},
            "L": {"DATABASE_URL": os.environ.get("BENCH_L_DATABASE_URL", L_DATABASE_URL),
                  "REDIS_URL": os.environ.get("BENCH_L_REDIS_URL", L_REDIS_URL)}}
    paths = {}
    for size in ("S", "L"):
        paths[size] = ROOT / "bench" / "results" / f"{day}-{size}.json"
        cmd = [sys.executable, str(Path(__file__).resolve()), "--size", size, "--single", "--no-write",
               "--json-out", str(paths[size]), *passthrough, *(["--only", only[size]] if only[size] else [])]
        code = subprocess.call(cmd, env={**os.environ, **envs[size]})
        if code:
            return code
    if args.data_only or args.no_write:
        return 0
    from bench import report

    report.write_pair(*(json.loads(paths[size].read_text()) for size in ("S", "L")))
    return 0


def _raise_fd_limit(want: int = 16384) -> int:
    """Thousands of websockets need as many descriptors, in this process and the server it starts."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def _check_services() -> None:
    from bench import machine

    # bench.settings fills in these defaults; read them the same way before Django starts.
    database_url = os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench")
    redis_url = os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/9")
    problems = machine.check_services(database_url, redis_url)
    if problems:
        print("make bench cannot run; missing:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        sys.exit(2)


def _exit_on_sigterm() -> None:
    """A terminated run still stops the server and worker it started (the `finally` below)."""
    import signal

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def main() -> int:
    args = _args()
    _exit_on_sigterm()
    if args.size == "L" and not args.single:
        return _both_sizes(args)
    began = time.monotonic()
    fds = _raise_fd_limit()
    if args.size == "L":  # L's own database and Redis db, so `--single` never rebuilds S's data as L
        os.environ.setdefault("DATABASE_URL", os.environ.get("BENCH_L_DATABASE_URL", L_DATABASE_URL))
        os.environ.setdefault("REDIS_URL", os.environ.get("BENCH_L_REDIS_URL", L_REDIS_URL))
    _check_services()
    import django

    django.setup()
    from bench import datagen

    size = datagen.SIZES[args.size]
    print(f"PetCommunity benchmarks, size {size.name} (open files limit {fds})", flush=True)
    only = [m for m in args.only.split(",") if m] or MODULES
    # Rollups feed the dashboards' figures and the /metrics/ page's weight (an empty dashboard is lighter).
    dataset = datagen.ensure(size, rebuild=args.rebuild, rollups=bool({"dashboards", "weight"} & set(only)))
    if args.data_only:
        return 0
    from bench import machine, report
    from bench.context import Context

    ctx = Context(size=size, quick=args.quick, rounds=args.rounds or (3 if args.quick else 5), modules=only,
                  full=only == MODULES)
    results = {"size": size.name, "quick": args.quick, "machine": machine.describe(), "dataset": dataset}
    try:
        ctx.start()
        results["figures"] = ctx.run_modules()
    finally:
        ctx.stop()
    results["raw"] = ctx.raw
    results["celery"] = ctx.celery_report
    results["load"] = ctx.load
    results["redis_memory"] = ctx.redis_memory()
    results["wall_seconds"] = round(time.monotonic() - began, 1)
    if args.merge:
        results = report.merge(args.merge, results, only)
    report.write(results, write_markdown=not args.no_write, path=Path(args.json_out) if args.json_out else None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
