"""Quality-versus-cost metrics of a router, after RouteLLM (Ong et al. 2024, arXiv:2406.18665).

A curve is a set of (cost, quality) points, one per setting of the router's
knob. Costs are relative to the all-strongest cost, so always-strongest sits at
cost 1. In two-tier mode the cost is the share of calls to the strong model,
which is RouteLLM's own axis. With three tiers it is dollars over the
all-Tier-3 dollars.

- PGR(q) = (q - q_weak) / (q_strong - q_weak): the share of the quality gap
  between always-cheapest and always-strongest that quality q recovers.
- APGR: the area under the curve between always-cheapest and always-strongest,
  over the same area of the gap, i.e. the mean PGR across the cost range.
  RouteLLM's `routellm/evals/evaluate.py` integrates with the trapezoid rule
  over the router's points. Here both end points are added to every curve,
  because mixing a router with either trivial router at random reaches every
  point of the straight line between them.
- CPT(x): the least cost at which the curve reaches PGR x, interpolated
  linearly between points.
- Savings at 95 %: 100 * (1 - cost) at the least cost reaching 95 % of the
  always-strongest quality. A single operating point (the shipped table, a
  replay) is scored on the curve made of that point and the two end points:
  mixing it at random with always-cheapest or always-strongest reaches every
  point of the lines between them, so a point above 95 % also earns the
  savings of the cheaper mix.

Every function here is pure; `bootstrap_weights` supplies the resampling.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

NAN = float("nan")


@dataclass(frozen=True)
class Endpoints:
    """Cost and quality of always-cheapest (weak) and always-strongest (strong)."""

    c_weak: float
    q_weak: float
    c_strong: float
    q_strong: float


def pgr(quality: float, q_weak: float, q_strong: float) -> float:
    """Share of the weak-to-strong quality gap that `quality` recovers; NaN without a gap."""
    gap = q_strong - q_weak
    return (quality - q_weak) / gap if gap != 0 else NAN


def closed_curve(costs: np.ndarray, qualities: np.ndarray, ends: Endpoints) -> tuple[np.ndarray, np.ndarray]:
    """Return the curve's points with both end points added, sorted by cost, then quality."""
    x = np.concatenate(([ends.c_weak], np.asarray(costs, dtype=float), [ends.c_strong]))
    y = np.concatenate(([ends.q_weak], np.asarray(qualities, dtype=float), [ends.q_strong]))
    order = np.lexsort((y, x))
    return x[order], y[order]


def apgr(costs: np.ndarray, qualities: np.ndarray, ends: Endpoints) -> float:
    """Mean PGR over the cost range from always-cheapest to always-strongest (trapezoid rule)."""
    width = ends.c_strong - ends.c_weak
    if width <= 0 or ends.q_strong == ends.q_weak:
        return NAN
    x, y = closed_curve(costs, qualities, ends)
    x = np.clip(x, ends.c_weak, ends.c_strong)
    area = float(np.sum((x[1:] - x[:-1]) * (y[1:] + y[:-1]) / 2.0))
    return pgr(area / width, ends.q_weak, ends.q_strong)


def cost_to_reach(x: np.ndarray, y: np.ndarray, target: float) -> float:
    """Return the minimum cost at which the piecewise-linear curve (x ascending) reaches `target`, else NaN."""
    reached = np.flatnonzero(y >= target)
    if reached.size == 0:
        return NAN
    first = int(reached[0])
    if first == 0:
        return float(x[0])
    x0, x1, y0, y1 = x[first - 1], x[first], y[first - 1], y[first]
    return float(x0 + (target - y0) / (y1 - y0) * (x1 - x0))


def cpt(costs: np.ndarray, qualities: np.ndarray, ends: Endpoints, share: float) -> float:
    """Return the minimum cost reaching PGR `share` (0.5 for CPT(50%)), or NaN when the strong tier is no better."""
    if ends.q_strong <= ends.q_weak:
        return NAN
    x, y = closed_curve(costs, qualities, ends)
    return cost_to_reach(x, y, ends.q_weak + share * (ends.q_strong - ends.q_weak))


def savings_at_quality(costs: np.ndarray, qualities: np.ndarray, ends: Endpoints, share: float = 0.95) -> float:
    """Percent of the all-strongest cost saved at the least cost reaching `share` of its quality."""
    x, y = closed_curve(costs, qualities, ends)
    cost = cost_to_reach(x, y, share * ends.q_strong)
    return 100.0 * (1.0 - cost / ends.c_strong) if ends.c_strong > 0 else NAN


def quality_at_cost(costs: np.ndarray, qualities: np.ndarray, ends: Endpoints, cost: float) -> float:
    """Return the curve's quality at `cost`, interpolated linearly between its points."""
    x, y = closed_curve(costs, qualities, ends)
    return float(np.interp(cost, x, y))


def curve_metrics(costs: np.ndarray, qualities: np.ndarray, ends: Endpoints) -> dict[str, float]:
    """APGR, CPT(50%), CPT(80%) (as percent of the all-strongest cost) and savings at 95 % quality."""
    return {
        "apgr": apgr(costs, qualities, ends),
        "cpt50": 100.0 * cpt(costs, qualities, ends, 0.5),
        "cpt80": 100.0 * cpt(costs, qualities, ends, 0.8),
        "savings95": savings_at_quality(costs, qualities, ends, 0.95),
    }


def point_metrics(cost: float, usd: float, quality: float, ends: Endpoints, usd_strong: float) -> dict[str, float]:
    """Quality as percent of top, its PGR, percent of cost saved (axis and dollars) and savings at 95 %."""
    return {
        "savings95": savings_at_quality(np.array([cost]), np.array([quality]), ends, 0.95),
        "quality": quality,
        "quality_pct": 100.0 * quality / ends.q_strong if ends.q_strong else NAN,
        "pgr": pgr(quality, ends.q_weak, ends.q_strong),
        "cost_saved_pct": 100.0 * (1.0 - cost / ends.c_strong) if ends.c_strong else NAN,
        "usd_saved_pct": 100.0 * (1.0 - usd / usd_strong) if usd_strong else NAN,
    }


def bootstrap_weights(rows: int, resamples: int, seed: int, chunk: int = 100) -> Iterator[np.ndarray]:
    """Yield row-count weights of `resamples` bootstrap resamples, `chunk` at a time.

    A resample draws `rows` rows with replacement. Its weight vector counts how
    often each row was drawn, so a weighted mean over the original rows equals
    the plain mean over the resample. The same seed yields the same resamples.
    """
    rng = np.random.default_rng(seed)
    probabilities = np.full(rows, 1.0 / rows)
    done = 0
    while done < resamples:
        size = min(chunk, resamples - done)
        yield rng.multinomial(rows, probabilities, size=size).astype(np.float32)
        done += size


def percentile_interval(samples: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of the finite samples; NaNs when none is finite."""
    finite = np.asarray(samples, dtype=float)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        return NAN, NAN
    tail = 100.0 * (1.0 - level) / 2.0
    low, high = np.percentile(finite, [tail, 100.0 - tail])
    return float(low), float(high)
