"""POST /retrain, and the retrain run that the scheduled event shares with it."""

from __future__ import annotations

import logging

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from api.context import ApiContext
from api.errors import api_responses
from api.models import RetrainRequest
from api.telemetry import MetricsSink
from feedback.retrainer import Retrainer, RetrainResult
from feedback.store import FeedbackStore

logger = logging.getLogger(__name__)


def run_retrain(store: FeedbackStore, metrics: MetricsSink, *, dry_run: bool = False) -> RetrainResult:
    """Run the retrainer once, log its outcome and count published promotions and demotions.

    Raises `VersionConflictError` when another run published first.
    """
    result = Retrainer(store).run(dry_run=dry_run)
    if result.published_version is not None:
        promoted = sum(1 for change in result.changes if change.action == "promote")
        demoted = sum(1 for change in result.changes if change.action == "demote")
        metrics.record("CellsPromoted", promoted)
        metrics.record("CellsDemoted", demoted)
    logger.info(
        "retrain finished",
        extra={
            "run": result.run,
            "dry_run": result.dry_run,
            "changes": len(result.changes),
            "cells_evaluated": result.cells_evaluated,
            "previous_version": result.previous_version,
            "published_version": result.published_version,
        },
    )
    return result


def add_post_retrain(app: APIGatewayRestResolver, context: ApiContext) -> None:
    # Built here, at the init of a function that serves this route, rather than in its first request.
    RetrainRequest.model_rebuild()

    @app.post(
        "/retrain",
        summary="Run the retrainer now; publishes a new routing-table version when a cell changes",
        tags=["routing table"],
        responses=api_responses("the retrain result", 400, 409, 413, 415, 422, 503),
    )
    def post_retrain(request: RetrainRequest | None = None) -> RetrainResult:
        dry_run = request.dry_run if request is not None else False
        return run_retrain(context.store_factory(), context.metrics, dry_run=dry_run)
