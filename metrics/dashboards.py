"""Assembles the dashboard pages from selectors: cards, charts (each with its table) and tables."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.urls import reverse

from moderation.models import Report

from . import insights as ins
from . import selectors as sel
from .definitions import (
    ATTENTION_DEFINITION,
    DEFINITIONS,
    INFLUENCER_DEFINITION,
    MODERATION_DEFINITIONS,
    PERIOD_DEFINITIONS,
    POD_EFFECT_DEFINITION,
    RETENTION_DEFINITION,
    SCOPE_DEFINITIONS,
)
from .models import PeriodKind, RetentionCohort, ScopeKind
from .periods import day_start, period_end, period_start, periods_between, previous_start, week_monday
from .services.influencers import MIN_REACH
from .services.rollups import (
    ATTENTION_MIN_IMPRESSIONS,
    ATTENTION_SENTIMENT_DROP,
    STALE_QUEUE_HOURS,
)
from .tables import Chart, Column, Table, change, delta, fmt, heat_class

CARD_FIGURES = ["unique_reach", "impressions", "active_members", "engagement_rate", "participation", "stickiness",
                "retention_w4", "sentiment_mean", "members_end", "growth", "reply_rate", "inequality"]
SERIES_FIGURES = ["unique_reach", "active_members", "engagement_rate", "participation", "stickiness",
                  "sentiment_mean"]
TABLE_FIGURES = ["impressions", "unique_reach", "active_members", "dau", "wau", "mau", "stickiness", "members_end",
                 "growth", "growth_rate", "interactions", "engagement_rate", "contributors", "participation",
                 "contributions_per_active", "inequality", "reply_rate", "median_reply_seconds", "sentiment_mean",
                 "sentiment_positive_share", "sentiment_negative_share", "rule_hits"]
PERIOD_WORDS = {PeriodKind.DAY: "day", PeriodKind.WEEK: "week", PeriodKind.D28: "28-day window"}
SCATTER_LIMIT = 100
SENTIMENT_MAP_PODS = 12
HEATMAP_WEEKS = 12


@dataclass
class Params:
    period: str
    start: date
    end: date
    pod: object = None  # a Pod, or None for "the busiest pod" (when no region is chosen)
    region: object = None  # a region Place, or None


def region_choices() -> list:
    return sel.region_choices()


def _value(row, key: str, retention=None):
    if key == "retention_w4":
        return retention
    return None if row is None else getattr(row, key)


def _period_label(period: str, start: date) -> str:
    if period == PeriodKind.DAY:
        return start.isoformat()
    if period == PeriodKind.WEEK:
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{start.isoformat()}…{period_end(period, start).isoformat()}"


def build_cards(scopes: list[tuple[str, tuple]], rows, retention, cur: date, prev: date) -> tuple[list, Table]:
    """One card per figure with a value per scope, its change against the previous period, and its definition."""
    cards = []
    columns = [Column("Figure")]
    for name, _ in scopes:
        columns += [Column(name, "mixed"), Column(f"{name}: change", "delta")]
    table = Table("cards", "Broad vs micro", columns + [Column("Definition")],
                  note="Changes: percentage points for shares (0.11 = 11 points), score points for sentiment, "
                       "the relative change otherwise (0.11 = +11%).")
    for key in CARD_FIGURES:
        label, definition, kind = DEFINITIONS[key]
        cells, csv_row = [], [label]
        for name, scope in scopes:
            now = _value(rows.get((*scope, cur)), key, retention.get((*scope, cur)))
            before = _value(rows.get((*scope, prev)), key, retention.get((*scope, prev)))
            text, direction = delta(now, before, kind)
            cells.append({"scope": name, "value": fmt(now, kind), "delta": text, "direction": direction})
            csv_row += [(now, kind), (change(now, before, kind), text, direction)]
        cards.append({"key": key, "label": label, "definition": definition, "cells": cells})
        table.rows.append(csv_row + [definition])
    return cards, table


MEDIAN_LABEL = "All-pods median"


def series_charts(period: str, params: Params, scopes: list[tuple[str, tuple]], prefix: str,
                  medians: dict | None = None, series: dict | None = None) -> list[Chart]:
    """One line chart per figure; with `medians` ({start: all-pods medians}) a dashed median line too.
    `series`: the range's rows when the caller already read them."""
    if series is None:
        series = sel.rollup_series(period=period, first=params.start, last=params.end,
                                   scopes=[s for _, s in scopes])
    starts = sorted({d for by_start in series.values() for d in by_start})
    labels = [_period_label(period, s) for s in starts]
    charts = []
    for key in SERIES_FIGURES:
        label, definition, kind = DEFINITIONS[key]
        extra = [Column(MEDIAN_LABEL, kind)] if medians is not None else []
        table = Table(f"{prefix}series_{key}", f"{label} by {PERIOD_WORDS[period]}",
                      [Column("Period")] + [Column(name, kind) for name, _ in scopes] + extra, note=definition)
        datasets = []
        scale = 100 if kind == "pct" else 1
        for name, scope in scopes:
            values = [_value(series.get(scope, {}).get(s), key) for s in starts]
            datasets.append({"label": name, "data": [None if v is None else round(v * scale, 4) for v in values]})
        if medians is not None:
            values = [medians.get(s, {}).get(key) for s in starts]
            # Chart.js options ride along in the dataset: a grey dashed line without points.
            datasets.append({"label": MEDIAN_LABEL, "borderDash": [6, 4], "borderColor": "#7a6a5a",
                             "backgroundColor": "#7a6a5a", "pointRadius": 0,
                             "data": [None if v is None else round(v * scale, 4) for v in values]})
        for i, lab in enumerate(labels):
            row = [lab] + [_value(series.get(scope, {}).get(starts[i]), key) for _, scope in scopes]
            table.rows.append(row + ([medians.get(starts[i], {}).get(key)] if medians is not None else []))
        charts.append(Chart(f"{prefix}chart-{key}", table.title, "line", labels, datasets, table,
                            y_format=kind, description=definition))
    return charts


def period_table(name: str, title: str, scopes: list[tuple[str, tuple]], rows, cur: date) -> Table:
    """Every figure for each scope in the current period (the full set, for CSV and screen readers)."""
    table = Table(name, title, [Column("Figure")] + [Column(n, "mixed") for n, _ in scopes] + [Column("Definition")])
    for key in TABLE_FIGURES:
        label, definition, kind = DEFINITIONS[key]
        table.rows.append([label] + [(_value(rows.get((*s, cur)), key), kind) for _, s in scopes] + [definition])
    return table


def scatter_chart(pod_rows, names) -> Chart:
    table = Table("pods", "Pods: members against engagement rate",
                  [Column("Pod", "link"), Column("Members", "int"), Column("Engagement rate", "pct"),
                   Column("Active members", "int"), Column("Interactions", "int"), Column("Sentiment", "score")],
                  note="Point size is the number of active members. " + DEFINITIONS["engagement_rate"][1])
    points = []
    for r in pod_rows:
        pod = names.get(r.scope_id)
        if pod is None:
            continue
        table.rows.append([(pod.name, reverse("metrics_pods:insights", args=[pod.slug])), r.members_end,
                           r.engagement_rate, r.active_members, r.interactions, r.sentiment_mean])
        if r.engagement_rate is not None:
            points.append({"x": r.members_end, "y": round(r.engagement_rate * 100, 2),
                           "r": round(3 + min(r.active_members, 100) ** 0.5 * 2, 1), "label": pod.name})
    return Chart("chart-pods", table.title, "bubble", [], [{"label": "Pods", "data": points}], table, y_format="pct",
                 description="x: members at period end; y: engagement rate (%); size: active members.")


def cohort_table(name: str, title: str, cohorts: list[RetentionCohort], labels: dict) -> Table:
    table = Table(name, title, [Column("Scope"), Column("Cohort week"), Column("Size", "int")]
                  + [Column(f"Week {k}", "heat") for k in range(1, 9)], note=RETENTION_DEFINITION)
    for c in cohorts:
        table.rows.append([labels[(c.scope_kind, c.scope_id)], _period_label(PeriodKind.WEEK, c.cohort_week), c.size]
                          + [(rate, "pct", heat_class(rate)) for rate in c.rates])
    return table


def pod_effect_chart(cohorts: list[RetentionCohort]) -> Chart:
    segments = [RetentionCohort.Segment.POD_JOINERS, RetentionCohort.Segment.NON_JOINERS]
    pooled = {s: sel.pooled_retention([c for c in cohorts if c.segment == s]) for s in segments}
    sizes = {s: sum(c.size for c in cohorts if c.segment == s) for s in segments}
    table = Table("pod_effect", "Pod-joining effect", [Column("Group"), Column("Members", "int")]
                  + [Column(f"Week {k}", "pct") for k in range(1, 9)], note=POD_EFFECT_DEFINITION)
    datasets = []
    for s in segments:
        label = RetentionCohort.Segment(s).label
        table.rows.append([label, sizes[s]] + pooled[s])
        datasets.append({"label": label, "data": [None if v is None else round(v * 100, 2) for v in pooled[s]]})
    return Chart("chart-pod-effect", table.title, "line", [f"Week {k}" for k in range(1, 9)], datasets, table,
                 y_format="pct", description=POD_EFFECT_DEFINITION)


def sentiment_map(pod_ids: list[int], names, end: date) -> Table:
    last = sel.latest_complete_start(PeriodKind.WEEK, end)
    weeks = [last - timedelta(days=7 * i) for i in range(HEATMAP_WEEKS - 1, -1, -1)]
    by_pod = sel.week_rows_for_pods(pod_ids=pod_ids, first=weeks[0], last=last)
    table = Table("sentiment_map", "Sentiment map: pods × weeks",
                  [Column("Pod", "link")] + [Column(_period_label(PeriodKind.WEEK, w), "heat") for w in weeks],
                  note=DEFINITIONS["sentiment_mean"][1])
    for pod_id in pod_ids:
        pod = names.get(pod_id)
        if pod is None:
            continue
        cells = []
        for w in weeks:
            value = _value(by_pod.get(pod_id, {}).get(w), "sentiment_mean")
            cells.append((value, "score", heat_class(value, diverging=True)))
        table.rows.append([(pod.name, reverse("metrics_pods:insights", args=[pod.slug]))] + cells)
    return table


def influencer_table(end: date, period: str) -> Table:
    kind = PeriodKind.D28 if period == PeriodKind.D28 else PeriodKind.WEEK
    start = sel.latest_complete_start(kind, end)
    table = Table("influencers", f"Micro-influencers ({_period_label(kind, start)})",
                  [Column("Niche tag"), Column("Member", "link"), Column("Reach", "int"),
                   Column("Engaged members", "int"), Column("Score", "pct"), Column("Invite", "link")],
                  note=INFLUENCER_DEFINITION.format(min_reach=MIN_REACH))
    invite_url = reverse("microgroups:steward_invite_new")
    for row in sel.influencers_for(period=kind, start=start):
        member, tag = row.member, row.tag
        profile = reverse("communities:profile", args=[member.username])
        invite = f"{invite_url}?{urlencode({'member': member.username, 'niche': tag.pk})}"
        table.rows.append([tag.name, (member.name, profile), row.reach, row.engagers, row.score,
                           (f"Invite {member.name} to steward a pod about #{tag.slug}", invite)])
    return table


def attention_table(period: str, cur: date, rows, names) -> Table:
    table = Table("attention", "Pods needing attention",
                  [Column("Pod", "link"), Column("Members", "int"), Column("Engagement rate", "pct"),
                   Column("Sentiment", "score"), Column("Why")],
                  note=ATTENTION_DEFINITION.format(min_impressions=ATTENTION_MIN_IMPRESSIONS,
                                                   sentiment_drop=ATTENTION_SENTIMENT_DROP,
                                                   stale_hours=STALE_QUEUE_HOURS))
    for r in rows:
        pod = names.get(r.scope_id)
        if pod is not None:
            table.rows.append([(pod.name, reverse("metrics_pods:insights", args=[pod.slug])), r.members_end,
                               r.engagement_rate, r.sentiment_mean, "; ".join(r.attention_reasons)])
    return table


def regions_table(regions) -> Table:
    figures = ["members_end", "active_members", "unique_reach", "engagement_rate", "participation",
               "stickiness", "sentiment_mean"]
    table = Table("regions", "Regions", [Column("Region")] + [Column(DEFINITIONS[k][0], DEFINITIONS[k][2])
                                                              for k in figures], note=SCOPE_DEFINITIONS["region"])
    for place, row in regions:
        table.rows.append([place.name] + [getattr(row, k) for k in figures])
    return table


def niches_table(niches) -> Table:
    table = Table("emerging_niches", "Emerging niches",
                  [Column("Niche"), Column("Tags"), Column("Authors lately", "int"), Column("Before", "int"),
                   Column("Covered by")],
                  note="Topic tags many distinct Commons authors used lately that no pod covers (from the pods "
                       "app's nightly computation).")
    for n in niches:
        table.rows.append([n.label, ", ".join(t.name for t in n.tags.all()), n.author_count,
                           n.previous_author_count, n.covered_by.name if n.covered_by else "—"])
    return table


def pulse_table(months: list[dict]) -> Table:
    """The monthly pulse summed over pods: the response rate and mean score of all answers together."""
    table = Table("pulse", "Monthly pulse, all pods",
                  [Column("Month"), Column("Pods asked", "int"), Column("Members asked", "int"),
                   Column("Answers", "int"), Column("Response rate", "pct"), Column("Mean score", "ratio")],
                  note=DEFINITIONS["pulse_mean"][1] + " " + DEFINITIONS["pulse_rate"][1]
                  + " Summed over pods: all answers ÷ all members asked; the mean of all answers.")
    for m in months:
        asked, answers = m["asked"] or 0, m["answers"] or 0
        table.rows.append([m["month"].strftime("%B %Y"), m["pods"], asked, answers,
                           answers / asked if asked else None, (m["scores"] or 0) / answers if answers else None])
    return table


def dashboard_scopes(params: Params, busiest: list, names: dict) -> tuple[list[tuple[str, tuple]], object]:
    """The columns: Commons, all pods, then the chosen pod (else, with no region chosen, the busiest pod),
    then the chosen region."""
    region = params.region
    default_pod = busiest[0].scope_id if busiest and region is None else None
    pod = params.pod or names.get(default_pod)
    scopes = [("Commons", sel.COMMONS), ("All pods", sel.PODS)] + ([(pod.name, (ScopeKind.POD, pod.pk))] if pod else [])
    if region is not None:
        scopes.append((region.name, (ScopeKind.REGION, region.pk)))
    return scopes, pod


def _first_cohort_week(params: Params) -> date:
    return max(week_monday(params.start), week_monday(params.end) - timedelta(days=7 * (HEATMAP_WEEKS - 1)))


def manager_dashboard(params: Params) -> dict:
    period = params.period
    cur = sel.latest_complete_start(period, params.end)
    prev = previous_start(period, cur)
    busiest = sel.pod_rows(period=period, start=cur, limit=SCATTER_LIMIT)
    attention = sel.pods_needing_attention(period=period, start=cur)
    extra = [params.pod.pk] if params.pod else ([busiest[0].scope_id] if busiest else [])
    names = sel.pod_names([r.scope_id for r in busiest + attention] + extra)
    scopes, pod = dashboard_scopes(params, busiest, names)
    region = params.region
    scope_ids = [s for _, s in scopes]
    rows = sel.rollups_for(period=period, starts=[cur, prev], scopes=scope_ids)
    retention = sel.retention_w4_for(period=period, starts=[cur, prev], scopes=scope_ids)
    cards, cards_table = build_cards(scopes, rows, retention, cur, prev)
    cohorts = sel.cohorts_between(first=_first_cohort_week(params), last=params.end, scopes=scope_ids,
                                  segments=[s.value for s in RetentionCohort.Segment])
    labels = {scope: name for name, scope in scopes}
    heat = cohort_table("cohorts", "Cohort retention: " + ", ".join(name for name, _ in scopes),
                        [c for c in cohorts if c.segment == RetentionCohort.Segment.ALL], labels)
    charts = series_charts(period, params, scopes, "")
    scatter = scatter_chart(busiest, names)
    effect = pod_effect_chart([c for c in cohorts if c.scope_kind == ScopeKind.COMMONS])
    moderation = moderation_section(params, scopes, cur)
    tables = [cards_table, period_table("figures", "All figures this period", scopes, rows, cur), heat,
              sentiment_map([r.scope_id for r in busiest[:SENTIMENT_MAP_PODS]], names, params.end),
              influencer_table(params.end, period), niches_table(sel.emerging_niches()),
              attention_table(period, cur, attention, names),
              regions_table(sel.region_rows(period=period, start=cur)), pulse_table(sel.pulse_by_month())]
    chart_tables = [c.table for c in charts + [scatter, effect] + moderation["charts"]]
    return {"cards": cards, "charts": charts, "scatter": scatter, "effect": effect, "tables": tables,
            "moderation": moderation, "all_tables": tables + moderation["tables"] + chart_tables,
            "pod": pod, "region": region,
            "current": _period_label(period, cur), "previous": _period_label(period, prev), "cur_start": cur,
            "pod_choices": sel.pod_choices(), "scope_names": [name for name, _ in scopes],
            "scope_definitions": SCOPE_DEFINITIONS, "period_definition": PERIOD_DEFINITIONS[period],
            "moderation_definitions": MODERATION_DEFINITIONS}


CHART_SECTIONS = ("series", "pods", "retention", "moderation")


def section_charts(section: str, params: Params) -> list[Chart]:
    """One section's charts, as the page draws them, for loading when the section scrolls into view (the
    page itself carries only the tables). Reads only what that section needs."""
    period = params.period
    cur = sel.latest_complete_start(period, params.end)
    if section == "retention":
        segments = [RetentionCohort.Segment.POD_JOINERS, RetentionCohort.Segment.NON_JOINERS]
        return [pod_effect_chart(sel.cohorts_between(first=_first_cohort_week(params), last=params.end,
                                                     scopes=[sel.COMMONS], segments=segments))]
    if section == "pods":
        busiest = sel.pod_rows(period=period, start=cur, limit=SCATTER_LIMIT)
        return [scatter_chart(busiest, sel.pod_names([r.scope_id for r in busiest]))]
    busiest = [] if params.pod or params.region else sel.pod_rows(period=period, start=cur, limit=1)
    scopes, _ = dashboard_scopes(params, busiest, sel.pod_names([r.scope_id for r in busiest]) if busiest else {})
    if section == "series":
        return series_charts(period, params, scopes, "")
    return moderation_section(params, scopes, cur, charts_only=True)["charts"]


def pod_insights(pod, params: Params) -> dict:
    period = params.period
    cur = sel.latest_complete_start(period, params.end)
    prev = previous_start(period, cur)
    scope = (ScopeKind.POD, pod.pk)
    # One read each of the pod's rows, its cohorts and the all-pods medians, covering both the cards
    # (this period and the previous) and the charts (the range).
    shown = period_start(period, params.start)
    series = sel.rollup_series(period=period, first=min(shown, prev), last=params.end, scopes=[scope]).get(scope, {})
    rows = {(*scope, s): series[s] for s in (cur, prev) if s in series}
    lo, hi = sel.retention_w4_weeks(period, [cur, prev])
    first_week = week_monday(params.start)
    all_cohorts = sel.cohorts_between(first=min(lo, first_week), last=max(hi, params.end), scopes=[scope],
                                      segments=[RetentionCohort.Segment.ALL])
    retention = sel.pooled_w4(all_cohorts, period=period, starts=[cur, prev], scopes=[scope])
    benchmarks = sel.pod_benchmarks(period=period, first=min(shown, cur), last=params.end)
    benchmark = benchmarks.get(cur)
    cards, _ = build_cards([(pod.name, scope)], rows, retention, cur, prev)
    medians = benchmark.medians if benchmark else {}
    table = Table("insights", f"{pod.name} against the all-pods median",
                  [Column("Figure"), Column(pod.name), Column("Change"), Column("All-pods median"),
                   Column("Definition")])
    for card in cards:
        kind = DEFINITIONS[card["key"]][2]
        card["median"] = fmt(medians.get(card["key"]), kind)
        cell = card["cells"][0]
        table.rows.append([card["label"], cell["value"], cell["delta"], card["median"], card["definition"]])
    cohorts = [c for c in all_cohorts if first_week <= c.cohort_week <= params.end]
    medians = {s: b.medians for s, b in benchmarks.items() if s >= shown}
    charts = series_charts(period, params, [(pod.name, scope)], "pod-", medians=medians,
                           series={scope: {s: r for s, r in series.items() if s >= shown}})
    surveys = sel.pulse_surveys(pod=pod)
    pulse = Table("pulse", "Monthly pulse", [Column("Month"), Column("Asked", "int"), Column("Answers", "int"),
                                             Column("Response rate", "pct"), Column("Mean score", "ratio")],
                  note=DEFINITIONS["pulse_mean"][1] + " " + DEFINITIONS["pulse_rate"][1])
    for s in surveys:
        pulse.rows.append([s.month.strftime("%B %Y"), s.asked_count, s.response_count, s.response_rate, s.mean_score])
    answered = next((s for s in surveys if s.response_count), None)
    tables = [table, period_table("figures", "All figures this period", [(pod.name, scope)], rows, cur),
              cohort_table("cohorts", "Cohort retention", cohorts, {scope: pod.name}), pulse]
    return {"cards": cards, "charts": charts, "tables": tables, "all_tables": tables + [c.table for c in charts],
            "current": _period_label(period, cur), "previous": _period_label(period, prev),
            "benchmark": benchmark, "answers_survey": answered, "scope_definitions": SCOPE_DEFINITIONS,
            "period_definition": PERIOD_DEFINITIONS[period],
            "answers": sel.pulse_answers(survey=answered) if answered else []}



# --- Moderator insights ----------------------------------------------------------------------------

EVERYWHERE_LABEL = "Everywhere"
SANCTIONS_LABEL = "Edited out, warned, muted or banned"


def _window(period: str, start: date) -> tuple[datetime, datetime]:
    """[start of the period, start of the next) in UTC."""
    return day_start(start), day_start(period_end(period, start) + timedelta(days=1))


def moderation_scopes(scopes: list[tuple[str, tuple]]) -> list[tuple[str, tuple]]:
    return [(EVERYWHERE_LABEL, ins.EVERYWHERE)] + scopes


def moderators_table(mods: dict, scopes: list[tuple[str, tuple]], firsts: dict[int, list[float]],
                     label: str) -> Table:
    others = scopes[1:]
    table = Table("moderation_moderators", f"Actions per moderator ({label})",
                  [Column("Moderator", "link"), Column("Actions", "int")]
                  + [Column(f"In {name}", "int") for name, _ in others]
                  + [Column("Approved", "int"), Column("Removed", "int"), Column(SANCTIONS_LABEL, "int"),
                     Column("Escalated", "int"), Column("Appeals decided", "int"), Column("First decisions", "int"),
                     Column("Median time to first decision", "dur"), Column("Removals overturned", "int")],
                  note=MODERATION_DEFINITIONS["actions"] + " First decisions: queue items whose first moderator "
                       "decision was theirs, made in the period; the median is over those items.")
    ordered = sorted(mods.values(), key=lambda m: (-m.actions, m.username))[:ins.MODERATOR_LIMIT]
    for m in ordered:
        a = m.by_action
        mine = firsts.get(m.member_id, [])
        table.rows.append([(m.name, reverse("communities:profile", args=[m.username])), m.actions]
                          + [m.by_scope.get(scope, 0) for _, scope in others]
                          + [a["approve"], a["remove"], sum(a[k] for k in ins.SANCTIONS), a["escalate"],
                             sum(a[k] for k in ins.APPEAL_DECISIONS), len(mine), ins.median(mine), m.overturned])
    return table


def first_action_table(items, scopes, t0, t1, label: str) -> Table:
    table = Table("moderation_first_action", f"Time to first action ({label})",
                  [Column("Scope"), Column("Items opened", "int"), Column("Decided by a moderator", "int"),
                   Column("Closed without a decision", "int"), Column("Still open", "int"),
                   Column("Median time to first action", "dur"), Column("p90 time to first action", "dur")],
                  note=MODERATION_DEFINITIONS["first_action"])
    for name, scope in scopes:
        f = ins.first_actions(items, t0=t0, t1=t1, scope=scope)
        table.rows.append([name, f.opened, f.decided, f.closed_otherwise, f.waiting, f.median, f.p90])
    return table


def reasons_table(rows: list[dict], scopes, label: str) -> Table:
    table = Table("moderation_reasons", f"Reports by reason ({label})",
                  [Column("Reason")] + [Column(name, "int") for name, _ in scopes]
                  + [Column("Share of reports", "pct"), Column("Led to removal", "pct")],
                  note=MODERATION_DEFINITIONS["reasons"])
    counts = {(reason, scope): 0 for reason in Report.Reason.values for _, scope in scopes}
    removed = dict.fromkeys(Report.Reason.values, 0)
    for r in rows:
        removed[r["reason"]] = removed.get(r["reason"], 0) + r["removed"]
        for _, scope in scopes:
            if ins.in_scope(scope, r["place_pod"], r["place_region"]):
                counts[(r["reason"], scope)] = counts.get((r["reason"], scope), 0) + r["n"]
    total = sum(counts.get((reason, ins.EVERYWHERE), 0) for reason in Report.Reason.values)
    for reason, reason_label in Report.Reason.choices:
        everywhere = counts[(reason, ins.EVERYWHERE)]
        table.rows.append([reason_label] + [counts[(reason, scope)] for _, scope in scopes]
                          + [everywhere / total if total else None,
                             removed[reason] / everywhere if everywhere else None])
    table.rows.append(["All reasons"] + [sum(counts[(reason, scope)] for reason in Report.Reason.values)
                                         for _, scope in scopes]
                      + [1.0 if total else None, sum(removed.values()) / total if total else None])
    return table


def appeals_table(rows: list[dict], scopes, label: str) -> Table:
    table = Table("moderation_appeals", f"Decisions appealed and overturned ({label})",
                  [Column("Scope"), Column("Removals", "int"), Column("Appealed", "int"),
                   Column("Appealed share", "pct"), Column("Overturned", "int"), Column("Overturned share", "pct"),
                   Column("Upheld", "int"), Column("Overturned of decided appeals", "pct")],
                  note=MODERATION_DEFINITIONS["appeals"])
    for name, scope in scopes:
        mine = [r for r in rows if ins.in_scope(scope, r["place_pod"], r["region_id"])]
        removals, appealed = sum(r["removals"] for r in mine), sum(r["appealed"] for r in mine)
        overturned, upheld = sum(r["overturned"] for r in mine), sum(r["upheld"] for r in mine)
        table.rows.append([name, removals, appealed, appealed / removals if removals else None, overturned,
                           overturned / removals if removals else None, upheld,
                           overturned / (overturned + upheld) if overturned + upheld else None])
    return table


def moderation_charts(items, scopes, period: str, starts: list[date]) -> list[Chart]:
    """The queue backlog at the end of each period, and the median time to first action by period."""
    labels = [_period_label(period, s) for s in starts]
    windows = [_window(period, s) for s in starts]
    backlog = Table("moderation_backlog", f"Queue backlog at the end of each {PERIOD_WORDS[period]}",
                    [Column("Period")] + [Column(name, "int") for name, _ in scopes],
                    note=MODERATION_DEFINITIONS["backlog"])
    speed = Table("moderation_first_action_series", f"Median time to first action by {PERIOD_WORDS[period]}",
                  [Column("Period")] + [Column(name, "dur") for name, _ in scopes],
                  note="Items opened in each period; chart in hours. " + MODERATION_DEFINITIONS["first_action"])
    open_at = {scope: [ins.backlog_at(items, t1, scope) for _, t1 in windows] for _, scope in scopes}
    medians = {scope: [ins.first_actions(items, t0=t0, t1=t1, scope=scope).median for t0, t1 in windows]
               for _, scope in scopes}
    for i, label in enumerate(labels):
        backlog.rows.append([label] + [open_at[scope][i] for _, scope in scopes])
        speed.rows.append([label] + [medians[scope][i] for _, scope in scopes])
    hours = {scope: [None if v is None else round(v / 3600, 2) for v in medians[scope]] for _, scope in scopes}
    return [
        Chart("chart-mod-backlog", backlog.title, "line", labels,
              [{"label": name, "data": open_at[scope]} for name, scope in scopes], backlog,
              description=MODERATION_DEFINITIONS["backlog"]),
        Chart("chart-mod-first-action", speed.title + " (hours)", "line", labels,
              [{"label": name, "data": hours[scope]} for name, scope in scopes], speed, y_format="ratio",
              description="Median hours from an item's opening to its first moderator decision, for the items "
                          "opened in each period."),
    ]


def series_starts(period: str, params: Params, cur: date) -> list[date]:
    return list(periods_between(period, params.start, cur)) or [cur]


def moderation_section(params: Params, scopes: list[tuple[str, tuple]], cur: date, *,
                       charts_only: bool = False) -> dict:
    """Moderator insights for the current period (tables) and the range (charts): four queries."""
    period, scopes = params.period, moderation_scopes(scopes)
    keys = [scope for _, scope in scopes]
    label = _period_label(period, cur)
    t0, t1 = _window(period, cur)
    starts = series_starts(period, params, cur)
    items = ins.queue_items(since=day_start(starts[0]), until=t1)
    charts = moderation_charts(items, scopes, period, starts)
    if charts_only:
        return {"charts": charts, "tables": []}
    firsts: dict[int, list[float]] = defaultdict(list)
    for item in items:
        if item.first_by is not None and t0 <= item.first_at < t1:
            firsts[item.first_by].append(item.first_seconds)
    tables = [moderators_table(ins.moderator_actions(t0=t0, t1=t1, scopes=keys), scopes, firsts, label),
              first_action_table(items, scopes, t0, t1, label),
              reasons_table(ins.reasons_by_place(t0=t0, t1=t1), scopes, label),
              appeals_table(ins.removals_appealed(t0=t0, t1=t1), scopes, label)]
    return {"charts": charts, "tables": tables, "label": label}
