"""Evidence for the retrainer: a cell's quality samples per tier over a window of its traffic.

The store keeps running counters per (cell, tier). A window is the current
counters minus a saved copy: the copy taken at the cell's last change (every
sample since then), or a retrain checkpoint taken after it (only the samples
of the last few runs). Short windows let a cell react to a recent drop that
its long history would hide.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from feedback.records import CellAggregate, CellCheckpoint
from router.models import BUCKET_EDGES, Cell, Tier
from router.table import CellRule, RoutingTable, TierCounts


@dataclass(frozen=True)
class Evidence:
    """Quality samples of one cell at one tier since the cell's last change."""

    tier: Tier
    samples: int
    low_quality: int
    quality_sum: float = 0.0

    @property
    def low_quality_rate(self) -> float:
        return self.low_quality / self.samples if self.samples else 0.0

    @property
    def mean_quality(self) -> float:
        return self.quality_sum / self.samples if self.samples else 0.0


def evidence_since(aggregates: Iterable[CellAggregate], saved_counts: Iterable[TierCounts]) -> dict[Tier, Evidence]:
    """Subtract `saved_counts` from the cell's current counters: the samples added since they were saved."""
    # NOTE: aggregates do not record the table version that routed a decision, so
    # feedback arriving after a change for a decision routed before it counts as new.
    baseline = {counts.tier: counts for counts in saved_counts}
    evidence: dict[Tier, Evidence] = {}
    for aggregate in aggregates:
        samples, low, total = aggregate.samples, aggregate.low_quality, aggregate.quality_sum
        saved = baseline.get(aggregate.tier)
        # Counters below the saved ones mean the aggregates were reset (a new
        # store under an old table), so every current sample is new evidence.
        if saved is not None and saved.samples <= samples and saved.low_quality <= low:
            samples -= saved.samples
            low -= saved.low_quality
            total = max(0.0, total - saved.quality_sum)
        evidence[aggregate.tier] = Evidence(aggregate.tier, samples, low, total)
    return evidence


def evidence_since_change(aggregates: Iterable[CellAggregate], rule: CellRule | None) -> dict[Tier, Evidence]:
    """Return every sample since the cell's last change, so evidence older than the change is ignored."""
    return evidence_since(aggregates, rule.counts_at_change if rule else ())


def window_spans(windows: int) -> list[int]:
    """Return how many runs back each short window starts: 1, 2, 4, ..., so a few windows cover a long stretch."""
    return [2**index for index in range(windows)]


def evidence_windows(
    aggregates: list[CellAggregate],
    rule: CellRule | None,
    checkpoints: dict[int, CellCheckpoint],
    run: int,
    spans: Iterable[int],
) -> list[dict[Tier, Evidence]]:
    """Return the cell's windows from shortest to longest, ending with every sample since its last change.

    A short window starts at the checkpoint `span` runs before `run`, for each
    of `spans` that has one in `checkpoints` (keyed by run). A checkpoint taken at or
    before the cell's last change is skipped: its window would mix samples
    served under the old and the new rule, and the last window has them all.
    """
    since_run = rule.changed_in_run if rule else 0
    key = aggregates[0].cell if aggregates else ""
    windows: list[dict[Tier, Evidence]] = []
    for span in spans:
        checkpoint = checkpoints.get(run - span)
        if checkpoint is None or checkpoint.run <= since_run:
            continue
        windows.append(evidence_since(aggregates, checkpoint.counts.get(key, ())))
    windows.append(evidence_since_change(aggregates, rule))
    # Windows nest, so two are equal only when no sample came between their
    # starts. Keeping one of each makes every window a distinct test.
    distinct = [window for window, longer in zip(windows, windows[1:], strict=False) if window != longer]
    return [*distinct, windows[-1]]


def all_evidence(aggregates: Iterable[CellAggregate]) -> dict[Tier, Evidence]:
    """Return every sample the cell ever had, per tier."""
    return evidence_since(aggregates, ())


def unlearned_tier(table: RoutingTable, cell: Cell) -> Tier:
    """Return the cell's tier without a learned rule: its domain floor or its bucket's lowest score's tier."""
    lowest_score = 0.0 if cell.bucket == 0 else BUCKET_EDGES[cell.bucket - 1]
    return max(table.floor_for(cell.domain), table.tier_from_score(lowest_score))


def counts_of(aggregates: Iterable[CellAggregate]) -> list[TierCounts]:
    return [
        TierCounts(tier=a.tier, samples=a.samples, low_quality=a.low_quality, quality_sum=a.quality_sum)
        for a in aggregates
    ]


def group_by_cell(aggregates: Iterable[CellAggregate]) -> dict[str, list[CellAggregate]]:
    grouped: dict[str, list[CellAggregate]] = defaultdict(list)
    for aggregate in aggregates:
        grouped[aggregate.cell].append(aggregate)
    return dict(grouped)
