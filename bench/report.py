"""bench/results/<date>-<size>.json (everything) and bench/RESULTS.md (the table), printed as well."""

import json
from datetime import UTC, datetime
from pathlib import Path

from .notes import FINDINGS, SIZE_L_NOTE, note_for

HERE = Path(__file__).resolve().parent


def _fmt(value) -> str:
    if value is None:
        return "–"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _row(f: dict) -> str:
    if f["skipped"]:
        return f"| {f['label']} | {f['skipped']} | | {f['target']} | skipped |"
    s = f["summary"]
    spread = f"{_fmt(s['min'])}–{_fmt(s['max'])} (n={s['n']})" if s["n"] > 1 else "single run"
    verdict = {True: "pass", False: "**miss**", None: ""}[f["passed"]]
    label = f["label"] + (f" — {f['note']}" if f["note"] else "")
    return f"| {label} | {_fmt(s['median'])} {f['unit']} | {spread} | {f['target']} | {verdict} |"


def markdown(results: dict) -> str:
    m, d = results["machine"], results["dataset"]
    counts = {k: v for k, v in (d.get("counts") or {}).items() if k != "timings"}
    lines = [
        "# Benchmark results", "",
        f"Size **{results['size']}**, run {results['date']}{' with `--quick`' if results['quick'] else ''}, "
        f"{results['wall_seconds'] / 60:.1f} minutes in all. Produced by `make bench"
        f"{' SIZE=L' if results['size'] == 'L' else ''}` ({results['json']}). Each figure is the median of "
        "repeated runs in the same session; the spread column gives min–max. Ratios are taken within a round "
        "(both sides measured back to back), because the machine is shared and noisy.", "",
        *_provenance(results),
        "## Machine", "",
        "| CPU | Cores | RAM | Python | Django | PostgreSQL | Redis |", "|---|---|---|---|---|---|---|",
        f"| {m['cpu']} | {m['cores']} | {m['ram_gb']} GB | {m['python']} | {m['django']} | {m['postgresql']} | "
        f"{m['redis']} |", "",
        "## Dataset", "",
        ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in counts.items()) + ".",
        f"Generated once in {d.get('seconds', 0) / 60:.1f} minutes by the `seed_demo` demo functions "
        f"(marker: size {d.get('size')}, seed {d.get('seed')}, generator v{d.get('version')}); "
        f"{'reused by this run' if d.get('reused') else 'built by this run'}.", "",
    ]
    sections: dict[str, list[dict]] = {}
    for f in results["figures"]:
        sections.setdefault(f["section"], []).append(f)
    for section in sorted(sections):
        lines += [f"## {section}", "", "| Figure | Median | Spread | Target | Result |", "|---|---|---|---|---|"]
        lines += [_row(f) for f in sections[section]]
        if section.startswith("6"):
            lines += _memory_rows(results)
        lines.append("")
    if not any(s.startswith("6") for s in sections):
        lines += ["## 6 Memory", "", "| Figure | Median | Spread | Target | Result |", "|---|---|---|---|---|",
                  *_memory_rows(results), ""]
    lines += _misses(results)
    return "\n".join(lines) + "\n"


def _provenance(results: dict) -> list[str]:
    lines = []
    for again in results.get("remeasured", []):
        when = f"on {again['date']}" if again.get("date") else "afterwards in the same session"
        d = again.get("dataset") or {}
        data = (f" on a dataset of generator v{d['version']} ({(d.get('counts') or {}).get('posts', 0):,} posts)"
                if d.get("version") else "")
        lines.append(f"Re-measured {when}{data}: {', '.join(again['modules'])} "
                     f"({again['wall_seconds'] / 60:.1f} min), replacing those sections' figures.")
    if results["size"] == "S":
        lines.append(SIZE_L_NOTE)
    out = [" ".join(lines), ""] if lines else []
    return out + _load_line(results)


def _load_line(results: dict) -> list[str]:
    """The machine's 1-minute load average while each module ran: the cores are shared with other work."""
    load = results.get("load") or {}
    if not load:
        return []
    cores = next(iter(load.values())).get("cores") or results["machine"].get("cores")
    parts = [f"{name} {v['median']:.1f} ({v['min']:.1f}–{v['max']:.1f})" for name, v in load.items()]
    return [f"Load average (1 min) on the {cores} cores while each part ran, median (min–max): "
            f"{', '.join(parts)}. Other work shared the machine; above {cores} processes were waiting for a "
            "core, so throughput and latency figures from those parts are lower bounds of what the app does "
            "alone; byte and query counts are not affected.", ""]


def _memory_rows(results: dict) -> list[str]:
    rows = []
    c = results.get("celery") or {}
    if "drift" in c:
        window = f"{c['window_seconds'] / 60:.1f}-minute window" + (" (`--quick`: shortened)" if c["quick"] else "")
        ok = c["drift"] is not None and c["drift"] <= 0.10
        rows.append(f"| Celery worker RSS drift over a {window}: {c['rss_start_kb'] / 1024:.0f} MB → "
                    f"{c['rss_end_kb'] / 1024:.0f} MB (max {c['rss_max_kb'] / 1024:.0f} MB, {c['samples']} samples) | "
                    f"{c['drift'] * 100:+.1f} % | single run | ≤ 10 % | {'pass' if ok else '**miss**'} |")
    elif c:
        rows.append(f"| Celery worker RSS drift | {c.get('skipped')} | | ≤ 10 % | skipped |")
    r = results.get("redis_memory") or {}
    if r:
        rows.append(f"| Redis used memory at the end ({r['keys_in_bench_db']:,} keys in the bench db; "
                    f"instance-wide, shared server; peak {r['used_memory_peak_human']}) | {r['used_memory_human']} | "
                    "single run | | |")
    return rows


def _misses(results: dict) -> list[str]:
    missed = [f for f in results["figures"] if f["passed"] is False]
    c = results.get("celery") or {}
    if c.get("drift") is not None and c["drift"] > 0.10:
        missed.append({"id": "celery.drift", "label": "Celery worker RSS drift"})
    lines = ["## Findings", "", *[f"- {f}" for f in FINDINGS], ""]
    if not missed:
        return [*lines, "## Targets missed", "", "None in this run.", ""]
    lines += ["## Targets missed: why, and what would close them", ""]
    for f in missed:
        lines.append(f"- **{f['label']}**: {note_for(f['id'])}")
    lines.append("")
    return lines


def merge(path: str, fresh: dict, modules: list[str]) -> dict:
    """An earlier run's results with the figures of `modules` replaced by this run's (noted in the JSON)."""
    old = json.loads(Path(path).read_text())
    sections = {f["section"] for f in fresh["figures"]}
    errors = {f"{m}.error" for m in modules}
    old["figures"] = [f for f in old["figures"] if f["section"] not in sections and f["id"] not in errors]
    old["figures"] += fresh["figures"]
    old["figures"].sort(key=lambda f: f["section"])
    old.setdefault("raw", {}).update(fresh.get("raw", {}))
    old["wall_seconds"] += fresh["wall_seconds"]
    old.setdefault("load", {}).update(fresh.get("load", {}))
    d = fresh.get("dataset") or {}
    old["remeasured"] = old.get("remeasured", []) + [{
        "modules": modules, "wall_seconds": fresh["wall_seconds"],
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "dataset": {k: d.get(k) for k in ("size", "seed", "version", "counts", "created_at")}}]
    return old


def _write_results_md(text: str) -> None:
    """RESULTS.md is ours except its "## Load" section, which `make load` (bench/load) appends: keep it."""
    target = HERE / "RESULTS.md"
    old = target.read_text() if target.exists() else ""
    marker = "\n## Load"
    load = old[old.index(marker):] if marker in old else ""
    target.write_text(text.rstrip("\n") + "\n" + load if load else text)


# The figures whose L ÷ S the design says must stay flat (the "≤ 1.5×"): p50 latencies of pages
# read at c=8, and the dashboards' database time per page.
FLAT = [("feed.commons_new_p1.p50", "Commons feed, page 1 (p50)"),
        ("feed.commons_new_deep.p50", "Commons feed, deep page (p50)"),
        ("feed.pod_new_p1.p50", "Pod feed, page 1 (p50)"),
        ("feed.post_page.p50", "Post page (p50)"),
        ("feed.queue.p50", "Moderation queue (p50)"),
        ("dash.broad.db_ms", "Community dashboard, database time"),
        ("dash.pod.db_ms", "Pod insights, database time")]


def _median(f: dict | None):
    return None if not f or f["skipped"] or not f["summary"] else f["summary"]["median"]


def _dataset_rows(s: dict, l: dict) -> list[str]:  # noqa: E741 - S and L
    rows = ["| | S | L |", "|---|---|---|"]
    cs = {k: v for k, v in (s["dataset"].get("counts") or {}).items() if k != "timings"}
    cl = {k: v for k, v in (l["dataset"].get("counts") or {}).items() if k != "timings"}
    for key in cl:
        rows.append(f"| {key.replace('_', ' ')} | {cs.get(key, 0):,} | {cl[key]:,} |")
    for d in (s["dataset"], l["dataset"]):
        t = (d.get("counts") or {}).get("timings") or {}
        rollups = t.get("rollups", 0)
        gen = sum(v for k, v in t.items() if k != "rollups")
        d["generation_seconds"], d["rollup_seconds"] = gen, rollups
    gen_s, gen_l = s["dataset"]["generation_seconds"] / 60, l["dataset"]["generation_seconds"] / 60
    rows.append(f"| generation by COPY (core by the demo code, bulk, indexes) | {gen_s:.1f} min | {gen_l:.1f} min |")
    def built(d: dict) -> str:  # a run without the dashboards builds no rollups
        return f"{d['rollup_seconds'] / 60:.1f} min" if d["rollup_seconds"] else "not built"

    what = "weeks and 28-day windows for 90 days; days for 90 at S, 14 at L"
    rows.append(f"| rollups (`metrics_backfill`: {what}) | {built(s['dataset'])} | {built(l['dataset'])} |")
    return rows


def markdown_pair(s: dict, l: dict) -> str:  # noqa: E741 - S and L
    """Both sizes from one `make bench SIZE=L` run: every figure at S and at L, and L ÷ S."""
    m = l["machine"]
    by_s = {f["id"]: f for f in s["figures"]}
    lines = [
        "# Benchmark results", "",
        f"Sizes **S and L**, run {l['date']}{' with `--quick`' if l['quick'] else ''} by `make bench SIZE=L` "
        f"({s['wall_seconds'] / 60:.1f} + {l['wall_seconds'] / 60:.1f} minutes; {s['json']}, {l['json']}). Each "
        "figure is the median of repeated runs; ratios are taken within a round, because the machine is shared "
        "and noisy. S and L run one after the other on their own databases, same code, same settings.", "",
        "## Machine", "",
        "| CPU | Cores | RAM | Python | Django | PostgreSQL | Redis |", "|---|---|---|---|---|---|---|",
        f"| {m['cpu']} | {m['cores']} | {m['ram_gb']} GB | {m['python']} | {m['django']} | {m['postgresql']} | "
        f"{m['redis']} |", "",
        "## Datasets", "", *_dataset_rows(s, l), "",
        "## L ÷ S where the design says nothing grows", "",
        "| Figure | S | L | L ÷ S | Target | Result |", "|---|---|---|---|---|---|",
    ]
    by_l = {f["id"]: f for f in l["figures"]}
    for fid, label in FLAT:
        a, b = _median(by_s.get(fid)), _median(by_l.get(fid))
        if a is None or b is None:
            lines.append(f"| {label} | {_fmt(a)} | {_fmt(b)} | – | ≤ 1.5× | not measured |")
            continue
        if b == 0:  # a latency of 0: wrk saw no request finish within its window
            lines.append(f"| {label} | {_fmt(a)} {by_l[fid]['unit']} | no request finished in the window | – | "
                         "≤ 1.5× | **miss** |")
            continue
        ratio = b / a if a else None
        ok = ratio is not None and ratio <= 1.5
        lines.append(f"| {label} | {_fmt(a)} {by_l[fid]['unit']} | {_fmt(b)} {by_l[fid]['unit']} | "
                     f"{_fmt(ratio)} × | ≤ 1.5× | {'pass' if ok else '**miss**'} |")
    lines.append("")
    sections: dict[str, list[dict]] = {}
    for f in l["figures"]:
        sections.setdefault(f["section"], []).append(f)
    # Figures measured at S only (a module the L run left out) keep their row, with L "not run".
    only_s = [f for f in s["figures"] if f["id"] not in by_l]
    for f in only_s:
        sections.setdefault(f["section"], []).append({**f, "passed": None, "unit": f["unit"], "_s_only": True})
    for section in sorted(sections):
        lines += [f"## {section}", "", "| Figure (label at L) | S | L | L ÷ S | Target | S | L |",
                  "|---|---|---|---|---|---|---|"]
        for f in sections[section]:
            a, b = _median(by_s.get(f["id"])), (None if f.get("_s_only") else _median(f))
            verdict = {True: "pass", False: "**miss**", None: ""}
            sv = verdict[by_s[f["id"]]["passed"]] if f["id"] in by_s else ""
            label = f["label"] + (f" — {f['note']}" if f["note"] else "")
            label += f" ({f['skipped']})" if f["skipped"] else ""
            ratio = _fmt(b / a) + " ×" if a and b is not None else "–"
            at_l = "not run at L" if f.get("_s_only") else f"{_fmt(b)} {f['unit']}"
            lines.append(f"| {label} | {_fmt(a)} | {at_l} | {ratio} | {f['target']} | {sv} | "
                         f"{verdict[f['passed']]} |")
        lines.append("")
    # A target missed at either size is explained, once (a miss at S that passes at L included).
    missed_at_l = {f["id"] for f in l["figures"] if f["passed"] is False}
    also = [f for f in s["figures"] if f["id"] not in by_l or (f["passed"] is False and f["id"] not in missed_at_l)]
    lines += _misses({**l, "figures": [*l["figures"], *also]})
    return "\n".join(lines) + "\n"


def write_pair(s: dict, l: dict) -> None:  # noqa: E741 - S and L
    text = markdown_pair(s, l)
    print("\n" + text)
    _write_results_md(text)
    print("Wrote bench/RESULTS.md (sizes S and L)")


def write(results: dict, *, write_markdown: bool = True, path: Path | None = None) -> None:
    now = datetime.now(UTC)
    results.setdefault("date", now.strftime("%Y-%m-%d %H:%M UTC"))  # a merged file keeps its first run's date
    path = path or HERE / "results" / f"{now:%Y-%m-%d}-{results['size']}.json"
    results["json"] = f"bench/results/{path.name}"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(results, indent=1, default=str) + "\n")
    text = markdown(results)
    print("\n" + text)
    if write_markdown:
        _write_results_md(text)
        print(f"Wrote {path.relative_to(HERE.parent)} and bench/RESULTS.md")


if __name__ == "__main__":  # re-render RESULTS.md: python -m bench.report <json> [<json at L>]
    import sys

    data = [json.loads(Path(a).read_text()) for a in sys.argv[1:3]]
    _write_results_md(markdown(data[0]) if len(data) == 1 else markdown_pair(*data))
    print(f"Re-rendered bench/RESULTS.md from {', '.join(sys.argv[1:3])}")
