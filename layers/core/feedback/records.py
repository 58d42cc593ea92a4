"""Records the feedback store keeps besides decisions."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime

from pydantic import BaseModel, Field

from router.models import Tier
from router.table import TierCounts

MAX_SOURCE_CHARS = 64
MAX_DECISION_ID_CHARS = 128


def normalize_source(source: str) -> str:
    """Return the canonical form of a feedback source: NFKC, trimmed and case-folded.

    Feedback counts once per (decision, source), so "API", "api" and "api"
    with a zero-width space must be one source, or a client could count one
    decision's rating several times. Raises ValueError for an empty or
    over-long source, or one with control or invisible format characters.
    """
    cleaned = unicodedata.normalize("NFKC", source or "").strip().casefold()
    # The value is cut in messages, so an over-long source does not flood the error.
    preview = repr(source) if len(source or "") <= MAX_SOURCE_CHARS else f"{source[:MAX_SOURCE_CHARS]!r}…"
    if not cleaned or len(cleaned) > MAX_SOURCE_CHARS:
        raise ValueError(f"source {preview} is invalid: expected 1 to {MAX_SOURCE_CHARS} characters")
    hidden = next((char for char in cleaned if unicodedata.category(char) in {"Cc", "Cf"}), None)
    if hidden is not None:
        raise ValueError(f"source {preview} is invalid: it contains the invisible character U+{ord(hidden):04X}")
    return cleaned


class FeedbackRecord(BaseModel):
    """One quality sample or provider failure for a decision, unique per (decision, source)."""

    decision_id: str
    source: str
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    cell: str
    tier: Tier
    quality: float | None = Field(default=None, ge=0.0, le=1.0, description="None for a failure")
    low_quality: bool = False
    rating: float | None = None
    signals: dict[str, float] = Field(default_factory=dict)
    failure: str | None = Field(default=None, description="provider failure kind; not a quality sample")

    @property
    def day(self) -> date:
        return self.created_at.astimezone(UTC).date()


class FeedbackResult(BaseModel):
    """What `record_feedback` did."""

    decision_id: str
    source: str
    quality: float | None
    low_quality: bool
    signals: dict[str, float] = Field(default_factory=dict)
    failure: str | None = None
    repeat: bool = Field(default=False, description="the same (decision, source) was already recorded")


class CellAggregate(BaseModel):
    """Running counters for one (cell, tier served)."""

    cell: str
    tier: Tier
    samples: int = 0
    low_quality: int = 0
    quality_sum: float = 0.0
    ratings: int = 0
    failures: int = 0

    @property
    def mean_quality(self) -> float | None:
        return round(self.quality_sum / self.samples, 6) if self.samples else None

    @property
    def low_quality_rate(self) -> float | None:
        return self.low_quality / self.samples if self.samples else None


class TierDayAggregate(BaseModel):
    """Counters for one tier on one UTC day: traffic, cost and quality."""

    day: date
    tier: Tier
    decisions: int = 0
    estimated_cost_usd: float = 0.0
    baseline_cost_usd: float = 0.0
    actual_cost_usd: float = 0.0
    completed: int = 0
    samples: int = 0
    quality_sum: float = 0.0
    low_quality: int = 0
    failures: int = 0

    @property
    def mean_quality(self) -> float | None:
        return round(self.quality_sum / self.samples, 6) if self.samples else None


class CellCheckpoint(BaseModel):
    """Every cell's counters as one retrain run read them.

    A later run subtracts a checkpoint from the current counters to get the
    samples added since then, so it can judge a cell on its recent traffic
    alone.
    """

    run: int = Field(ge=1)
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    counts: dict[str, list[TierCounts]] = Field(default_factory=dict, description="cell key -> counters per tier")
