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
        lines.append(f"Re-measured afterwards in the same session: {', '.join(again['modules'])} "
                     f"({again['wall_seconds'] / 60:.1f} min), replacing those sections' figures.")
    if results["size"] == "S":
        lines.append(SIZE_L_NOTE)
    return [" ".join(lines), ""] if lines else []


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
    old["remeasured"] = old.get("remeasured", []) + [{"modules": modules, "wall_seconds": fresh["wall_seconds"]}]
    return old


def _write_results_md(text: str) -> None:
    """RESULTS.md is ours except its "## Load" section, which `make load` (bench/load) appends: keep it."""
    target = HERE / "RESULTS.md"
    old = target.read_text() if target.exists() else ""
    marker = "\n## Load"
    load = old[old.index(marker):] if marker in old else ""
    target.write_text(text.rstrip("\n") + "\n" + load if load else text)


def write(results: dict, *, write_markdown: bool = True) -> None:
    now = datetime.now(UTC)
    results["date"] = now.strftime("%Y-%m-%d %H:%M UTC")
    path = HERE / "results" / f"{now:%Y-%m-%d}-{results['size']}.json"
    results["json"] = f"bench/results/{path.name}"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(results, indent=1, default=str) + "\n")
    text = markdown(results)
    print("\n" + text)
    if write_markdown:
        _write_results_md(text)
        print(f"Wrote {path.relative_to(HERE.parent)} and bench/RESULTS.md")


if __name__ == "__main__":  # re-render RESULTS.md from a results file: python -m bench.report <json>
    import sys

    data = json.loads(Path(sys.argv[1]).read_text())
    _write_results_md(markdown(data))
    print(f"Re-rendered bench/RESULTS.md from {sys.argv[1]}")
