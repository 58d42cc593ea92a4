"""Evidence for the retrainer: a cell's quality samples per tier since its last change."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from feedback.records import CellAggregate
from router.models import BUCKET_EDGES, Cell, Tier
from router.table import CellRule, RoutingTable, TierCounts


@dataclass(frozen=True)
class Evidence:
    """Quality samples of one cell at one tier since the cell's last change."""

    tier: Tier
    samples: int
    low_quality: int

    @property
    def low_quality_rate(self) -> float:
        return self.low_quality / self.samples if self.samples else 0.0


def evidence_since_change(aggregates: Iterable[CellAggregate], rule: CellRule | None) -> dict[Tier, Evidence]:
    """Subtract the counters saved at the cell's last change, so evidence older than the change is ignored."""
    # NOTE: aggregates do not record the table version that routed a decision, so
    # feedback arriving after a change for a decision routed before it counts as new.
    baseline = {counts.tier: counts for counts in rule.counts_at_change} if rule else {}
    evidence: dict[Tier, Evidence] = {}
    for aggregate in aggregates:
        samples, low = aggregate.samples, aggregate.low_quality
        saved = baseline.get(aggregate.tier)
        # Counters below the saved ones mean the aggregates were reset (a new
        # store under an old table), so every current sample is new evidence.
        if saved is not None and saved.samples <= samples and saved.low_quality <= low:
            samples -= saved.samples
            low -= saved.low_quality
        evidence[aggregate.tier] = Evidence(aggregate.tier, samples, low)
    return evidence


def unlearned_tier(table: RoutingTable, cell: Cell) -> Tier:
    """Return the cell's tier without a learned rule: its domain floor or its bucket's lowest score's tier."""
    lowest_score = 0.0 if cell.bucket == 0 else BUCKET_EDGES[cell.bucket - 1]
    return max(table.floor_for(cell.domain), table.tier_from_score(lowest_score))


def counts_of(aggregates: Iterable[CellAggregate]) -> list[TierCounts]:
    return [TierCounts(tier=a.tier, samples=a.samples, low_quality=a.low_quality) for a in aggregates]


def group_by_cell(aggregates: Iterable[CellAggregate]) -> dict[str, list[CellAggregate]]:
    grouped: dict[str, list[CellAggregate]] = defaultdict(list)
    for aggregate in aggregates:
        grouped[aggregate.cell].append(aggregate)
    return dict(grouped)
