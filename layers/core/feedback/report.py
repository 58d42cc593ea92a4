"""Cost and quality report built from the store's aggregates, never from decision or feedback rows."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

from pydantic import BaseModel, Field

from feedback.records import TierDayAggregate
from feedback.store import FeedbackStore
from router.models import Cell
from router.table import CellRule, TableChange

COST_DECIMALS = 9
RATE_DECIMALS = 6
MAX_VERSIONS = 50


class CostTotals(BaseModel):
    """Traffic and cost over the report period, against sending everything to Tier 3."""

    decisions: int = 0
    completed: int = Field(default=0, description="decisions executed, which have an actual cost")
    estimated_cost_usd: float = 0.0
    actual_cost_usd: float = Field(default=0.0, description="sum over completed decisions only")
    baseline_cost_usd: float = Field(default=0.0, description="estimated cost of the same requests on Tier 3")
    savings_usd: float = Field(default=0.0, description="baseline minus estimated cost")
    savings_percent: float | None = Field(
        default=None, description="savings as a share of the baseline; None when it is 0"
    )


class TierReport(BaseModel):
    """Cost and quality of one tier over the report period."""

    tier: int
    decisions: int
    completed: int
    estimated_cost_usd: float
    actual_cost_usd: float
    baseline_cost_usd: float
    samples: int
    mean_quality: float | None
    low_quality_rate: float | None
    failures: int


class CellReport(BaseModel):
    """Quality of one cell at one tier served, since the store began."""

    cell: str
    domain: str
    bucket: int
    tier: int
    samples: int
    mean_quality: float | None
    low_quality_rate: float | None
    failures: int
    learned_tier: int | None = Field(description="the current table's learned minimum tier; None = none")


class VersionReport(BaseModel):
    """One routing-table version and its change log."""

    version: int
    parent_version: int | None
    created_at: datetime
    created_by: str
    reason: str
    changes: list[TableChange]


class Report(BaseModel):
    """The `report` command's content; `model_dump(mode="json")` gives its JSON form."""

    generated_at: datetime
    since: date | None = Field(description="first UTC day counted in totals, tiers and versions; None = all")
    current_version: int = Field(description="current routing-table version; 0 = built-in default")
    totals: CostTotals
    tiers: list[TierReport]
    cells: list[CellReport] = Field(description="cumulative: cell counters are not kept per day")
    versions: list[VersionReport] = Field(description="newest first, at most 50")


def build_report(store: FeedbackStore, since: date | None = None) -> Report:
    """Build the report from the daily tier counters, the cell counters and the table history."""
    days = store.tier_day_aggregates(since)
    tiers = [_tier_report(tier, [day for day in days if day.tier == tier]) for tier in sorted({d.tier for d in days})]
    current = store.current_routing_table()
    return Report(
        generated_at=datetime.now(UTC),
        since=since,
        current_version=current.version,
        totals=_totals(tiers),
        tiers=tiers,
        cells=_cell_reports(store, current.cell_tiers),
        versions=_version_reports(store, since),
    )


def _usd(values: list[float]) -> float:
    return round(math.fsum(values), COST_DECIMALS)


def _tier_report(tier: int, days: list[TierDayAggregate]) -> TierReport:
    samples = sum(day.samples for day in days)
    quality = math.fsum(day.quality_sum for day in days)
    low = sum(day.low_quality for day in days)
    return TierReport(
        tier=int(tier),
        decisions=sum(day.decisions for day in days),
        completed=sum(day.completed for day in days),
        estimated_cost_usd=_usd([day.estimated_cost_usd for day in days]),
        actual_cost_usd=_usd([day.actual_cost_usd for day in days]),
        baseline_cost_usd=_usd([day.baseline_cost_usd for day in days]),
        samples=samples,
        mean_quality=round(quality / samples, RATE_DECIMALS) if samples else None,
        low_quality_rate=round(low / samples, RATE_DECIMALS) if samples else None,
        failures=sum(day.failures for day in days),
    )


def _totals(tiers: list[TierReport]) -> CostTotals:
    estimated = _usd([tier.estimated_cost_usd for tier in tiers])
    baseline = _usd([tier.baseline_cost_usd for tier in tiers])
    savings = round(baseline - estimated, COST_DECIMALS)
    return CostTotals(
        decisions=sum(tier.decisions for tier in tiers),
        completed=sum(tier.completed for tier in tiers),
        estimated_cost_usd=estimated,
        actual_cost_usd=_usd([tier.actual_cost_usd for tier in tiers]),
        baseline_cost_usd=baseline,
        savings_usd=savings,
        savings_percent=round(100.0 * savings / baseline, 2) if baseline else None,
    )


def _cell_reports(store: FeedbackStore, rules: dict[str, CellRule]) -> list[CellReport]:
    reports = []
    for aggregate in store.cell_aggregates():
        cell = Cell.from_key(aggregate.cell)
        rule = rules.get(aggregate.cell)
        rate = aggregate.low_quality_rate
        reports.append(
            CellReport(
                cell=aggregate.cell,
                domain=cell.domain.value,
                bucket=cell.bucket,
                tier=int(aggregate.tier),
                samples=aggregate.samples,
                mean_quality=aggregate.mean_quality,
                low_quality_rate=round(rate, RATE_DECIMALS) if rate is not None else None,
                failures=aggregate.failures,
                learned_tier=int(rule.min_tier) if rule and rule.min_tier is not None else None,
            )
        )
    return reports


def _version_reports(store: FeedbackStore, since: date | None) -> list[VersionReport]:
    reports = []
    for table in store.routing_table_history(MAX_VERSIONS):
        if since is not None and table.created_at.astimezone(UTC).date() < since:
            continue
        reports.append(
            VersionReport(
                version=table.version,
                parent_version=table.parent_version,
                created_at=table.created_at,
                created_by=table.created_by,
                reason=table.reason,
                changes=table.changes,
            )
        )
    return reports
