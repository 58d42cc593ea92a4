"""POST /route, GET /decisions and GET /decisions/{decision_id}."""

from __future__ import annotations

import logging
from typing import Annotated

from annotated_types import Interval
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from api.context import ApiContext
from api.errors import UnprocessableError, api_responses
from api.models import PLAIN_DIGITS, DecisionList, DecisionView, QueryDateTime, RouteRequest, RouteResponse
from api.telemetry import MILLISECONDS, NO_UNIT, MetricsSink
from feedback.store import MAX_RECENT, FeedbackStore
from router.engine import LLMRouter
from router.models import RoutingDecision

# The bounds come before the validator, so pydantic writes them to the OpenAPI
# document as JSON Schema's minimum and maximum. After it, or given to
# Powertools' Query, they would appear as "ge" and "le", which JSON Schema lacks.
PageSize = Annotated[int, Interval(ge=1, le=MAX_RECENT), PLAIN_DIGITS]

logger = logging.getLogger(__name__)

DEFAULT_PAGE_SIZE = 50


def add_route_query(app: APIGatewayRestResolver, context: ApiContext) -> None:
    @app.post(
        "/route",
        summary="Route a query or chat to a tier and model; no model is called",
        tags=["routing"],
        responses=api_responses("the routing decision", 400, 413, 415, 422),
    )
    def route_query(request: RouteRequest) -> RouteResponse:
        router = context.router_factory()
        _check_profile(router, request.profile)
        decision = router.route(request.routing_input(), system=request.system_text(), profile=request.profile)
        logged = _log_decision(context, decision)
        _count_decision(context.metrics, decision)
        logger.info(
            "routed",
            extra={
                "decision_id": decision.decision_id,
                "tier": decision.selected_tier.value,
                "model": decision.selected_model,
                "score": decision.score,
                "domain": decision.domain.value,
                "cell": decision.cell.key,
                "routing_table_version": decision.routing_table_version,
                "logged": logged,
            },
        )
        view = DecisionView.from_decision(decision)
        return RouteResponse(**view.model_dump(), logged=logged)


def _check_profile(router: LLMRouter, profile: str | None) -> None:
    if profile is None or profile in router.catalog.profiles:
        return
    allowed = sorted(router.catalog.profiles)
    raise UnprocessableError(
        f"profile: {profile!r} is not a catalog profile: allowed {', '.join(allowed)}",
        field="profile",
        allowed=allowed,
    )


def _log_decision(context: ApiContext, decision: RoutingDecision) -> bool:
    # The decision is valid without its log entry, so a store outage must not
    # fail routing: the caller still gets its tier and model, marked logged=false.
    try:
        context.store_factory().log_decision(decision)
    except Exception:
        logger.exception("decision not logged", extra={"decision_id": decision.decision_id})
        context.metrics.record("StoreErrors", 1)
        return False
    return True


def _count_decision(metrics: MetricsSink, decision: RoutingDecision) -> None:
    metrics.record("Decisions", 1, tier=decision.selected_tier.value, dimensions={"Domain": decision.domain.value})
    metrics.record("EstimatedCostUSD", decision.estimated_cost_usd, NO_UNIT)
    metrics.record("BaselineCostUSD", decision.baseline_cost_usd, NO_UNIT)
    metrics.record("SavingsUSD", decision.estimated_savings_usd, NO_UNIT)
    metrics.record("ClassifierLatency", decision.classification.latency_ms, MILLISECONDS)


def add_list_decisions(app: APIGatewayRestResolver, context: ApiContext) -> None:
    @app.get(
        "/decisions",
        summary="List recent decisions, newest first",
        tags=["decisions"],
        responses=api_responses("a page of decisions", 422, 503),
    )
    def list_decisions(
        limit: Annotated[PageSize, Query(description="page size")] = DEFAULT_PAGE_SIZE,
        before: Annotated[
            QueryDateTime | None, Query(description="ISO 8601 time; only decisions created earlier (UTC if no zone)")
        ] = None,
    ) -> DecisionList:
        store: FeedbackStore = context.store_factory()
        decisions = store.recent_decisions(limit=limit, before=before)
        next_before = decisions[-1].created_at if len(decisions) == limit else None
        return DecisionList(decisions=[DecisionView.from_decision(d) for d in decisions], next_before=next_before)


def add_get_decision(app: APIGatewayRestResolver, context: ApiContext) -> None:
    @app.get(
        "/decisions/<decision_id>",
        summary="Get one decision",
        tags=["decisions"],
        responses=api_responses("the decision", 404, 503),
    )
    def get_decision(decision_id: Annotated[str, Path(min_length=1, max_length=128)]) -> DecisionView:
        return DecisionView.from_decision(context.store_factory().get_decision(decision_id))
