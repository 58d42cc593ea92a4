"""FeedbackFunction: POST /feedback.

The store is built at import, once per execution environment, so warm
invocations reuse its DynamoDB client.
"""

from __future__ import annotations

from typing import Any

from api.cold_start import paused_garbage_collector

# Init runs with the collector paused and freezes what it built (see api.cold_start).
with paused_garbage_collector():
    from aws_lambda_powertools import Logger, Metrics
    from aws_lambda_powertools.logging import correlation_paths
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from api.app import FEEDBACK_FUNCTION_ROUTES, create_app
    from api.lambda_runtime import configure_library_logging, no_router
    from api.telemetry import PowertoolsMetrics
    from api.tracing import create_tracer
    from feedback.store import FeedbackStore
    from router.settings import Settings

    logger = Logger()
    metrics = Metrics()
    tracer = create_tracer()

    settings = Settings.from_env()
    store = FeedbackStore(settings=settings)
    app = create_app(
        store_factory=lambda: store,
        router_factory=no_router,
        routes=FEEDBACK_FUNCTION_ROUTES,
        metrics=PowertoolsMetrics(metrics),
    )
    configure_library_logging(logger)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
