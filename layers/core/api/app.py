"""`create_app`: the HTTP API as a Powertools resolver, with all routes or a chosen subset.

Each Lambda function mounts only the routes it serves, so a function imports
only the modules those routes need (the route function never loads the
retrainer). The local server mounts them all.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types

from api.context import ApiContext
from api.errors import parse_json_body, register_error_handlers
from api.request_checks import JsonApiResolver, reject_unknown_query_parameters
from api.telemetry import MetricsSink, NullMetrics

if TYPE_CHECKING:
    from feedback.store import FeedbackStore
    from providers.settings import ExecutionSettings
    from router.engine import LLMRouter

API_TITLE = "llm-router"
API_VERSION = "1.0.0"
API_DESCRIPTION = (
    "Routes each LLM query to the cheapest Claude tier that handles it well, and learns from feedback. "
    'Every error is {"error": {"code", "message", "field"}}.'
)
OPENAPI_PATH = "/openapi.json"

# A plain dict rather than Powertools' APIKey model: importing the OpenAPI
# models costs about 140 ms of cold start, and only the document needs them.
API_KEY_SCHEME = {"apiKey": {"type": "apiKey", "name": "x-api-key", "in": "header"}}

# Route key -> (module, function that registers the route).
ROUTES: dict[str, tuple[str, str]] = {
    "POST /route": ("api.routes.decisions", "add_route_query"),
    "GET /decisions": ("api.routes.decisions", "add_list_decisions"),
    "GET /decisions/{decision_id}": ("api.routes.decisions", "add_get_decision"),
    "POST /feedback": ("api.routes.feedback", "add_post_feedback"),
    "GET /stats/cost": ("api.routes.stats", "add_cost_stats"),
    "GET /stats/quality": ("api.routes.stats", "add_quality_stats"),
    "GET /report": ("api.routes.report", "add_get_report"),
    "POST /retrain": ("api.routes.retrain", "add_post_retrain"),
    "POST /complete": ("api.complete", "add_post_complete"),
    f"GET {OPENAPI_PATH}": ("api.app", "add_openapi_document"),
}

ROUTE_FUNCTION_ROUTES = frozenset(
    {
        "POST /route",
        "POST /complete",
        "GET /decisions",
        "GET /decisions/{decision_id}",
        "GET /stats/cost",
        "GET /stats/quality",
        "GET /report",
        f"GET {OPENAPI_PATH}",
    }
)
FEEDBACK_FUNCTION_ROUTES = frozenset({"POST /feedback"})
RETRAIN_FUNCTION_ROUTES = frozenset({"POST /retrain"})


def create_app(
    store_factory: Callable[[], FeedbackStore],
    router_factory: Callable[[], LLMRouter],
    *,
    routes: Iterable[str] | None = None,
    metrics: MetricsSink | None = None,
    execution_settings: ExecutionSettings | None = None,
) -> APIGatewayRestResolver:
    """Build the API with the routes named in `routes` (keys of `ROUTES`), or all of them.

    The factories are called on every request that needs them; see `ApiContext`.
    Raises ValueError naming any unknown route key.
    """
    selected = set(ROUTES) if routes is None else set(routes)
    unknown = selected - set(ROUTES)
    if unknown:
        raise ValueError(f"unknown routes {sorted(unknown)}: allowed {sorted(ROUTES)}")

    app = JsonApiResolver(enable_validation=True, json_body_deserializer=parse_json_body)
    app.configure_openapi(
        title=API_TITLE,
        version=API_VERSION,
        description=API_DESCRIPTION,
        security_schemes=API_KEY_SCHEME,  # type: ignore[arg-type]
        security=[{"apiKey": []}],
    )
    app.route_keys = tuple(sorted(selected))
    register_error_handlers(app, selected)
    app.use([reject_unknown_query_parameters])
    context = ApiContext(
        store_factory=store_factory,
        router_factory=router_factory,
        metrics=metrics or NullMetrics(),
        execution_settings=execution_settings,
    )
    for key in sorted(selected):
        module_name, function_name = ROUTES[key]
        register: Callable[[APIGatewayRestResolver, ApiContext], None] = getattr(
            importlib.import_module(module_name), function_name
        )
        register(app, context)
    return app


def _no_dependency() -> Any:
    raise RuntimeError("the OpenAPI-only app has no store or router")


@lru_cache(maxsize=1)
def openapi_document() -> str:
    """Return the OpenAPI JSON of every route, whichever routes the calling function mounts."""
    app = create_app(_no_dependency, _no_dependency)
    return app.get_openapi_json_schema()


def add_openapi_document(app: APIGatewayRestResolver, context: ApiContext) -> None:
    @app.get(OPENAPI_PATH, summary="This API's OpenAPI 3 document", tags=["docs"], include_in_schema=False)
    def get_openapi_document() -> Response[str]:
        return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=openapi_document())
