"""`Executor`: route a query, call the chosen model, retry, fall back, and record what it cost.

This module is the execute path. The routing path (`router.engine`) never
imports it, and it imports no provider SDK itself: providers load their SDK
on first call.

One request runs like this. The router picks a tier; the tier's model must be
callable (not retired) and its provider buildable (the API key found) before
anything is stored. The decision is logged, then the model is called. A
transient failure (timeout, 429, 529, other 5xx, a dropped connection) is
retried with backoff; once the retries are spent, or after an empty answer,
the request falls back one tier up, once, and never down. The outcome (tokens,
cost, fallback, latency) goes onto the stored decision, then the answer's
automatic quality signals, or the failure, go to the feedback store.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from providers.base import CompletionRequest, CompletionResult, Provider
from providers.errors import FALLBACK_KINDS, ErrorKind, ExecutionStoppedError, ProviderError
from providers.messages import to_messages_request
from providers.outcome import (
    Attempts,
    ExecutionResult,
    TierAttempts,
    record_failure,
    record_interruption,
    record_success,
)
from providers.registry import create_provider
from providers.retry import RetryPolicy
from providers.settings import ExecutionSettings
from router.catalog import ModelEntry
from router.exceptions import RouterError
from router.models import RoutingDecision, Tier

if TYPE_CHECKING:
    from feedback.store import FeedbackStore
    from router.engine import LLMRouter

logger = logging.getLogger(__name__)

# No attempt starts with less of the time budget left than this, because a model
# call rarely completes faster. A chosen value, not a measured one.
MIN_ATTEMPT_S = 1.0

ProviderFactory = Callable[[str], Provider]
StreamCallback = Callable[[str], None]


class DeadlineReachedError(ProviderError):
    """The caller's time budget ran out before an answer arrived."""


def default_provider_factory() -> ProviderFactory:
    """Return a factory that builds registered providers with their default options."""

    def build(name: str) -> Provider:
        return create_provider(name)

    return build


class Executor:
    """Execute routed queries against the models, with retries and one-tier-up fallback.

    `sleep`, `rng` and `clock` are injectable so tests run retries instantly and
    deterministically. `provider_factory(name)` builds the provider named by a
    catalog entry (or LLM_ROUTER_PROVIDER); each is built once and reused, so
    one executor may serve many threads.
    """

    def __init__(
        self,
        router: LLMRouter,
        store: FeedbackStore,
        *,
        provider_factory: ProviderFactory | None = None,
        settings: ExecutionSettings | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
        max_retries: int | None = None,
        timeout_s: float | None = None,
    ) -> None:
        self.router = router
        self.store = store
        self.settings = settings or ExecutionSettings.from_env()
        self.policy = RetryPolicy(
            max_retries=self.settings.max_retries if max_retries is None else max_retries,
            base_delay_s=self.settings.retry_base_delay_s,
            max_delay_s=self.settings.retry_max_delay_s,
        )
        self.timeout_s = timeout_s or self.settings.request_timeout_s
        self._provider_factory = provider_factory or default_provider_factory()
        self._providers: dict[str, Provider] = {}
        self._lock = threading.Lock()
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._clock = clock

    def close(self) -> None:
        for provider in self._providers.values():
            provider.close()
        self._providers.clear()

    def execute(
        self,
        query_or_messages: str | list[dict[str, Any]] | dict[str, Any],
        *,
        system: str | None = None,
        profile: str | None = None,
        max_tokens: int | None = None,
        stream_callback: StreamCallback | None = None,
        deadline_s: float | None = None,
    ) -> ExecutionResult:
        """Route the query, call the model and return its answer with the cost and quality.

        `stream_callback` receives the answer's text as it arrives. `deadline_s`
        is the time budget in seconds from now: no call starts or runs past it.
        Raises `RetiredModelError`, `MissingApiKeyError` or `ConfigurationError`
        before anything is stored, and `ExecutionFailedError` (decision stored
        with status "failed") when no answer arrived.
        """
        started = self._clock()
        deadline = None if deadline_s is None else started + deadline_s
        decision = self.router.route(query_or_messages, system=system, profile=profile)
        messages, system_text = to_messages_request(query_or_messages, system)
        entry = self.router.catalog.model_for(decision.selected_tier, decision.catalog_profile)
        entry.ensure_callable()
        provider = self._provider_for(entry)
        provider.model_id(entry)  # a missing Bedrock id fails here, before the decision is stored
        self.store.log_decision(decision)

        call = _Call(messages, system_text, max_tokens or self.settings.max_tokens, stream_callback, deadline)
        attempts = Attempts()
        try:
            result, entry = self._run_with_fallback(decision, entry, call, attempts)
        except ProviderError as error:
            failure = record_failure(self.store, decision, error, attempts, self._elapsed_ms(started))
            failure.deadline_exceeded = isinstance(error, DeadlineReachedError)
            raise failure from error
        except (KeyboardInterrupt, ExecutionStoppedError):
            # No answer, but no provider failure either.
            record_interruption(self.store, decision, attempts, self._elapsed_ms(started))
            raise
        return record_success(self.store, decision, entry, result, attempts, self._elapsed_ms(started))

    def _elapsed_ms(self, started: float) -> float:
        return round((self._clock() - started) * 1000.0, 3)

    # Calls, retries and fallback

    def _run_with_fallback(
        self, decision: RoutingDecision, entry: ModelEntry, call: _Call, attempts: Attempts
    ) -> tuple[CompletionResult, ModelEntry]:
        try:
            return self._run_tier(decision, entry, call, attempts), entry
        except ProviderError as error:
            if not self._may_fall_back(decision, error, attempts):
                raise
            failed_tier, failed_model = decision.selected_tier, decision.selected_model
            fallback = self._fallback_model(decision, error)
            if fallback is None:
                raise
            entry, provider = fallback
            decision.fallback_from_tier = failed_tier
            decision.fallback_reason = (
                f"Tier {failed_tier.value} model {failed_model} failed with {error.kind.value} "
                f"after {attempts.on_tier} attempt(s); fell back to Tier {failed_tier.value + 1}"
            )
            decision.selected_tier = Tier(failed_tier + 1)
            decision.selected_model = entry.anthropic_id
            decision.provider = provider.name
            logger.warning(
                "falling back one tier up",
                extra={
                    "decision_id": decision.decision_id,
                    "tier": failed_tier.value,
                    "model": failed_model,
                    "attempts": attempts.on_tier,
                    "error_kind": error.kind.value,
                    "to_tier": decision.selected_tier.value,
                    "to_model": decision.selected_model,
                },
            )
            attempts.fallen_back.append(
                TierAttempts(failed_tier.value, failed_model, attempts.on_tier, error.kind.value)
            )
            attempts.on_tier = 0
            return self._run_tier(decision, entry, call, attempts), entry

    def _fallback_model(self, decision: RoutingDecision, error: ProviderError) -> tuple[ModelEntry, Provider] | None:
        try:
            entry = self.router.catalog.model_for(Tier(decision.selected_tier + 1), decision.catalog_profile)
            entry.ensure_callable()
            provider = self._provider_for(entry)
            provider.model_id(entry)
        except RouterError as exc:
            # A retired or unconfigured fallback model leaves the original failure as the answer.
            logger.error(
                "fallback model not callable",
                extra={"decision_id": decision.decision_id, "error_kind": error.kind.value, "reason": str(exc)},
            )
            return None
        return entry, provider

    def _may_fall_back(self, decision: RoutingDecision, error: ProviderError, attempts: Attempts) -> bool:
        # Fallback goes one tier up, once: a second hop would triple the cost of
        # a request that the cheaper tiers could not serve. Text already shown
        # to a stream listener cannot be taken back, so it ends the request too.
        return (
            error.kind in FALLBACK_KINDS
            and not isinstance(error, DeadlineReachedError)
            and decision.fallback_from_tier is None
            and decision.selected_tier < Tier.CAPABLE
            and not attempts.streamed_text
        )

    def _run_tier(
        self, decision: RoutingDecision, entry: ModelEntry, call: _Call, attempts: Attempts
    ) -> CompletionResult:
        provider = self._provider_for(entry)
        request_model = provider.model_id(entry)
        for retry_number in range(self.policy.max_retries + 1):
            request = CompletionRequest(
                model=request_model,
                messages=call.messages,
                system=call.system,
                max_tokens=min(call.max_tokens, entry.max_output_tokens),
                timeout_s=self._attempt_timeout(call.deadline),
            )
            attempts.count += 1
            attempts.on_tier += 1
            try:
                return self._call(provider, request, call, attempts)
            except ProviderError as error:
                attempts.bill(entry, error.usage)
                delay = self._retry_delay(error, retry_number, call, attempts)
                if delay is None:
                    raise
                logger.warning(
                    "provider call failed; retrying",
                    extra={
                        "decision_id": decision.decision_id,
                        "tier": decision.selected_tier.value,
                        "model": request_model,
                        "error_kind": error.kind.value,
                        "status_code": error.status_code,
                        "attempt": attempts.on_tier,
                        "delay_s": round(delay, 3),
                    },
                )
                self._sleep(delay)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _retry_delay(self, error: ProviderError, retry_number: int, call: _Call, attempts: Attempts) -> float | None:
        """Return the wait before the next attempt, or None when this tier is done.

        Raises `DeadlineReachedError` when the time budget is what ends the tier.
        """
        if error.kind is ErrorKind.TIMEOUT and self._out_of_time(call.deadline, 0.0):
            raise DeadlineReachedError(ErrorKind.TIMEOUT, "no answer within the time budget: the call timed out")
        if not error.kind.retryable or attempts.streamed_text or retry_number >= self.policy.max_retries:
            return None
        delay = self.policy.delay(retry_number, error.retry_after, self._rng)
        if delay is not None and self._out_of_time(call.deadline, delay):
            raise DeadlineReachedError(
                ErrorKind.TIMEOUT,
                f"no answer within the time budget: the last attempt ended with {error.kind.value} "
                f"and a retry after {delay:.1f} s would end too late",
                status_code=error.status_code,
            )
        return delay

    def _out_of_time(self, deadline: float | None, wait_s: float) -> bool:
        return deadline is not None and self._clock() + wait_s + MIN_ATTEMPT_S > deadline

    def _attempt_timeout(self, deadline: float | None) -> float:
        # NOTE: the HTTP timeout bounds each read, not the whole call. A non-streamed
        # answer arrives in one piece, so the two agree; a stream that keeps sending
        # text can outlive the budget, and only the CLI streams.
        if deadline is None:
            return self.timeout_s
        remaining = deadline - self._clock()
        if remaining < MIN_ATTEMPT_S:
            raise DeadlineReachedError(ErrorKind.TIMEOUT, "no answer within the time budget: no time left to call")
        return min(self.timeout_s, remaining)

    def _call(
        self, provider: Provider, request: CompletionRequest, call: _Call, attempts: Attempts
    ) -> CompletionResult:
        if call.stream_callback is None:
            return provider.complete(request)
        result = None
        for event in provider.stream(request):
            if event.text:
                attempts.streamed_text = True
                call.stream_callback(event.text)
            if event.result is not None:
                result = event.result
        if result is None:
            raise ProviderError(ErrorKind.SERVER_ERROR, f"{provider.name} stream ended without a final message")
        return result

    def _provider_for(self, entry: ModelEntry) -> Provider:
        name = self.settings.provider or entry.provider
        with self._lock:
            provider = self._providers.get(name)
            if provider is None:
                provider = self._provider_factory(name)
                self._providers[name] = provider
        return provider


@dataclass(frozen=True)
class _Call:
    """The parts of one request that stay the same across its attempts; `deadline` is on the executor's clock."""

    messages: list[dict[str, Any]]
    system: str | None
    max_tokens: int
    stream_callback: StreamCallback | None
    deadline: float | None
