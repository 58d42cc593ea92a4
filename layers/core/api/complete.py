"""POST /complete: route a query, call the chosen model and return the answer, the decision and the cost.

The route must answer before API Gateway gives up on the integration (29
seconds by default for REST APIs), so each request gets a time budget: the
smaller of LLM_ROUTER_COMPLETE_DEADLINE and the Lambda invocation's remaining
time less a margin. A request that runs out of budget returns a JSON 504 with
code `upstream_timeout` and the decision id.

A client that retries with the same `Idempotency-Key` header gets the stored
response of the first completed request instead of a second model call, so
no second cost or feedback row appears (see `api.complete_idempotency`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Header

from api.complete_models import (
    COMPLETE_ERROR_RESPONSES,
    CompleteRequest,
    CompleteResponse,
    CompletionCost,
    IdempotencyConflictError,
    IdempotencyUnavailableError,
    ProviderNotConfiguredError,
    UpstreamError,
    UpstreamTimeoutError,
)
from api.errors import ApiError, UnprocessableError
from api.models import DecisionView
from api.telemetry import NO_UNIT, MetricsSink, NullMetrics
from providers.errors import ExecutionFailedError
from providers.settings import ExecutionSettings
from router.exceptions import ConfigurationError, RetiredModelError

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import BasePersistenceLayer

    from api.complete_idempotency import IdempotentRunner
    from api.context import ApiContext
    from providers.executor import Executor
    from providers.outcome import ExecutionResult

logger = logging.getLogger(__name__)

# Time the function keeps after the budget ends, to store the outcome and return.
LAMBDA_MARGIN_S = 1.5
MAX_IDEMPOTENCY_KEY_CHARS = 255

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=MAX_IDEMPOTENCY_KEY_CHARS,
        pattern=r"\S",
        description="retries with the same key and body return the first response; no second model call",
    ),
]


def register_complete_route(
    app: APIGatewayRestResolver,
    executor_factory: Callable[[], Executor],
    *,
    settings: ExecutionSettings | None = None,
    persistence_store: BasePersistenceLayer | None = None,
    metrics: MetricsSink | None = None,
) -> None:
    """Add POST /complete to `app`; `executor_factory` is called once per request that reaches a model.

    `persistence_store` stores the idempotency records; by default DynamoDB
    (IDEMPOTENCY_TABLE) or the SQLite file of LLM_ROUTER_IDEMPOTENCY_DB_PATH,
    opened on the first request that sends an `Idempotency-Key`.
    """
    settings = settings or ExecutionSettings.from_env()
    sink = metrics or NullMetrics()

    def complete(body: dict[str, Any], deadline_s: float) -> dict[str, Any]:
        request = CompleteRequest.model_validate(body)
        return _complete(executor_factory(), request, deadline_s, sink)

    runner = _idempotent_runner_factory(complete, settings, persistence_store)

    @app.post(
        "/complete",
        summary="Route a query, call the chosen model and return the answer with its decision and cost",
        tags=["execution"],
        responses=COMPLETE_ERROR_RESPONSES,
    )
    def post_complete(request: CompleteRequest, idempotency_key: IdempotencyKeyHeader = None) -> CompleteResponse:
        deadline_s = _time_budget(app, settings)
        body = request.model_dump(mode="json")
        if not idempotency_key:
            return CompleteResponse.model_validate(complete(body, deadline_s))
        from aws_lambda_powertools.utilities.idempotency.exceptions import (
            IdempotencyAlreadyInProgressError,
            IdempotencyPersistenceLayerError,
            IdempotencyValidationError,
        )

        lambda_context = getattr(app, "lambda_context", None)
        try:
            response = runner().run(idempotency_key, body, lambda_context, deadline_s=deadline_s)
        except IdempotencyValidationError as exc:
            raise UnprocessableError(
                "Idempotency-Key was already used with a different request body: send a new key for a new request",
                field="Idempotency-Key",
            ) from exc
        except IdempotencyAlreadyInProgressError as exc:
            raise IdempotencyConflictError(
                "a request with this Idempotency-Key is still running: retry after it finishes",
                field="Idempotency-Key",
            ) from exc
        except IdempotencyPersistenceLayerError as exc:
            logger.exception("idempotency store failed")
            raise IdempotencyUnavailableError("the idempotency store failed: retry shortly") from exc
        return CompleteResponse.model_validate(response)


def _idempotent_runner_factory(
    complete: Callable[..., dict[str, Any]],
    settings: ExecutionSettings,
    persistence_store: BasePersistenceLayer | None,
) -> Callable[[], IdempotentRunner]:
    """Return a function that builds the idempotent runner on its first call and returns that runner after.

    Powertools Idempotency takes about 2 ms to import on the benchmark machine
    (docs/benchmarks.md), so the first request with an `Idempotency-Key` loads
    it, not the init of every function that mounts this route.
    """
    lock = threading.Lock()
    runners: list[IdempotentRunner] = []

    def runner() -> IdempotentRunner:
        with lock:
            if not runners:
                from api.complete_idempotency import IdempotentRunner, default_persistence_layer

                runners.append(
                    IdempotentRunner(
                        complete,
                        ttl_s=settings.idempotency_ttl_s,
                        persistence_factory=lambda: persistence_store or default_persistence_layer(settings),
                    )
                )
            return runners[0]

    return runner


def add_post_complete(app: APIGatewayRestResolver, context: ApiContext) -> None:
    """Register POST /complete in the `create_app` shape: `(app, context)`.

    One executor serves the process. It is built on the first request from
    the context's router and store, and reused after that, so a store factory
    that returns a new store per call is called only once here.
    """
    lock = threading.Lock()
    executors: list[Executor] = []

    def executor_factory() -> Executor:
        with lock:
            if not executors:
                from providers.executor import Executor

                executors.append(Executor(context.router_factory(), context.store_factory()))
            return executors[0]

    register_complete_route(app, executor_factory, settings=context.execution_settings, metrics=context.metrics)


def _complete(executor: Executor, request: CompleteRequest, deadline_s: float, metrics: MetricsSink) -> dict[str, Any]:
    _check_profile(executor, request.profile)
    try:
        result = executor.execute(
            request.routing_input(),
            system=request.system_text(),
            profile=request.profile,
            max_tokens=request.max_tokens,
            deadline_s=deadline_s,
        )
    except ExecutionFailedError as exc:
        metrics.record("UpstreamTimeouts" if exc.deadline_exceeded else "ExecutionFailures", 1)
        raise _upstream_error(exc) from exc
    except RetiredModelError as exc:
        raise ProviderNotConfiguredError(str(exc), model=exc.model, replacement=exc.replacement) from exc
    except ConfigurationError as exc:
        # The message names server settings, so only the log gets it. It names variables,
        # files and AWS resources but never a key value, and goes in the log text because
        # the local server's log format drops `extra` fields.
        logger.error("model provider not configured: %s", exc)
        raise ProviderNotConfiguredError("the model provider is not configured on this server: see its logs") from exc
    _count_completion(metrics, result)
    return _response(result).model_dump(mode="json")


def _count_completion(metrics: MetricsSink, result: ExecutionResult) -> None:
    metrics.record("Completions", 1, tier=result.decision.selected_tier.value)
    metrics.record("ActualCostUSD", result.actual_cost_usd, NO_UNIT)
    if result.fallback_from_tier is not None:
        metrics.record("Fallbacks", 1)


def _upstream_error(exc: ExecutionFailedError) -> ApiError:
    if exc.deadline_exceeded:
        return UpstreamTimeoutError(
            f"no answer within the time budget; decision {exc.decision_id} is stored as failed: retry later",
            decision_id=exc.decision_id,
            kind=exc.kind.value,
            attempts=exc.attempts,
        )
    return UpstreamError(
        f"the model provider failed ({exc.kind.value}) after {exc.attempts} attempt(s); "
        f"decision {exc.decision_id} is stored as failed",
        decision_id=exc.decision_id,
        kind=exc.kind.value,
        attempts=exc.attempts,
    )


def _check_profile(executor: Executor, profile: str | None) -> None:
    profiles = executor.router.catalog.profiles
    if profile is None or profile in profiles:
        return
    allowed = sorted(profiles)
    raise UnprocessableError(
        f"profile: {profile!r} is not a catalog profile: allowed {', '.join(allowed)}", field="profile", allowed=allowed
    )


def _time_budget(app: APIGatewayRestResolver, settings: ExecutionSettings) -> float:
    budget = settings.complete_deadline_s
    context = getattr(app, "lambda_context", None)
    remaining_ms = getattr(context, "get_remaining_time_in_millis", None)
    if callable(remaining_ms):
        budget = min(budget, remaining_ms() / 1000.0 - LAMBDA_MARGIN_S)
    return max(budget, 0.0)


def _response(result: ExecutionResult) -> CompleteResponse:
    decision = result.decision
    return CompleteResponse(
        answer=result.text,
        decision=DecisionView.from_decision(decision),
        cost=CompletionCost(
            actual_usd=result.actual_cost_usd,
            estimated_usd=decision.estimated_cost_usd,
            baseline_usd=decision.baseline_cost_usd,
            savings_usd=round(decision.baseline_cost_usd - result.actual_cost_usd, 10),
        ),
        usage=result.usage,
        stop_reason=result.stop_reason,
        latency_ms=result.latency_ms,
        attempts=result.attempts,
        fallback_from_tier=result.fallback_from_tier.value if result.fallback_from_tier else None,
        fallback_reason=result.fallback_reason,
        quality=result.quality,
    )
