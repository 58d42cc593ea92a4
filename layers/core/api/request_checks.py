"""Request checks that Powertools leaves to the application.

They are JSON-only bodies (415), allowed methods (405) and known query
parameters (422).

Powertools' request validation parses form-encoded and multipart bodies
itself (aws-lambda-powertools 3.37), so `curl -d 'query=hi'` would get a 422
about field types, and a multipart body without a boundary a 500.
`JsonApiResolver` rejects both media types before any route runs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.utilities.typing import LambdaContext

FORM_MEDIA_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
# Methods whose requests have no body, so their Content-Type header is ignored.
BODYLESS_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_PATH_PARAMETER = re.compile(r"\{[^/{}]+\}")


def unsupported_media_type_message(media_type: str | None) -> str:
    """Return the 415 message, naming the media type received and the one expected."""
    received = f"Content-Type {media_type} is not supported" if media_type else "the Content-Type is not supported"
    return f"{received}: send the body as JSON with Content-Type: {content_types.APPLICATION_JSON}"


def allowed_methods(route_keys: Iterable[str], path: str) -> list[str]:
    """Return the methods of the routes (keys such as `GET /decisions/{decision_id}`) whose path matches `path`."""
    methods = set()
    for key in route_keys:
        method, template = key.split(" ", 1)
        pattern = "[^/]+".join(re.escape(part) for part in _PATH_PARAMETER.split(template))
        if re.fullmatch(pattern, path):
            methods.add(method)
    return sorted(methods)


class JsonApiResolver(APIGatewayRestResolver):
    """A REST resolver that rejects a form-encoded or multipart request body with 415 before routing it."""

    def resolve(self, event: Mapping[str, Any], context: LambdaContext) -> dict[str, Any]:
        media_type = _form_media_type(event)
        if media_type is None:
            return super().resolve(event, context)
        body = {
            "error": {
                "code": "unsupported_media_type",
                "message": unsupported_media_type_message(media_type),
                "field": "content-type",
            }
        }
        return {
            "statusCode": int(HTTPStatus.UNSUPPORTED_MEDIA_TYPE),
            "multiValueHeaders": {"Content-Type": [content_types.APPLICATION_JSON]},
            "body": json.dumps(body, separators=(",", ":")),
            "isBase64Encoded": False,
        }


def _form_media_type(event: Mapping[str, Any]) -> str | None:
    if str(event.get("httpMethod") or "").upper() in BODYLESS_METHODS:
        return None
    headers = event.get("headers") or {}
    value = next((str(value) for name, value in headers.items() if name.lower() == "content-type"), "")
    media_type = value.split(";", 1)[0].strip().lower()
    return media_type if media_type in FORM_MEDIA_TYPES else None


def reject_unknown_query_parameters(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response:
    """Return 422 for a query parameter that the matched route does not declare, naming it and the allowed ones.

    Powertools ignores undeclared parameters, so `GET /decisions?tier=3` would
    silently return every tier. Routes that Powertools itself adds, such as
    Swagger UI, are left alone.
    """
    route = app.context.get("_route")
    func = getattr(route, "func", None)
    if route is None or not str(getattr(func, "__module__", "")).startswith("api."):
        return next_middleware(app)
    received = app.current_event.query_string_parameters or {}
    allowed = sorted(field.alias for field in route.dependant.query_params)
    unknown = sorted(set(received) - set(allowed))
    if not unknown:
        return next_middleware(app)
    takes = f"allowed: {', '.join(allowed)}" if allowed else "this route takes no query parameters"
    body = {
        "error": {
            "code": "validation_error",
            "message": f"query parameter {unknown[0]!r} is unknown: {takes}",
            "field": unknown[0],
        }
    }
    return Response(
        status_code=int(HTTPStatus.UNPROCESSABLE_ENTITY), content_type=content_types.APPLICATION_JSON, body=body
    )
