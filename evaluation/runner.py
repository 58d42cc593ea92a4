"""Run one evaluation: read rows, route them, score the router and its baselines, replay if asked."""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from evaluation import baselines
from evaluation.analysis import Analysis, Curve, Outcomes, analyse
from evaluation.data import EvaluationInputError, LoadResult, RowFilter, load_rows
from evaluation.metrics import Endpoints, quality_at_cost
from evaluation.replay import ReplayConfig, learning_curve, replay
from evaluation.sweep import RoutedRows, catalog_costs, decided_tiers, route_rows, table_curve
from evaluation.tiers import TierMap
from router.engine import LLMRouter

ROUTER_SCORE = "router (score)"
ROUTER_TABLE = "router (table)"
ROUTER_POINT = "router (default table)"
MIN_GROUP_ROWS = 20
# Groups get fewer resamples than the whole set: MMLU alone has 57 subjects,
# and 200 resamples still place a 95 % interval's ends to about a percentile.
GROUP_RESAMPLES = 200

ProgressFactory = Callable[[str, int], Callable[[], None]]


@dataclass
class EvaluationConfig:
    """Everything one evaluation run needs besides the router."""

    data: Path
    tier_map: TierMap
    costs: tuple[float, ...] | None = None
    cost_field: str | None = None
    row_filter: RowFilter = field(default_factory=RowFilter)
    limit: int | None = None
    resamples: int = 1000
    seed: int = 0
    replay: bool = False
    replay_config: ReplayConfig = field(default_factory=ReplayConfig)


def run_evaluation(config: EvaluationConfig, router: LLMRouter, progress: ProgressFactory | None = None) -> dict:
    """Return the JSON-ready report of one evaluation; raise `EvaluationInputError` on bad input."""
    started = time.perf_counter()
    loaded = load_rows(
        config.data, config.tier_map.model_names, config.row_filter, config.cost_field, config.limit, config.seed
    )
    _require_rows(config, loaded)

    prompts = [row.prompt for row in loaded.rows]
    routed = route_rows(router, prompts, progress("routing", len(prompts)) if progress else None)
    rows = [loaded.rows[index] for index in routed.kept]
    if not rows:
        raise EvaluationInputError("--data", f"the router rejected all {len(prompts)} prompts as invalid")
    outcomes = Outcomes(
        quality=np.array([row.scores for row in rows], dtype=float),
        usd=_usd(config, rows, routed, router),
        two_tier=config.tier_map.two_tier,
        tier_values=tuple(tier.value for tier in config.tier_map.tiers),
    )

    lookup = config.tier_map.column_lookup()
    curves = _curves(config, router, routed, prompts_of(rows), outcomes, lookup)
    default = lookup[decided_tiers(router.routing_table, routed.decisions)]
    points = {
        ROUTER_POINT: default,
        "random (same tier mix)": baselines.random_same_mix(default, config.seed),
        "per-category oracle": baselines.category_oracle_assignment(
            [str(row.category) for row in rows], outcomes.quality, outcomes.usd
        ),
        "oracle": baselines.oracle_assignment(outcomes.quality, outcomes.usd),
    }
    analysis = analyse(outcomes, curves, points, config.resamples, config.seed)
    report = {
        "run": _run_facts(config, loaded, routed.invalid, len(rows), router),
        "analysis": analysis_to_dict(analysis),
        "groups": _groups(config, rows, outcomes, curves, points),
        "timing_seconds": {"routing": round(routed.seconds, 2)},
    }

    if config.replay:
        static_curve = next(curve for curve in curves if curve.name == ROUTER_TABLE)
        report["replay"] = _replay(config, prompts_of(rows), outcomes, router, default, static_curve, progress)
    report["timing_seconds"]["total"] = round(time.perf_counter() - started, 2)
    return report


def _curves(
    config: EvaluationConfig,
    router: LLMRouter,
    routed: RoutedRows,
    prompts: list[str],
    outcomes: Outcomes,
    lookup: np.ndarray,
) -> list[Curve]:
    table = router.routing_table
    thresholds = table.thresholds
    return [
        baselines.score_curve(ROUTER_SCORE, routed.scores, thresholds, lookup),
        table_curve(table, routed.decisions, lookup),
        baselines.score_curve("random", baselines.random_scores(len(prompts), config.seed), thresholds, lookup),
        baselines.score_curve("prompt length", baselines.length_scores(prompts), thresholds, lookup),
        baselines.oracle_curve(outcomes.quality, outcomes.axis_cost),
    ]


def prompts_of(rows: list) -> list[str]:
    return [row.prompt for row in rows]


def _require_rows(config: EvaluationConfig, loaded: LoadResult) -> None:
    if loaded.rows:
        return
    message = f"no rows left after filters: {loaded.read:,} read, {describe_skipped(loaded.skipped())}"
    option = "--data"
    if config.row_filter.subset:
        option = "--subset"
        message += "; subsets in the file: " + ", ".join(sorted(str(name) for name in loaded.subsets))
    elif config.row_filter.category:
        option = "--category"
        message += "; categories in the file: " + ", ".join(sorted(str(name) for name in loaded.categories))
    raise EvaluationInputError(option, message)


# Wording of each reason of `LoadResult.skipped()` and of `invalid_prompt`, for messages.
SKIP_REASONS = {
    "filtered_out": "not matching --subset or --category",
    "contaminated": "contaminated",
    "null_score": "with a null score",
    "null_cost": "with a null cost",
    "sampled_out": "left out by --limit",
    "invalid_prompt": "rejected by the router as invalid",
}


def describe_skipped(counts: dict[str, int]) -> str:
    """Return skipped-row counts as text, e.g. "skipped: 25 contaminated, 3 with a null score", leaving out zeros."""
    parts = [f"{count:,} {SKIP_REASONS.get(reason, reason)}" for reason, count in counts.items() if count]
    return "skipped: " + ", ".join(parts) if parts else "nothing skipped"


def _usd(config: EvaluationConfig, rows: list, routed: RoutedRows, router: LLMRouter) -> np.ndarray:
    if config.cost_field is not None:
        return np.array([row.costs_usd for row in rows], dtype=float)
    if config.costs is not None:
        return np.tile(np.array(config.costs, dtype=float), (len(rows), 1))
    return catalog_costs(router, routed.decisions, config.tier_map)


def _cost_source(config: EvaluationConfig, router: LLMRouter) -> str:
    if config.cost_field is not None:
        return f"per-row field '{config.cost_field}'"
    if config.costs is not None:
        return "fixed USD per call from --costs"
    return f"catalog profile '{router.profile}' prices at the router's token estimates"


def _run_facts(config: EvaluationConfig, loaded: LoadResult, invalid: int, rows: int, router: LLMRouter) -> dict:
    return {
        "data_file": config.data.name,
        "score_meaning": loaded.score_meaning,
        "tiers": {str(tier.value): model for tier, model in config.tier_map.models.items()},
        "mode": "two-tier" if config.tier_map.two_tier else "three-tier",
        "cost_axis": "share of calls to the strong model" if config.tier_map.two_tier else "USD / all-top-tier USD",
        "cost_source": _cost_source(config, router),
        "filters": {
            "subset": config.row_filter.subset,
            "category": config.row_filter.category,
            "exclude_contaminated": config.row_filter.exclude_contaminated,
            "limit": config.limit,
        },
        "rows_read": loaded.read,
        "rows_evaluated": rows,
        "skipped": {**loaded.skipped(), "invalid_prompt": invalid},
        "routing_table_version": router.routing_table.version,
        "thresholds": list(router.routing_table.thresholds),
        "bootstrap_resamples": config.resamples,
        "seed": config.seed,
        "machine": {"cpus": os.cpu_count(), "processor": platform.processor() or platform.machine()},
    }


def analysis_to_dict(analysis: Analysis) -> dict:
    return {
        "endpoints": {key: value.to_dict() for key, value in analysis.endpoints.items()},
        "curves": {
            name: {
                "costs": [round(value, 6) for value in curve["costs"]],
                "qualities": [round(value, 6) for value in curve["qualities"]],
                "knob": curve["knob"],
                "metrics": {key: value.to_dict() for key, value in curve["metrics"].items()},
            }
            for name, curve in analysis.curves.items()
        },
        "points": {
            name: {key: value.to_dict() for key, value in metrics.items()} for name, metrics in analysis.points.items()
        },
        "differences": {
            name: {key: value.to_dict() for key, value in metrics.items()}
            for name, metrics in analysis.differences.items()
        },
    }


def _groups(
    config: EvaluationConfig, rows: list, outcomes: Outcomes, curves: list[Curve], points: dict[str, np.ndarray]
) -> dict:
    """Per-subset (or per-category) metrics when the rows span several; groups under 20 rows are left out."""
    for attribute in ("subset", "category"):
        labels = np.array([str(getattr(row, attribute)) for row in rows])
        names = sorted(set(labels))
        if len(names) > 1:
            break
    else:
        return {}
    keep = {ROUTER_SCORE, ROUTER_TABLE, "random", "oracle"}
    values: dict[str, dict] = {}
    for name in names:
        members = np.flatnonzero(labels == name)
        if members.size < MIN_GROUP_ROWS:
            continue
        part = analyse(
            outcomes.subset(members),
            [Curve(c.name, c.assignments[:, members], c.knob) for c in curves if c.name in keep],
            {ROUTER_POINT: points[ROUTER_POINT][members]},
            min(config.resamples, GROUP_RESAMPLES),
            config.seed,
        )
        summary = analysis_to_dict(part)
        for curve in summary["curves"].values():
            del curve["costs"], curve["qualities"], curve["knob"]
        values[name] = {"rows": int(members.size), **summary}
    return {"by": attribute, "values": values}


def _replay(
    config: EvaluationConfig,
    prompts: list[str],
    outcomes: Outcomes,
    router: LLMRouter,
    static: np.ndarray,
    static_curve: Curve,
    progress: ProgressFactory | None,
) -> dict:
    result = replay(
        prompts,
        outcomes,
        config.tier_map,
        config.replay_config,
        catalog=router.catalog,
        profile=router.profile,
        classifier=router.classifier,
        progress=progress("replay", len(prompts)) if progress else None,
    )
    window = config.replay_config.retrain_every
    second_half = result.order[len(result.order) // 2 :]
    comparison = analyse(
        outcomes.subset(second_half),
        [Curve(ROUTER_TABLE, static_curve.assignments[:, second_half], static_curve.knob)],
        {"replay": result.served[second_half], "static": static[second_half]},
        config.resamples,
        config.seed,
        pairs=[("replay", "static")],
    )
    half = analysis_to_dict(comparison)
    return {
        "retrain_every": window,
        "shuffled": config.replay_config.shuffle,
        "explored_rows": int(result.explored.sum()),
        "seconds": round(result.seconds, 2),
        "windows": learning_curve(result, outcomes, static, window),
        "retrains": result.retrains,
        "second_half": half,
        "static_at_replay_cost": _static_at_replay_cost(half),
    }


def _static_at_replay_cost(half: dict) -> dict:
    """Compare the replay with the static table moved along its shift knob to the replay's cost.

    Learning can buy quality by spending more; only quality above the static
    curve at the same cost is a better trade-off. Point estimates only.
    """
    ends = half["endpoints"]
    endpoints = Endpoints(
        c_weak=ends["c_weak"]["value"], q_weak=ends["q_weak"]["value"], c_strong=1.0, q_strong=ends["q_strong"]["value"]
    )
    curve = half["curves"][ROUTER_TABLE]
    replay_point = half["points"]["replay"]
    cost = 1.0 - replay_point["cost_saved_pct"]["value"] / 100.0
    static_quality = quality_at_cost(np.array(curve["costs"]), np.array(curve["qualities"]), endpoints, cost)
    replay_quality = replay_point["quality"]["value"]
    return {
        "cost": round(cost, 6),
        "replay_quality": replay_quality,
        "static_table_quality": round(static_quality, 6),
        "gain_pct_of_top": round(100.0 * (replay_quality - static_quality) / endpoints.q_strong, 3),
    }
