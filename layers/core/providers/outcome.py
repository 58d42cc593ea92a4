"""Billing of one execution, and the writing of its outcome to the decision and the feedback store."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pydantic import BaseModel

from providers.base import CompletionResult
from providers.errors import ExecutionFailedError, ProviderError
from router.catalog import ModelEntry
from router.cost import Usage, request_cost
from router.exceptions import RouterError
from router.models import RoutingDecision, Tier

if TYPE_CHECKING:
    from feedback.store import FeedbackStore

logger = logging.getLogger(__name__)


class ExecutionResult(BaseModel):
    """The answer to one executed query, with its decision, cost and quality.

    `recorded` is False when the store failed after the answer arrived: the
    answer is still valid, but its cost and quality are missing from the store.
    """

    decision: RoutingDecision
    text: str
    usage: Usage
    actual_cost_usd: float
    latency_ms: float
    attempts: int
    stop_reason: str | None = None
    fallback_from_tier: Tier | None = None
    fallback_reason: str | None = None
    quality: float | None = None
    low_quality: bool = False
    recorded: bool = True


@dataclass(frozen=True)
class TierAttempts:
    """The calls to one tier's model that ended in a fallback to the next tier."""

    tier: int
    model: str
    calls: int
    error_kind: str


@dataclass
class Attempts:
    """Provider calls of one request: how many, which ones billed tokens, and whether text was streamed.

    `fallen_back` lists the tiers left behind by a fallback; `on_tier` counts
    the calls to the current tier only.
    """

    count: int = 0
    on_tier: int = 0
    streamed_text: bool = False
    billed: list[tuple[ModelEntry, Usage]] = field(default_factory=list)
    fallen_back: list[TierAttempts] = field(default_factory=list)

    def describe(self, tier: int, model: str) -> str:
        """Return which models were called how often, ending with the current `tier` and `model`."""
        if not self.fallen_back:
            return f"Tier {tier} model {model} after {self.on_tier} attempt(s)"
        earlier = [
            f"Tier {step.tier} model {step.model} failed ({step.error_kind}) after {step.calls} attempt(s)"
            for step in self.fallen_back
        ]
        last = f"Tier {tier} model {model} failed after {self.on_tier} attempt(s)"
        return ", then ".join([*earlier, last])

    def bill(self, entry: ModelEntry, usage: object) -> None:
        """Remember the tokens of a call that returned but was unusable (an empty answer)."""
        if isinstance(usage, Usage):
            self.billed.append((entry, usage))


def total_usage(usages: list[Usage]) -> Usage:
    """Sum token counts field by field."""
    return Usage(
        input_tokens=sum(u.input_tokens for u in usages),
        output_tokens=sum(u.output_tokens for u in usages),
        cache_write_5m_tokens=sum(u.cache_write_5m_tokens for u in usages),
        cache_write_1h_tokens=sum(u.cache_write_1h_tokens for u in usages),
        cache_read_tokens=sum(u.cache_read_tokens for u in usages),
    )


def apply_success(
    decision: RoutingDecision, entry: ModelEntry, result: CompletionResult, attempts: Attempts, latency_ms: float
) -> tuple[Usage, float]:
    """Write an answered request's tokens, cost and timing onto `decision`; return (usage, cost).

    Each billed call is priced with its own model's prices: the answer with the
    model that gave it (the fallback model after a fallback), and an earlier
    empty answer with the model that returned it. The routing estimate and the
    Tier 3 baseline stay as the router set them.
    """
    billed = [*attempts.billed, (entry, result.usage)]
    cost = round(sum(request_cost(model, usage) for model, usage in billed), 10)
    usage = total_usage([usage for _, usage in billed])
    _set_tokens(decision, usage)
    decision.actual_cost_usd = cost
    decision.latency_ms = latency_ms
    decision.stop_reason = result.stop_reason
    decision.attempts = attempts.count
    decision.provider_request_id = result.request_id
    decision.status = "completed"
    decision.error_kind = None
    return usage, cost


def apply_failure(decision: RoutingDecision, error: ProviderError, attempts: Attempts, latency_ms: float) -> None:
    """Mark `decision` as failed with the error's kind, the attempts made and the time spent.

    `actual_cost_usd` stays None, so the decision does not count as completed
    in the daily aggregates.
    """
    # NOTE: tokens billed for empty answers of a request that failed in the end
    # appear in the token fields but not in any cost total.
    if attempts.billed:
        _set_tokens(decision, total_usage([usage for _, usage in attempts.billed]))
    decision.latency_ms = latency_ms
    decision.attempts = attempts.count
    decision.provider_request_id = error.request_id
    decision.status = "failed"
    decision.error_kind = error.kind.value


def record_interruption(store: FeedbackStore, decision: RoutingDecision, attempts: Attempts, latency_ms: float) -> None:
    """Store the decision as interrupted: the call was stopped, so it is neither an answer nor a provider failure.

    Nothing is added to the cell's feedback, and a store error is logged, so
    the interruption itself still reaches the caller.
    """
    if attempts.billed:
        _set_tokens(decision, total_usage([usage for _, usage in attempts.billed]))
    decision.latency_ms = latency_ms
    decision.attempts = attempts.count
    decision.status = "interrupted"
    decision.error_kind = "interrupted"
    try:
        store.record_outcome(decision)
    except RouterError:
        logger.exception("interruption not recorded", extra={"decision_id": decision.decision_id})
    logger.warning("execution interrupted", extra={"decision_id": decision.decision_id, "attempts": attempts.count})


def _set_tokens(decision: RoutingDecision, usage: Usage) -> None:
    decision.actual_input_tokens = usage.input_tokens
    decision.actual_output_tokens = usage.output_tokens
    decision.actual_cache_write_5m_tokens = usage.cache_write_5m_tokens
    decision.actual_cache_write_1h_tokens = usage.cache_write_1h_tokens
    decision.actual_cache_read_tokens = usage.cache_read_tokens


def record_success(
    store: FeedbackStore,
    decision: RoutingDecision,
    entry: ModelEntry,
    result: CompletionResult,
    attempts: Attempts,
    latency_ms: float,
) -> ExecutionResult:
    """Store the answered decision and the answer's automatic quality signals; return the result."""
    usage, cost = apply_success(decision, entry, result, attempts, latency_ms)
    recorded, quality, low = True, None, False
    try:
        store.record_outcome(decision)
        feedback = store.record_feedback(
            decision.decision_id, response=result.text, signals={"stop_reason": result.stop_reason}, source="auto"
        )
        quality, low = feedback.quality, feedback.low_quality
    except RouterError:
        # The answer is paid for and valid, so a store failure must not lose it.
        logger.exception("execution outcome not recorded", extra={"decision_id": decision.decision_id})
        recorded = False
    logger.info(
        "executed",
        extra={
            "decision_id": decision.decision_id,
            "tier": decision.selected_tier.value,
            "model": decision.selected_model,
            "attempts": attempts.count,
            "latency_ms": latency_ms,
            "actual_cost_usd": cost,
            "fallback_from_tier": decision.fallback_from_tier,
            "quality": quality,
        },
    )
    return ExecutionResult(
        decision=decision,
        text=result.text,
        usage=usage,
        actual_cost_usd=cost,
        latency_ms=latency_ms,
        attempts=attempts.count,
        stop_reason=result.stop_reason,
        fallback_from_tier=decision.fallback_from_tier,
        fallback_reason=decision.fallback_reason,
        quality=quality,
        low_quality=low,
        recorded=recorded,
    )


def record_failure(
    store: FeedbackStore, decision: RoutingDecision, error: ProviderError, attempts: Attempts, latency_ms: float
) -> ExecutionFailedError:
    """Store the decision as failed and the failure (never a quality sample); return the error to raise."""
    apply_failure(decision, error, attempts, latency_ms)
    try:
        store.record_outcome(decision)
        store.record_feedback(decision.decision_id, signals=error.failure_signals(), source="auto")
    except RouterError:
        logger.exception("execution failure not recorded", extra={"decision_id": decision.decision_id})
    logger.error(
        "execution failed",
        extra={
            "decision_id": decision.decision_id,
            "tier": decision.selected_tier.value,
            "model": decision.selected_model,
            "fallback_from_tier": decision.fallback_from_tier.value if decision.fallback_from_tier else None,
            "error_kind": error.kind.value,
            "status_code": error.status_code,
            "attempts": attempts.count,
        },
    )
    tried = attempts.describe(decision.selected_tier.value, decision.selected_model)
    if attempts.fallen_back:
        summary = f"no answer after {attempts.count} attempt(s): {tried}"
    else:
        summary = f"no answer from {tried}"
    return ExecutionFailedError(
        f"decision {decision.decision_id}: {summary}: {error}",
        decision_id=decision.decision_id,
        kind=error.kind,
        attempts=attempts.count,
        status_code=error.status_code,
        tier=decision.selected_tier.value,
        model=decision.selected_model,
    )
