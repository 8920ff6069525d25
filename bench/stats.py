"""Medians with spread: every figure is measured several times in one run and reported as
median (min–max), so a noisy neighbour shows up as spread instead of as a wrong number."""

import math
import statistics


def summary(values: list[float]) -> dict:
    """Median, min, max and relative spread ((max − min) / median) of repeated measurements."""
    values = [v for v in values if v is not None]
    if not values:
        return {"median": None, "min": None, "max": None, "spread": None, "n": 0, "values": []}
    med = statistics.median(values)
    return {
        "median": round(med, 4), "min": round(min(values), 4), "max": round(max(values), 4),
        "spread": round((max(values) - min(values)) / med, 3) if med else None, "n": len(values),
        "values": [round(v, 4) for v in values],
    }


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0–100) of raw samples."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(p / 100 * len(ordered))))
    return ordered[rank - 1]


def ratios(numerators: list[float], denominators: list[float]) -> list[float]:
    """Per-round ratios (a round measures both sides back to back, so drift cancels)."""
    return [n / d for n, d in zip(numerators, denominators, strict=False) if n is not None and d]
