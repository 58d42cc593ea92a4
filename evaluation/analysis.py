"""Metrics with bootstrap confidence intervals for routing curves and operating points.

Routing is fixed per row, so a resample only reweights rows: every curve and
point is scored on the same resamples (common random numbers), which keeps
the comparison between routers tighter than independent draws would.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from evaluation.metrics import Endpoints, bootstrap_weights, curve_metrics, percentile_interval, point_metrics

DIFFERENCE_KEYS = ("quality", "quality_pct", "cost_saved_pct", "usd_saved_pct")


@dataclass
class Outcomes:
    """Per-row quality and dollar cost of each configured tier, columns cheapest first."""

    quality: np.ndarray
    usd: np.ndarray
    two_tier: bool
    tier_values: tuple[int, ...] = ()

    @property
    def rows(self) -> int:
        return int(self.quality.shape[0])

    @property
    def axis_cost(self) -> np.ndarray:
        """Cost on the curve's axis: a strong call counts 1 in two-tier mode, else dollars."""
        if not self.two_tier:
            return self.usd
        axis = np.zeros_like(self.usd)
        axis[:, -1] = 1.0
        return axis

    def subset(self, rows: np.ndarray) -> Outcomes:
        return Outcomes(self.quality[rows], self.usd[rows], self.two_tier, self.tier_values)

    def tier_label(self, column: int) -> str:
        return f"tier{self.tier_values[column]}" if self.tier_values else f"column{column}"


@dataclass
class Curve:
    """A router's settings swept from cheap to expensive: one row of tier columns per point."""

    name: str
    assignments: np.ndarray
    knob: list[float] | None = None


@dataclass
class Estimate:
    """A point estimate with its percentile bootstrap interval."""

    value: float
    low: float
    high: float

    def to_dict(self) -> dict[str, float | None]:
        return {key: _finite(getattr(self, key)) for key in ("value", "low", "high")}


@dataclass
class Analysis:
    """Endpoint figures, each curve's points and metrics, and each operating point's metrics."""

    endpoints: dict[str, Estimate]
    curves: dict[str, dict] = field(default_factory=dict)
    points: dict[str, dict[str, Estimate]] = field(default_factory=dict)
    differences: dict[str, dict[str, Estimate]] = field(default_factory=dict)


def analyse(
    outcomes: Outcomes,
    curves: list[Curve],
    points: dict[str, np.ndarray],
    resamples: int = 1000,
    seed: int = 0,
    pairs: list[tuple[str, str]] | None = None,
) -> Analysis:
    """Score every curve and operating point, with intervals from `resamples` bootstrap resamples.

    Each (a, b) of `pairs` names two points whose paired difference a - b is
    reported under `differences`, with its own interval.
    """
    scorer = _Scorer(outcomes, curves, points, pairs or [])
    estimate = scorer.score(np.ones((1, outcomes.rows), dtype=np.float32), keep_points=True)
    samples: list[dict] = []
    if resamples > 0:
        for weights in bootstrap_weights(outcomes.rows, resamples, seed):
            samples.extend(scorer.score(weights))
    return scorer.summarise(estimate[0], samples)


class _Scorer:
    def __init__(
        self, outcomes: Outcomes, curves: list[Curve], points: dict[str, np.ndarray], pairs: list[tuple[str, str]]
    ) -> None:
        self.outcomes = outcomes
        self.pairs = pairs
        self.curves = curves
        self.points = points
        self.columns = outcomes.quality.shape[1]
        rows = np.arange(outcomes.rows)[None, :]
        axis = outcomes.axis_cost
        self._curve_arrays = [
            (outcomes.quality[rows, c.assignments].astype(np.float32), axis[rows, c.assignments].astype(np.float32))
            for c in curves
        ]
        self._point_arrays = {}
        for name, assignment in points.items():
            picked = assignment[None, :]
            mix = np.stack([(assignment == column) for column in range(self.columns)]).astype(np.float32)
            self._point_arrays[name] = (
                outcomes.quality[rows, picked].astype(np.float32),
                axis[rows, picked].astype(np.float32),
                outcomes.usd[rows, picked].astype(np.float32),
                mix,
            )

    def score(self, weights: np.ndarray, keep_points: bool = False) -> list[dict]:
        """Return one dict of every metric per weight row; `keep_points` adds each curve's points."""
        n = float(self.outcomes.rows)
        q_ends = weights @ self.outcomes.quality.astype(np.float32) / n
        a_ends = weights @ self.outcomes.axis_cost.astype(np.float32)
        u_ends = weights @ self.outcomes.usd.astype(np.float32)
        curve_values = [
            (weights @ quality.T / n, weights @ cost.T / a_ends[:, -1:]) for quality, cost in self._curve_arrays
        ]
        point_values = {
            name: (weights @ q.T / n, weights @ a.T / a_ends[:, -1:], weights @ u.T, weights @ mix.T / n)
            for name, (q, a, u, mix) in self._point_arrays.items()
        }
        results = []
        for b in range(weights.shape[0]):
            ends = Endpoints(
                c_weak=float(a_ends[b, 0] / a_ends[b, -1]),
                q_weak=float(q_ends[b, 0]),
                c_strong=1.0,
                q_strong=float(q_ends[b, -1]),
            )
            result = {"endpoints": {"q_weak": ends.q_weak, "q_strong": ends.q_strong, "c_weak": ends.c_weak}}
            for curve, (quality, cost) in zip(self.curves, curve_values, strict=True):
                curve_result: dict = dict(curve_metrics(cost[b], quality[b], ends))
                if keep_points:
                    curve_result["_points"] = (cost[b], quality[b])
                result[f"curve/{curve.name}"] = curve_result
            for name, (q, a, u, mix) in point_values.items():
                metrics = point_metrics(float(a[b, 0]), float(u[b, 0]), float(q[b, 0]), ends, float(u_ends[b, -1]))
                for column in range(self.columns):
                    metrics[f"{self.outcomes.tier_label(column)}_pct"] = 100.0 * float(mix[b, column])
                result[f"point/{name}"] = metrics
            for first, second in self.pairs:
                result[f"difference/{first} - {second}"] = {
                    key: result[f"point/{first}"][key] - result[f"point/{second}"][key] for key in DIFFERENCE_KEYS
                }
            results.append(result)
        return results

    def summarise(self, estimate: dict, samples: list[dict]) -> Analysis:
        def interval(section: str, key: str) -> Estimate:
            values = np.array([sample[section][key] for sample in samples], dtype=float)
            low, high = percentile_interval(values) if samples else (float("nan"), float("nan"))
            return Estimate(float(estimate[section][key]), low, high)

        analysis = Analysis(endpoints={key: interval("endpoints", key) for key in estimate["endpoints"]})
        for curve in self.curves:
            section = f"curve/{curve.name}"
            costs, qualities = estimate[section]["_points"]
            metrics = {key: interval(section, key) for key in estimate[section] if key != "_points"}
            analysis.curves[curve.name] = {
                "costs": [float(value) for value in costs],
                "qualities": [float(value) for value in qualities],
                "knob": curve.knob,
                "metrics": metrics,
            }
        for name in self.points:
            analysis.points[name] = {key: interval(f"point/{name}", key) for key in estimate[f"point/{name}"]}
        for first, second in self.pairs:
            name = f"{first} - {second}"
            analysis.differences[name] = {key: interval(f"difference/{name}", key) for key in DIFFERENCE_KEYS}
        return analysis


def _finite(value: float) -> float | None:
    return round(float(value), 6) if np.isfinite(value) else None
