"""Drift benchmark: how fast the retrainer reacts when one cell's Tier 1 gets worse, then better.

A synthetic stream spreads rows evenly at random over a few cells whose
unlearned tier is Tier 1. Every row is served at the tier the current routing
table gives its cell, with the engine's exploration rule, and rated 5 stars
when the served tier's model answers correctly and 1 star when it does not.
From `drop_at` to `recover_at` the Tier 1 success rate of the drifting cell
falls to `drop_factor` of its value. The real `FeedbackStore` (SQLite in a
temporary folder) and `Retrainer` learn from the stream, run every
`retrain_every` rows.
"""

from __future__ import annotations

import random
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from feedback.retrainer import Retrainer
from feedback.store import FeedbackStore
from router.models import Cell, ClassifierResult, RoutingDecision, Tier
from router.settings import Settings
from router.table import RoutingTable

DEFAULT_CELLS = ("science/physics:1", "legal/law:1", "medical/medicine:1", "finance/economics:1")
# Chance that each tier's model answers a row of a stable cell correctly.
DEFAULT_SUCCESS = {Tier.FAST: 0.95, Tier.BALANCED: 0.97, Tier.CAPABLE: 0.98}
SOURCE = "drift-benchmark"


@dataclass
class DriftConfig:
    """The stream: its length, the cells, when the drifting cell's Tier 1 drops and recovers."""

    rows: int = 2400
    retrain_every: int = 40
    drop_at: int = 800
    recover_at: int = 1600
    drop_factor: float = 0.4
    cells: tuple[str, ...] = DEFAULT_CELLS
    drifting: str = DEFAULT_CELLS[0]
    seed: int = 0


@dataclass
class DriftResult:
    """What the retrainer did: the served tier of each cell after every run, and the summary figures."""

    runs: list[dict] = field(default_factory=list)
    samples_to_promote: int | None = None
    samples_to_demote: int | None = None
    stable_cell_changes: int = 0
    stable_runs: int = 0
    flips: int = 0

    def to_dict(self) -> dict:
        return {
            "samples_to_promote": self.samples_to_promote,
            "samples_to_demote_after_recovery": self.samples_to_demote,
            "changes_of_stable_cells": self.stable_cell_changes,
            "retrain_runs": self.stable_runs,
            "flips": self.flips,
            "runs": self.runs,
        }


def run_drift(config: DriftConfig, settings: Settings | None = None) -> DriftResult:
    """Replay the synthetic stream through a real store and retrainer and measure the reaction."""
    rng = random.Random(config.seed)
    base = settings or Settings()
    result = DriftResult()
    counted = {"after_drop": 0, "after_recovery": 0}
    with tempfile.TemporaryDirectory(prefix="llm-router-drift-") as folder:
        run_settings = base.model_copy(update={"db_path": Path(folder) / "drift.db", "store_prompts": False})
        store = FeedbackStore(db_path=run_settings.db_path, settings=run_settings)
        try:
            retrainer = Retrainer(store, settings=run_settings)
            table = store.current_routing_table()
            for row in range(1, config.rows + 1):
                key = rng.choice(config.cells)
                tier = _served_tier(table, Cell.from_key(key), run_settings.exploration_rate, rng)
                correct = rng.random() < _success(config, key, tier, row)
                decision = _decision(key, tier)
                store.log_decision(decision)
                store.record_feedback(decision.decision_id, rating=5 if correct else 1, source=SOURCE)
                if key == config.drifting:
                    _count_drift_sample(config, row, counted)
                if row % config.retrain_every == 0:
                    retrainer.run()
                    table = store.current_routing_table()
                    _record_run(config, table, row, counted, result)
        finally:
            store.close()
    result.flips = count_flips(config, result.runs)
    result.stable_runs = len(result.runs)
    return result


def _success(config: DriftConfig, key: str, tier: Tier, row: int) -> float:
    chance = DEFAULT_SUCCESS[tier]
    if key == config.drifting and tier == Tier.FAST and config.drop_at < row <= config.recover_at:
        chance *= config.drop_factor
    return chance


def _served_tier(table: RoutingTable, cell: Cell, exploration_rate: float, rng: random.Random) -> Tier:
    """The table's tier for a row of `cell`, with `LLMRouter`'s exploration one tier down in promoted cells."""
    unlearned, _ = RoutingTable(thresholds=table.thresholds, domain_floors=table.domain_floors).decide(
        _classification(cell), cell
    )
    tier, _ = table.decide(_classification(cell), cell)
    learned = table.cell_tier(cell)
    explorable = learned is not None and learned == tier and tier > max(unlearned, Tier.FAST)
    if explorable and rng.random() < exploration_rate:
        return Tier(tier - 1)
    return tier


def _classification(cell: Cell) -> ClassifierResult:
    return ClassifierResult(
        score=0.25,
        reasoning_depth=0.25,
        domain_specificity=0.25,
        output_sensitivity=0.25,
        domain=cell.domain,
        domain_confidence=0.9,
        subdomain=cell.subdomain,
        language="en",
        input_tokens=20,
    )


def _decision(key: str, tier: Tier) -> RoutingDecision:
    cell = Cell.from_key(key)
    return RoutingDecision(
        classification=_classification(cell),
        selected_tier=tier,
        selected_model=f"drift-tier-{tier.value}",
        estimated_input_tokens=20,
        estimated_output_tokens=100,
        estimated_cost_usd=0.001 * tier.value,
        baseline_cost_usd=0.003,
        estimated_savings_usd=0.003 - 0.001 * tier.value,
        reasoning="Synthetic drift-benchmark row.",
        routing_table_version=0,
        cell=cell,
    )


def _count_drift_sample(config: DriftConfig, row: int, counted: dict[str, int]) -> None:
    if row > config.drop_at:
        counted["after_drop"] += 1
    if row > config.recover_at:
        counted["after_recovery"] += 1


def _record_run(config: DriftConfig, table: RoutingTable, row: int, counted: dict, result: DriftResult) -> None:
    tiers = {key: _plain_tier(table, key) for key in config.cells}
    result.runs.append({"after_rows": row, "version": table.version, "tiers": tiers})
    drifting = tiers[config.drifting]
    if result.samples_to_promote is None and row > config.drop_at and drifting > Tier.FAST:
        result.samples_to_promote = counted["after_drop"]
    promoted_by_drop = result.samples_to_promote is not None
    if promoted_by_drop and result.samples_to_demote is None and row > config.recover_at and drifting == Tier.FAST:
        result.samples_to_demote = counted["after_recovery"]
    if len(result.runs) > 1:
        previous = result.runs[-2]["tiers"]
        result.stable_cell_changes += sum(
            1 for key in config.cells if key != config.drifting and tiers[key] != previous[key]
        )


def _plain_tier(table: RoutingTable, key: str) -> int:
    cell = Cell.from_key(key)
    return table.decide(_classification(cell), cell)[0].value


def count_flips(config: DriftConfig, runs: list[dict]) -> int:
    """Count tier changes that reverse the change before them within one phase of the stream.

    The phases are before the drop, during it and after recovery. A promotion
    during the drop and a demotion after recovery are the wanted reactions; a
    change back the other way inside the same phase is a flip.
    """
    flips = 0
    for key in config.cells:
        last_direction = 0
        last_phase = None
        previous = None
        for run in runs:
            phase = _phase(config, run["after_rows"])
            if phase != last_phase:
                last_direction, last_phase = 0, phase
            tier = run["tiers"][key]
            if previous is not None and tier != previous:
                direction = 1 if tier > previous else -1
                if last_direction and direction != last_direction:
                    flips += 1
                last_direction = direction
            previous = tier
    return flips


def _phase(config: DriftConfig, row: int) -> str:
    if row <= config.drop_at:
        return "before"
    return "drop" if row <= config.recover_at else "recovered"
