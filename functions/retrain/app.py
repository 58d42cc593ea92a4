"""RetrainFunction: the EventBridge schedule and POST /retrain.

A scheduled event runs a real (not dry) retrain and returns its result as a
dict. A VersionConflictError is re-raised there, so Lambda's retries of the
asynchronous invocation run again on top of the version that won.
"""

from __future__ import annotations

from typing import Any

from api.cold_start import paused_garbage_collector

# Init runs with the collector paused and freezes what it built (see api.cold_start).
with paused_garbage_collector():
    from aws_lambda_powertools import Logger, Metrics
    from aws_lambda_powertools.logging import correlation_paths
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from api.app import RETRAIN_FUNCTION_ROUTES, create_app
    from api.lambda_runtime import configure_library_logging, no_router
    from api.routes.retrain import run_retrain
    from api.telemetry import PowertoolsMetrics
    from api.tracing import create_tracer
    from feedback.exceptions import VersionConflictError
    from feedback.store import FeedbackStore
    from router.settings import Settings

    SCHEDULED_EVENT = "Scheduled Event"

    logger = Logger()
    metrics = Metrics()
    tracer = create_tracer()
    sink = PowertoolsMetrics(metrics)

    settings = Settings.from_env()
    store = FeedbackStore(settings=settings)
    app = create_app(
        store_factory=lambda: store,
        router_factory=no_router,
        routes=RETRAIN_FUNCTION_ROUTES,
        metrics=sink,
    )
    configure_library_logging(logger)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if event.get("detail-type") == SCHEDULED_EVENT:
        return _scheduled_retrain(event)
    return app.resolve(event, context)


def _scheduled_retrain(event: dict[str, Any]) -> dict[str, Any]:
    logger.set_correlation_id(event.get("id"))
    try:
        result = run_retrain(store, sink)
    except VersionConflictError:
        logger.exception("scheduled retrain lost a version race; Lambda retries it")
        raise
    return result.model_dump(mode="json")
