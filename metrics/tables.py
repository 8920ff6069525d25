"""Tables and charts as plain data: the same Table renders as HTML, as CSV, and under each chart."""

import csv
from dataclasses import dataclass, field

from django.http import Http404, HttpResponse

DASH = "—"


def fmt(value, kind: str = "int") -> str:
    """A figure for display; None (a ratio with a zero denominator, or no data) is "—"."""
    if value is None:
        return DASH
    if kind == "int":
        return f"{int(value):,}"
    if kind == "pct":
        return f"{value * 100:.1f}%"
    if kind == "score":
        return f"{value:+.3f}"
    if kind == "dur":
        minutes = value / 60
        return f"{minutes:.0f} min" if minutes < 90 else f"{minutes / 60:.1f} h"
    if kind == "ratio":
        return f"{value:.2f}"
    return str(value)


def change(current, previous, kind: str) -> float | None:
    """The change as a number: the difference for shares and sentiment (0.11 = 11 points), the relative
    change otherwise (0.11 = +11%); None when either side is missing, or the base is zero."""
    if current is None or previous is None:
        return None
    if kind in ("pct", "score"):
        return current - previous
    return (current - previous) / abs(previous) if previous else None


def delta(current, previous, kind: str) -> tuple[str, str]:
    """(text, "up"|"down"|"") for the change against the previous period: percentage points for shares,
    score points for sentiment, relative change otherwise; "—" when either side is missing or zero."""
    if current is None or previous is None:
        return DASH, ""
    if kind in ("pct", "score"):
        diff = current - previous
        text = f"{diff * 100:+.1f} pp" if kind == "pct" else f"{diff:+.3f}"
    else:
        if not previous:
            return DASH, ""
        diff = (current - previous) / abs(previous)
        text = f"{diff * 100:+.0f}%"
    return text, ("up" if diff > 0 else "down" if diff < 0 else "")


@dataclass
class Column:
    header: str
    # A fmt() kind; "text" is shown as is, "link" cells are (text, url), "mixed" cells (value, fmt kind)
    # (a column of different figures), "delta" cells (number, display text, "up"|"down"|"").
    kind: str = "text"


@dataclass
class Table:
    name: str
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    note: str = ""

    def display_rows(self) -> list[list]:
        return [[_cell(v, c.kind) for v, c in zip(row, self.columns, strict=True)] for row in self.rows]

    def csv_rows(self) -> list[list[str]]:
        out = [[c.header for c in self.columns]]
        for row in self.rows:
            out.append([_csv_cell(v, c.kind) for v, c in zip(row, self.columns, strict=True)])
        return out


def _cell(value, kind: str) -> dict:
    if kind == "link":
        text, url = value
        return {"text": text, "url": url}
    if kind == "heat":  # (value, fmt kind, css class)
        number, number_kind, css = value
        return {"text": fmt(number, number_kind), "css": css}
    if kind == "mixed":
        return {"text": fmt(value[0], value[1]), "num": True}
    if kind == "delta":
        return {"text": value[1], "num": True}
    return {"text": value if kind == "text" else fmt(value, kind), "num": kind != "text"}


def _csv_cell(value, kind: str) -> str:
    """Numbers as numbers (2478, 0.11: shares and changes as fractions, durations in seconds), an empty
    cell where there is none; text as text."""
    if kind == "link":
        value, kind = value[0], "text"
    if kind == "text":
        # Member-chosen names must not run as spreadsheet formulas when the CSV is opened.
        text = str(value)
        return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
    if kind in ("heat", "mixed", "delta"):
        value = value[0]
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else f"{value:.6g}"
    return str(value)


@dataclass
class Chart:
    id: str
    title: str
    kind: str  # "line" | "bar" | "bubble"
    labels: list[str]
    datasets: list[dict]
    table: Table
    y_format: str = "int"
    description: str = ""

    @property
    def data(self) -> dict:
        return {"type": self.kind, "labels": self.labels, "datasets": self.datasets, "yFormat": self.y_format}


def csv_response(tables: list[Table], name: str) -> HttpResponse:
    table = next((t for t in tables if t.name == name), None)
    if table is None:
        raise Http404("No such table.")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{table.name}.csv"'
    csv.writer(response).writerows(table.csv_rows())
    return response


def heat_class(value, *, diverging: bool = False) -> str:
    """A CSS class for a heatmap cell: heat-0…heat-9 for shares, sent-neg-*/sent-pos-* for sentiment."""
    if value is None:
        return "heat-none"
    if diverging:
        level = min(int(abs(value) * 10 // 2), 4)
        return f"sent-{'pos' if value >= 0 else 'neg'}-{level}"
    return f"heat-{min(int(value * 10), 9)}"
