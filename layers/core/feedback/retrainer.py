"""`Retrainer`: learn per-cell minimum tiers from the cell aggregates.

A cell (domain, subdomain, complexity bucket) is served at its learned minimum
tier, or, without one, at the tier its bucket's lowest score and its domain
floor give. Every run saves a checkpoint of all cell counters, and judges each
cell on windows of its traffic: the samples since the checkpoints 1, 2, 4, ...
runs back (`evidence_windows` of them, each only if taken after the cell's
last change), and all samples since that change.

- Promote one tier (up to Tier 3) when, in any window with at least
  `min_samples` samples, the Wilson lower bound of the served tier's
  low-quality rate exceeds `promote_low_rate`. A short window catches a drop
  that a long good history would hide. The promotion is vetoed when the tier
  above is known to do no better: its samples, at least `min_samples`, give an
  upper bound on its mean-quality gain below `quality_margin`. Paying more
  for the same answers helps no one.
- Promote also when the samples since the last change at both tiers show the
  tier above clearly better: the lower bound of the gain exceeds
  `quality_margin`.
- Demote a promoted cell one tier once `cooldown_runs` runs have passed, when
  in some window at least `min_samples` samples at the tier below (gathered
  by exploration) show it good enough: the upper bound of the served tier's
  gain over it is under `quality_margin`, or its Wilson upper bound of the
  low-quality rate is under `demote_low_rate`. Demotion risks quality, so its
  confidence is split over the windows it tests (Bonferroni).

Promotion and demotion of one pair of tiers need opposite evidence at the same
confidence, and the demote rate bar is stricter than the promote bar
(hysteresis), so a stationary stream does not flip a cell back and forth.
Failures are never samples, and the store drops repeated feedback before it
reaches the aggregates. A run reads the aggregates and a few checkpoints,
O(cells), never the feedback rows, and saves one checkpoint.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from pydantic import BaseModel, Field

from feedback.evidence import (
    Evidence,
    all_evidence,
    counts_of,
    evidence_windows,
    group_by_cell,
    unlearned_tier,
    window_spans,
)
from feedback.exceptions import StoreError, VersionNotFoundError
from feedback.records import CellAggregate, CellCheckpoint
from feedback.stats import difference_bounds, wilson_lower_bound, wilson_upper_bound
from feedback.store import FeedbackStore
from router.exceptions import ConfigurationError
from router.models import Cell, Tier
from router.settings import Settings
from router.table import CellRule, RoutingTable, TableChange

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]


class RetrainResult(BaseModel):
    """Outcome of one retrain run: its changes and the version it published."""

    run: int = Field(description="retrain run number; a dry run reports the estimated next number")
    changes: list[TableChange] = Field(default_factory=list)
    published_version: int | None = Field(default=None, description="None when nothing changed or dry run")
    previous_version: int | None = Field(description="version the run started from; None = built-in default")
    dry_run: bool = False
    cells_evaluated: int = 0


class Retrainer:
    """Promote and demote cells of the current routing table from the store's cell aggregates.

    `now` is a clock returning an aware datetime, so tests can fix the time. It defaults to UTC now.
    """

    def __init__(self, store: FeedbackStore, settings: Settings | None = None, now: Clock | None = None) -> None:
        self.store = store
        self.settings = settings or store.settings
        self._now = now or (lambda: datetime.now(UTC))
        if self.settings.demote_low_rate >= self.settings.promote_low_rate:
            raise ConfigurationError(
                f"LLM_ROUTER_DEMOTE_LOW_RATE={self.settings.demote_low_rate} must be below "
                f"LLM_ROUTER_PROMOTE_LOW_RATE={self.settings.promote_low_rate}, or cells would flip between tiers"
            )

    def run(self, dry_run: bool = False) -> RetrainResult:
        """Evaluate every cell and publish a new table version when any cell changes.

        A dry run computes the same changes but writes nothing and consumes no
        run number, so it never shortens a cool-down. Raises
        `VersionConflictError` when another writer published since the run began.
        """
        table = self.store.current_routing_table()
        previous = table.version or None
        run = self._estimate_next_run(table) if dry_run else self.store.next_retrain_run()
        aggregates = self.store.cell_aggregates()
        by_cell = group_by_cell(aggregates)
        spans = window_spans(self.settings.evidence_windows)
        checkpoints = {saved.run: saved for saved in self.store.recent_checkpoints(max(spans, default=0))}

        rules = dict(table.cell_tiers)
        changes: list[TableChange] = []
        for key in sorted(by_cell):
            try:
                cell = Cell.from_key(key)
            except ValueError:
                logger.warning("skipping aggregates of an invalid cell key", extra={"cell": key})
                continue
            outcome = self._evaluate(table, cell, by_cell[key], checkpoints, spans, run)
            if outcome is not None:
                rules[key], change = outcome
                changes.append(change)

        result = RetrainResult(
            run=run, changes=changes, previous_version=previous, dry_run=dry_run, cells_evaluated=len(by_cell)
        )
        if dry_run:
            return result
        checkpoint = CellCheckpoint(
            run=run, created_at=self._now(), counts={key: counts_of(group) for key, group in by_cell.items()}
        )
        try:
            self.store.save_checkpoint(checkpoint, keep=max(spans, default=1))
        except StoreError as exc:
            # Without this checkpoint later runs have one window fewer, which
            # delays a promotion at worst; the run's changes still publish.
            logger.warning("retrain checkpoint not saved", extra={"run": run, "error": str(exc)})
        if not changes:
            return result
        new_table = table.model_copy(
            update={
                "cell_tiers": rules,
                "changes": changes,
                "created_by": f"retrainer run {run}",
                "reason": summarize(run, changes),
                "retrain_runs": run,
            }
        )
        published = self.store.publish_routing_table(new_table, expected_current=previous)
        for change in changes:
            logger.info(
                "routing table cell changed",
                extra={"version": published.version, **change.model_dump(include={"cell", "action", "new_tier"})},
            )
        return result.model_copy(update={"published_version": published.version})

    def rollback(self, version: int) -> RoutingTable:
        """Publish a copy of `version` as the new current version; version 0 is the built-in default table.

        Each cell whose learned tier differs gets a fresh evidence baseline, so
        the next run needs new samples to redo a rolled-back change. Raises
        `VersionNotFoundError` for an unknown version and `VersionConflictError`
        when another writer publishes first.
        """
        target = self._rollback_target(version)
        current = self.store.current_routing_table()
        latest_run = self._estimate_next_run(current) - 1
        by_cell = group_by_cell(self.store.cell_aggregates())
        reason = f"rollback to v{version}"

        rules: dict[str, CellRule] = {}
        changes: list[TableChange] = []
        for key in sorted(set(target.cell_tiers) | set(current.cell_tiers)):
            old_rule = current.cell_tiers.get(key)
            old_tier = old_rule.min_tier if old_rule else None
            new_tier = target.cell_tier(Cell.from_key(key))
            if old_tier == new_tier:
                if old_rule is not None:
                    rules[key] = old_rule
                continue
            rules[key] = CellRule(
                min_tier=new_tier,
                changed_in_run=latest_run,
                changed_at=self._now(),
                reason=reason,
                counts_at_change=counts_of(by_cell.get(key, [])),
            )
            changes.append(
                TableChange(
                    cell=key,
                    action="rollback",
                    old_tier=old_tier.value if old_tier is not None else None,
                    new_tier=new_tier.value if new_tier is not None else None,
                )
            )

        restored = target.model_copy(
            update={
                "cell_tiers": rules,
                "changes": changes,
                "created_by": "rollback",
                "reason": reason,
                "retrain_runs": latest_run,
            }
        )
        published = self.store.publish_routing_table(restored, expected_current=current.version or None)
        logger.info("routing table rolled back", extra={"version": published.version, "restored": version})
        return published

    def _rollback_target(self, version: int) -> RoutingTable:
        if version == 0:
            return RoutingTable(default_tier=Tier(self.settings.default_tier))
        if version < 0:
            raise VersionNotFoundError(version)
        return self.store.routing_table(version)

    def _estimate_next_run(self, table: RoutingTable) -> int:
        # The store has no read-only view of the run counter. Every run saves a
        # checkpoint, so the newest one gives the last run, including runs that
        # changed nothing. The table covers stores written before checkpoints.
        # NOTE: a run that failed before saving its checkpoint is still missed.
        saved = self.store.recent_checkpoints(1)
        published = [table.retrain_runs, *(rule.changed_in_run for rule in table.cell_tiers.values())]
        return max([*published, *(checkpoint.run for checkpoint in saved)]) + 1

    def _evaluate(
        self,
        table: RoutingTable,
        cell: Cell,
        aggregates: list[CellAggregate],
        checkpoints: dict[int, CellCheckpoint],
        spans: list[int],
        run: int,
    ) -> tuple[CellRule, TableChange] | None:
        rule = table.cell_tiers.get(cell.key)
        learned = rule.min_tier if rule else None
        base = unlearned_tier(table, cell)
        windows = evidence_windows(aggregates, rule, checkpoints, run, spans)

        served = max(learned, base) if learned is not None else base
        move = self._promotion(cell, learned, served, windows, all_evidence(aggregates))
        if move is None and rule is not None and learned is not None and learned > base:
            move = self._demotion(cell, rule, learned, base, windows, run)
        if move is None:
            return None
        change, found = move
        new_rule = CellRule(
            min_tier=Tier(change.new_tier) if change.new_tier is not None else None,
            changed_in_run=run,
            changed_at=self._now(),
            reason=describe(change, found, self.settings),
            counts_at_change=counts_of(aggregates),
        )
        return new_rule, change

    def _promotion(
        self,
        cell: Cell,
        learned: Tier | None,
        served: Tier,
        windows: list[dict[Tier, Evidence]],
        history: dict[Tier, Evidence],
    ) -> tuple[TableChange, Evidence] | None:
        if served == Tier.CAPABLE:
            return None
        above = Tier(served + 1)
        for window in windows:
            found = window.get(served)
            if found is None or found.samples < self.settings.min_samples:
                continue
            bound = wilson_lower_bound(found.low_quality, found.samples, self.settings.confidence)
            if bound <= self.settings.promote_low_rate:
                continue
            if self._no_better(history.get(above), found):
                return None
            return _change(cell, "promote", learned, above, found, bound), found
        since_change = windows[-1]
        lower = self._gain_bounds(since_change.get(above), since_change.get(served))[0]
        if lower is not None and lower > self.settings.quality_margin:
            found = since_change[served]
            return _change(cell, "promote", learned, above, found, lower, compared=above), found
        return None

    def _demotion(
        self,
        cell: Cell,
        rule: CellRule,
        learned: Tier,
        base: Tier,
        windows: list[dict[Tier, Evidence]],
        run: int,
    ) -> tuple[TableChange, Evidence] | None:
        if run - rule.changed_in_run < self.settings.cooldown_runs:
            return None
        below = Tier(learned - 1)
        # At the unlearned tier a rule no longer changes routing, but the rule
        # stays (with no tier) to keep the evidence baseline and the run number.
        new_tier = below if below > base else None
        # Each window is one more chance for noise to pass, so the confidence
        # is split over the windows tested (Bonferroni). Promotion, the safe
        # direction, tests every window at the plain confidence.
        tested = [window for window in windows if _samples(window, below) >= self.settings.min_samples]
        if not tested:
            return None
        confidence = 1.0 - (1.0 - self.settings.confidence) / len(tested)
        for window in tested:
            found = window[below]
            upper = self._gain_bounds(window.get(learned), found, confidence)[1]
            if upper is not None and upper < self.settings.quality_margin:
                return _change(cell, "demote", learned, new_tier, found, upper, compared=learned), found
            bound = wilson_upper_bound(found.low_quality, found.samples, confidence)
            if bound < self.settings.demote_low_rate:
                return _change(cell, "demote", learned, new_tier, found, bound), found
        return None

    def _gain_bounds(
        self, higher: Evidence | None, lower: Evidence | None, confidence: float | None = None
    ) -> tuple[float | None, float | None]:
        """Bounds on how much more mean quality `higher` gives than `lower`; None without enough samples."""
        minimum = self.settings.min_samples
        if higher is None or lower is None or higher.samples < minimum or lower.samples < minimum:
            return None, None
        return difference_bounds(
            higher.quality_sum,
            higher.samples,
            lower.quality_sum,
            lower.samples,
            confidence or self.settings.confidence,
        )

    def _no_better(self, above: Evidence | None, served: Evidence) -> bool:
        upper = self._gain_bounds(above, served)[1]
        return upper is not None and upper < self.settings.quality_margin


def _samples(window: dict[Tier, Evidence], tier: Tier) -> int:
    found = window.get(tier)
    return found.samples if found is not None else 0


def _change(
    cell: Cell,
    action: str,
    old: Tier | None,
    new: Tier | None,
    evidence: Evidence,
    bound: float,
    compared: Tier | None = None,
) -> TableChange:
    return TableChange(
        cell=cell.key,
        action=action,
        old_tier=old.value if old is not None else None,
        new_tier=new.value if new is not None else None,
        evidence_tier=evidence.tier.value,
        samples=evidence.samples,
        low_quality_rate=round(evidence.low_quality_rate, 6),
        bound=round(bound, 6),
        basis="comparison" if compared is not None else "low_quality_rate",
        compared_tier=compared.value if compared is not None else None,
    )


def describe(change: TableChange, evidence: Evidence, settings: Settings) -> str:
    """Return one sentence giving the evidence behind a promote or demote."""
    counted = f"{evidence.low_quality} of {evidence.samples}"
    confidence = f"{settings.confidence:.0%} confidence"
    if change.basis == "comparison":
        gain = f"the mean-quality gain of Tier {change.compared_tier} over Tier {evidence.tier.value}"
        if change.action == "promote":
            return (
                f"lower bound of {gain} is {change.bound:.3f} > margin {settings.quality_margin:.2f} "
                f"at {confidence} ({evidence.samples} samples at Tier {evidence.tier.value})"
            )
        return (
            f"upper bound of {gain} is {change.bound:.3f} < margin {settings.quality_margin:.2f} "
            f"at {confidence} ({evidence.samples} explored samples at Tier {evidence.tier.value})"
        )
    if change.action == "promote":
        return (
            f"{counted} samples at Tier {evidence.tier.value} were low quality: lower bound "
            f"{change.bound:.3f} > {settings.promote_low_rate:.2f} at {confidence}"
        )
    return (
        f"{counted} explored samples at Tier {evidence.tier.value} were low quality: upper bound "
        f"{change.bound:.3f} < {settings.demote_low_rate:.2f} at {confidence}"
    )


def summarize(run: int, changes: list[TableChange]) -> str:
    """Return the version reason: the run and each changed cell's new minimum tier."""
    parts = []
    for change in changes:
        if change.new_tier is not None:
            target = f"Tier {change.new_tier}"
        else:
            target = f"its unlearned Tier {change.evidence_tier}"
        parts.append(f"{change.action} {change.cell} to {target}")
    return f"retrain run {run}: " + "; ".join(parts)
