"""The routing table: score thresholds, domain floors, overrides and learned cell tiers.

A table is immutable once written; every change, by the retrainer or by hand,
is a new version that records who made it, why and on what evidence.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError, model_validator

from router.exceptions import ConfigurationError
from router.models import Cell, ClassifierResult, Domain, Tier

# Score thresholds: below the first goes to Tier 1, at or above the second to
# Tier 3. Tuned so chit-chat and lookups land on Tier 1 while multi-step
# reasoning reaches Tier 3; `evaluate` sweeps a shift of both to draw the
# quality-cost curve.
DEFAULT_THRESHOLDS = (0.30, 0.60)

# Coding and analysis answers fail in ways users notice only later (wrong code,
# wrong conclusion), so they never go to the cheapest tier.
DEFAULT_DOMAIN_FLOORS: dict[Domain, Tier] = {Domain.CODING: Tier.BALANCED, Domain.ANALYSIS: Tier.BALANCED}


class TierCounts(BaseModel):
    """Quality samples of one cell at one tier, copied from the cell aggregates."""

    tier: Tier
    samples: int = Field(default=0, ge=0)
    low_quality: int = Field(default=0, ge=0)
    quality_sum: float = Field(default=0.0, ge=0.0)


class CellRule(BaseModel):
    """The learned minimum tier of one cell, and the evidence baseline of its last change."""

    min_tier: Tier | None = Field(
        description="learned minimum tier; None after a demotion back to the tier the score and floor give"
    )
    changed_in_run: int = Field(ge=0, description="retrain run that set this tier, for the cool-down")
    changed_at: datetime
    reason: str
    counts_at_change: list[TierCounts] = Field(
        default_factory=list,
        description="the cell's aggregates when the rule changed; only samples added since then are evidence",
    )


class TableChange(BaseModel):
    """One line of a version's change log."""

    cell: str
    action: str = Field(description="promote, demote, rollback or edit")
    old_tier: int | None = Field(description="learned minimum tier before the change; None = none")
    new_tier: int | None = Field(description="learned minimum tier after the change; None = none")
    evidence_tier: int | None = Field(default=None, description="tier whose quality samples justified the change")
    samples: int = 0
    low_quality_rate: float | None = None
    bound: float | None = Field(default=None, description="confidence bound that justified the change")
    basis: str | None = Field(
        default=None,
        description="low_quality_rate: the evidence tier's own rate crossed a bar; "
        "comparison: its mean quality was compared with the neighbouring tier's (bound is then on the difference)",
    )
    compared_tier: int | None = Field(default=None, description="the neighbouring tier of a comparison")


class RoutingTable(BaseModel):
    """One version of the routing table."""

    version: int = Field(default=0, ge=0)
    parent_version: int | None = None
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    created_by: str = "built-in default"
    reason: str = "built-in default table"
    thresholds: tuple[float, float] = DEFAULT_THRESHOLDS
    domain_floors: dict[Domain, Tier] = Field(default_factory=lambda: dict(DEFAULT_DOMAIN_FLOORS))
    high_stakes_tier: Tier = Tier.CAPABLE
    default_tier: Tier = Field(default=Tier.BALANCED, description="tier when the classifier finds no signal")
    cell_tiers: dict[str, CellRule] = Field(default_factory=dict, description="cell key -> learned minimum")
    retrain_runs: int = Field(default=0, ge=0, description="retrain runs that produced this lineage")
    changes: list[TableChange] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> RoutingTable:
        low, high = self.thresholds
        if not 0.0 <= low <= high <= 1.0:
            raise ValueError(f"thresholds {self.thresholds} must satisfy 0 <= tier-2 <= tier-3 <= 1")
        for key in self.cell_tiers:
            Cell.from_key(key)
        return self

    def floor_for(self, domain: Domain) -> Tier:
        return self.domain_floors.get(domain, Tier.FAST)

    def cell_tier(self, cell: Cell) -> Tier | None:
        rule = self.cell_tiers.get(cell.key)
        return rule.min_tier if rule else None

    def tier_from_score(self, score: float, shift: float = 0.0) -> Tier:
        low, high = self.thresholds
        if score < low + shift:
            return Tier.FAST
        if score < high + shift:
            return Tier.BALANCED
        return Tier.CAPABLE

    def decide(self, result: ClassifierResult, cell: Cell, shift: float = 0.0) -> tuple[Tier, str]:
        """Return the tier for a classified query and one sentence naming what decided it."""
        low, high = (min(max(t + shift, 0.0), 1.0) for t in self.thresholds)
        tier = self.tier_from_score(result.score, shift)
        reason = f"complexity score {result.score:.2f} maps to Tier {tier.value} (thresholds {low:.2f}/{high:.2f})"
        if result.no_signal and self.default_tier > tier:
            tier = self.default_tier
            reason = f"no recognised signal in the query, so the default Tier {tier.value} applies"
        floor = self.floor_for(result.domain)
        if floor > tier:
            tier = floor
            reason = f"domain {result.domain.value} has a floor of Tier {floor.value} (score {result.score:.2f})"
        learned = self.cell_tier(cell)
        if learned is not None and learned > tier:
            tier = learned
            reason = (
                f"cell {cell.key} was raised to Tier {learned.value} by feedback "
                f"(routing table v{self.version}; score {result.score:.2f})"
            )
        if result.high_stakes and self.high_stakes_tier > tier:
            tier = self.high_stakes_tier
            reason = f"high-stakes term {result.high_stakes_term!r} forces Tier {tier.value}"
        return tier, reason


def load_table_file(path: Path) -> RoutingTable:
    """Read a routing table from a JSON file written by `RoutingTable.model_dump_json`."""
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"routing table {path} cannot be read: {exc.strerror}") from exc
    try:
        return RoutingTable.model_validate(json.loads(raw))
    except json.JSONDecodeError as exc:
        raise ConfigurationError(f"routing table {path} is not valid JSON: line {exc.lineno}: {exc.msg}") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(root)"
        raise ConfigurationError(f"routing table {path} is invalid at {where}: {first['msg']}") from exc
