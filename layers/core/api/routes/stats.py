"""GET /stats/cost and GET /stats/quality, summed from the store's aggregates.

Both read the per-tier-per-day and per-cell counters, never the decision log,
so they cost O(days x tiers) and O(cells) reads however much traffic there was.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel, Field

from api.context import ApiContext
from api.errors import api_responses
from api.models import BUILT_ON_FIRST_USE, QueryDate
from feedback.records import CellAggregate, TierDayAggregate

USD_DECIMALS = 9


class CostRow(BaseModel):
    """Traffic and cost of one tier on one day, of one tier overall, or of everything."""

    model_config = BUILT_ON_FIRST_USE

    day: date | None = Field(default=None, description="null in per-tier rows and the total")
    tier: int | None = Field(default=None, description="null in the total")
    decisions: int
    completed: int = Field(description="decisions executed, whose actual cost is known")
    estimated_cost_usd: float
    baseline_cost_usd: float = Field(description="the same requests on Tier 3")
    actual_cost_usd: float = Field(description="sum over completed decisions only")
    savings_usd: float = Field(description="baseline minus estimated cost")
    savings_pct: float | None = Field(description="savings as a percentage of the baseline; null if it is 0")


class CostStats(BaseModel):
    """Estimated, baseline and actual cost by tier and day."""

    model_config = BUILT_ON_FIRST_USE

    since: date | None
    by_day: list[CostRow]
    by_tier: list[CostRow]
    total: CostRow


class QualityRow(BaseModel):
    """Quality samples of one tier, or of one (cell, tier served)."""

    model_config = BUILT_ON_FIRST_USE

    tier: int
    cell: str | None = Field(
        default=None, description="domain:bucket or domain/subdomain:bucket; null in per-tier rows"
    )
    samples: int
    mean_quality: float | None
    low_quality: int
    low_quality_rate: float | None
    ratings: int
    failures: int = Field(description="provider failures; not quality samples")


class QualityStats(BaseModel):
    """Quality by tier and by cell, over all feedback."""

    model_config = BUILT_ON_FIRST_USE

    by_tier: list[QualityRow]
    by_cell: list[QualityRow]


def _cost_row(rows: Iterable[TierDayAggregate], *, day: date | None = None, tier: int | None = None) -> CostRow:
    rows = list(rows)
    estimated = round(sum(row.estimated_cost_usd for row in rows), USD_DECIMALS)
    baseline = round(sum(row.baseline_cost_usd for row in rows), USD_DECIMALS)
    savings = round(baseline - estimated, USD_DECIMALS)
    return CostRow(
        day=day,
        tier=tier,
        decisions=sum(row.decisions for row in rows),
        completed=sum(row.completed for row in rows),
        estimated_cost_usd=estimated,
        baseline_cost_usd=baseline,
        actual_cost_usd=round(sum(row.actual_cost_usd for row in rows), USD_DECIMALS),
        savings_usd=savings,
        savings_pct=round(100 * savings / baseline, 2) if baseline > 0 else None,
    )


def cost_stats(rows: list[TierDayAggregate], since: date | None) -> CostStats:
    """Sum tier-day aggregates per (day, tier), per tier and overall."""
    by_day = [_cost_row([row], day=row.day, tier=row.tier.value) for row in sorted(rows, key=lambda r: (r.day, r.tier))]
    tiers = sorted({row.tier.value for row in rows})
    by_tier = [_cost_row((row for row in rows if row.tier == tier), tier=tier) for tier in tiers]
    return CostStats(since=since, by_day=by_day, by_tier=by_tier, total=_cost_row(rows))


def _quality_row(rows: list[CellAggregate], tier: int, cell: str | None = None) -> QualityRow:
    samples = sum(row.samples for row in rows)
    low = sum(row.low_quality for row in rows)
    quality_sum = sum(row.quality_sum for row in rows)
    return QualityRow(
        tier=tier,
        cell=cell,
        samples=samples,
        mean_quality=round(quality_sum / samples, 6) if samples else None,
        low_quality=low,
        low_quality_rate=round(low / samples, 6) if samples else None,
        ratings=sum(row.ratings for row in rows),
        failures=sum(row.failures for row in rows),
    )


def quality_stats(rows: list[CellAggregate]) -> QualityStats:
    """Sum cell aggregates per tier; per-cell rows keep one row per (cell, tier served)."""
    tiers = sorted({row.tier.value for row in rows})
    by_tier = [_quality_row([row for row in rows if row.tier == tier], tier) for tier in tiers]
    ordered = sorted(rows, key=lambda row: (row.cell, row.tier))
    by_cell = [_quality_row([row], row.tier.value, row.cell) for row in ordered]
    return QualityStats(by_tier=by_tier, by_cell=by_cell)


def add_cost_stats(app: APIGatewayRestResolver, context: ApiContext) -> None:
    @app.get(
        "/stats/cost",
        summary="Cost by tier and day",
        tags=["stats"],
        responses=api_responses("cost by tier and day", 422, 503),
    )
    def get_cost_stats(
        since: Annotated[QueryDate | None, Query(description="first UTC day to include (YYYY-MM-DD)")] = None,
    ) -> CostStats:
        return cost_stats(context.store_factory().tier_day_aggregates(since), since)


def add_quality_stats(app: APIGatewayRestResolver, context: ApiContext) -> None:
    @app.get(
        "/stats/quality",
        summary="Quality by tier and by cell",
        tags=["stats"],
        responses=api_responses("quality by tier and cell", 503),
    )
    def get_quality_stats() -> QualityStats:
        return quality_stats(context.store_factory().cell_aggregates())
