"""The Lambda functions' HTTP API, run in-process for the local server.

`LocalApi` builds the store, the router and the Prometheus sink once, and mounts
every route of `api.app.create_app` on a Powertools resolver, plus the Swagger
UI at /docs.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any, cast

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.utilities.typing import LambdaContext

from api.app import create_app
from api.table_cache import RoutingTableCache
from feedback.store import FeedbackStore
from providers.settings import ExecutionSettings
from router.engine import LLMRouter
from router.settings import Settings
from server.events import LocalLambdaContext
from server.metrics import PrometheusMetrics

DOCS_PATH = "/docs"


class LocalApi:
    """Every API route over one store, one router and one metrics registry.

    A Powertools resolver keeps the current event on itself while it handles a
    request, so one resolver must not serve two threads at once. Each thread
    that calls `handle` gets its own resolver, and all of them share the store,
    the router and the metrics.
    """

    def __init__(
        self,
        store: FeedbackStore,
        router: LLMRouter,
        metrics: PrometheusMetrics,
        execution_settings: ExecutionSettings | None = None,
        table_cache: RoutingTableCache | None = None,
    ) -> None:
        self.store = store
        self.router = router
        self.metrics = metrics
        self.execution_settings = execution_settings
        self.table_cache = table_cache
        self._local = threading.local()

    @classmethod
    def from_settings(cls, settings: Settings) -> LocalApi:
        """Open the store that `settings` names (the SQLite file by default) and a router following its table.

        The router reads the current routing-table version through the same
        cache as the route function, so a version published by `retrain`
        reaches it within `settings.table_cache_ttl_seconds`. Idempotency
        records of POST /complete go beside the SQLite file of the store,
        unless LLM_ROUTER_IDEMPOTENCY_DB_PATH names another file.
        """
        execution_settings = ExecutionSettings.from_env(store_db_path=settings.db_path)
        store = FeedbackStore(settings=settings)
        table_cache = RoutingTableCache(store, settings.table_cache_ttl_seconds)
        router = LLMRouter(settings=settings, routing_table=table_cache)
        return cls(store, router, PrometheusMetrics(), execution_settings, table_cache)

    def handle(self, event: dict[str, Any]) -> dict[str, Any]:
        """Resolve one API Gateway REST proxy event and return the proxy response."""
        context = LocalLambdaContext(aws_request_id=event["requestContext"].get("requestId") or uuid.uuid4().hex)
        # LocalLambdaContext has the attributes the handlers read, not the whole LambdaContext.
        response = self._resolver().resolve(event, cast(LambdaContext, context))
        if self.table_cache is not None and _may_publish_table(event, response):
            # A table published through this server reaches its routing at once, not after the cache TTL.
            self.table_cache.clear()
        return response

    def close(self) -> None:
        self.store.close()

    def _resolver(self) -> APIGatewayRestResolver:
        resolver = getattr(self._local, "resolver", None)
        if resolver is None:
            resolver = create_app(
                lambda: self.store,
                lambda: self.router,
                metrics=self.metrics,
                execution_settings=self.execution_settings,
            )
            # Powertools 3.x inlines its own copy of the Swagger UI script and
            # styles when no swagger_base_url is given, so /docs needs no CDN.
            resolver.enable_swagger(path=DOCS_PATH)
            self._local.resolver = resolver
        return resolver


def _may_publish_table(event: dict[str, Any], response: dict[str, Any]) -> bool:
    """Return whether `event` was a successful POST /retrain, which may have published a routing table."""
    path = str(event.get("path") or "").rstrip("/")
    return event.get("httpMethod") == "POST" and path == "/retrain" and response.get("statusCode") == 200
