"""RouteFunction: POST /route, POST /complete, GET /decisions[/{decision_id}], /stats/*, /report and /openapi.json.

The store with its DynamoDB client, the routing-table cache and the router are
built at import, once per execution environment, so warm invocations reuse
them. Building them here rather than in the first request is also faster in
Lambda, which runs an on-demand function's init on a full vCPU and its
handler on the share that the memory size buys (docs/benchmarks.md). Neither
init nor the routes that only route import the Anthropic SDK: POST /complete's
provider imports it when a request first reaches a model.
"""

from __future__ import annotations

from typing import Any

from api.cold_start import paused_garbage_collector

with paused_garbage_collector():
    from aws_lambda_powertools import Logger, Metrics
    from aws_lambda_powertools.logging import correlation_paths
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from api.app import ROUTE_FUNCTION_ROUTES, create_app
    from api.lambda_runtime import configure_library_logging
    from api.table_cache import RoutingTableCache
    from api.telemetry import PowertoolsMetrics
    from api.tracing import create_tracer
    from feedback.store import FeedbackStore
    from router.engine import LLMRouter
    from router.settings import Settings

    logger = Logger()
    metrics = Metrics()
    tracer = create_tracer()

    settings = Settings.from_env()
    store = FeedbackStore(settings=settings)
    table_cache = RoutingTableCache(store, settings.table_cache_ttl_seconds)
    router = LLMRouter(settings=settings, routing_table=table_cache)
    app = create_app(
        store_factory=lambda: store,
        router_factory=lambda: router,
        routes=ROUTE_FUNCTION_ROUTES,
        metrics=PowertoolsMetrics(metrics),
    )
    configure_library_logging(logger)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
