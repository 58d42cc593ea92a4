"""Decisions and feedback built without the classifier, for retrainer and report tests."""

from __future__ import annotations

from pathlib import Path

from feedback.store import FeedbackStore
from router.models import BUCKET_EDGES, Cell, ClassifierResult, RoutingDecision, Tier
from router.settings import Settings

LOW_RATING = 1  # maps to quality 0.0
GOOD_RATING = 5  # maps to quality 1.0


def open_store(path: Path, **settings: object) -> FeedbackStore:
    """Open a SQLite store in `path` with default settings, ignoring the environment."""
    return FeedbackStore(db_path=path / "router.db", settings=Settings(**settings))


def make_decision(cell_key: str, tier: int, *, explored: bool = False, cost: float = 0.001) -> RoutingDecision:
    """Build a decision in `cell_key` (such as "general:0") served at `tier`."""
    cell = Cell.from_key(cell_key)
    score = 0.1 if cell.bucket == 0 else BUCKET_EDGES[cell.bucket - 1] + 0.05
    classification = ClassifierResult(
        score=score,
        reasoning_depth=score,
        domain_specificity=score,
        output_sensitivity=score,
        domain=cell.domain,
        domain_confidence=0.9,
        language="en",
        input_tokens=20,
    )
    return RoutingDecision(
        classification=classification,
        selected_tier=Tier(tier),
        selected_model=f"test-tier-{tier}",
        estimated_input_tokens=20,
        estimated_output_tokens=100,
        estimated_cost_usd=cost,
        baseline_cost_usd=0.01,
        estimated_savings_usd=round(0.01 - cost, 10),
        reasoning="Built by a test.",
        routing_table_version=0,
        cell=cell,
        explored=explored,
    )


def add_samples(
    store: FeedbackStore, cell_key: str, tier: int, *, low: int = 0, good: int = 0, explored: bool = False
) -> list[str]:
    """Log `low + good` decisions and rate each once; return their decision ids."""
    ids = []
    for rating in [LOW_RATING] * low + [GOOD_RATING] * good:
        decision = make_decision(cell_key, tier, explored=explored)
        store.log_decision(decision)
        store.record_feedback(decision.decision_id, rating=rating)
        ids.append(decision.decision_id)
    return ids
