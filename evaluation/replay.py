"""Replay a file as live traffic: route, reveal the served tier's score as a rating, retrain.

Each row is routed by a real `LLMRouter` (exploration on) whose routing table is
the current version in a real `FeedbackStore` on a temporary SQLite file. Only
the score of the tier that served the row is revealed, as a 1-5 star rating
`1 + 4 * score`, so the store's quality equals the benchmark score. Every
`retrain_every` rows the real `Retrainer` runs and may publish a new table,
which routes the rows after it.
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from evaluation.analysis import Outcomes
from evaluation.tiers import TierMap
from feedback.retrainer import Retrainer
from feedback.store import FeedbackStore
from router.catalog import Catalog
from router.classifier import ComplexityClassifier
from router.engine import LLMRouter
from router.settings import Settings
from router.table import RoutingTable

FEEDBACK_SOURCE = "evaluation-replay"


@dataclass
class ReplayResult:
    """Tier columns served per row in replay order, exploration flags and retrain runs."""

    order: np.ndarray
    served: np.ndarray
    explored: np.ndarray
    retrains: list[dict] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class ReplayConfig:
    retrain_every: int = 200
    seed: int = 0
    shuffle: bool = False


def replay(
    prompts: list[str],
    outcomes: Outcomes,
    tier_map: TierMap,
    config: ReplayConfig,
    *,
    catalog: Catalog,
    profile: str,
    classifier: ComplexityClassifier,
    settings: Settings | None = None,
    progress: Callable[[], None] | None = None,
) -> ReplayResult:
    """Route `prompts` in order (or a seeded shuffle), learning from each served tier's score."""
    started = time.perf_counter()
    order = np.arange(len(prompts))
    if config.shuffle:
        order = np.random.default_rng(config.seed).permutation(len(prompts))
    lookup = tier_map.column_lookup()
    served = np.zeros(len(prompts), dtype=np.int8)
    explored = np.zeros(len(prompts), dtype=bool)
    retrains: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="llm-router-replay-") as folder:
        base = settings or Settings.from_env()
        run_settings = base.model_copy(update={"db_path": Path(folder) / "replay.db", "store_prompts": False})
        store = FeedbackStore(db_path=run_settings.db_path, settings=run_settings)
        try:
            current: list[RoutingTable] = [store.current_routing_table()]
            router = LLMRouter(
                catalog=catalog,
                profile=profile,
                routing_table=lambda: current[0],
                settings=run_settings,
                classifier=classifier,
                rng=random.Random(config.seed),
            )
            retrainer = Retrainer(store, settings=run_settings)
            for count, row in enumerate(order, start=1):
                decision = router.route(prompts[row])
                store.log_decision(decision)
                column = int(lookup[decision.selected_tier.value])
                served[row] = column
                explored[row] = decision.explored
                rating = 1.0 + 4.0 * float(np.clip(outcomes.quality[row, column], 0.0, 1.0))
                store.record_feedback(decision.decision_id, rating=rating, source=FEEDBACK_SOURCE)
                if count % config.retrain_every == 0:
                    retrains.append(_retrain(retrainer, count))
                    current[0] = store.current_routing_table()
                if progress is not None:
                    progress()
        finally:
            store.close()
    return ReplayResult(order, served, explored, retrains, time.perf_counter() - started)


def _retrain(retrainer: Retrainer, rows_seen: int) -> dict:
    result = retrainer.run()
    return {
        "after_rows": rows_seen,
        "run": result.run,
        "published_version": result.published_version,
        "changes": [change.model_dump(include={"cell", "action", "old_tier", "new_tier"}) for change in result.changes],
    }


def learning_curve(result: ReplayResult, outcomes: Outcomes, static: np.ndarray, window: int) -> list[dict]:
    """Mean quality and relative cost of the replay and the static router, per window of replay order."""
    axis = outcomes.axis_cost
    windows: list[dict] = []
    for start in range(0, len(result.order), window):
        rows = result.order[start : start + window]
        strong_cost = float(axis[rows, -1].sum())
        entry: dict[str, float | int | None] = {"start": start, "end": start + len(rows), "rows": len(rows)}
        for name, columns in (("replay", result.served[rows]), ("static", static[rows])):
            entry[f"{name}_quality"] = float(outcomes.quality[rows, columns].mean())
            cost = float(axis[rows, columns].sum())
            entry[f"{name}_cost"] = cost / strong_cost if strong_cost else None
        entry["strong_quality"] = float(outcomes.quality[rows, -1].mean())
        entry["weak_quality"] = float(outcomes.quality[rows, 0].mean())
        entry["explored"] = int(result.explored[rows].sum())
        windows.append(entry)
    return windows
