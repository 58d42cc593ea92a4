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
import threading
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

FORM_MEDIA_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
# Methods whose requests have no body, so their Content-Type header is ignored.
BODYLESS_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_PATH_PARAMETER = re.compile(r"\{[^/{}]+\}")


def unsupported_media_type_message(media_type: str | None) -> str:
    """Return the 415 message, naming the media type received and the one expected."""
    received = f"Content-Type {media_type} is not supported" if media_type else "the Content-Type header is missing"
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
    """A REST resolver that rejects a form-encoded or multipart request body with 415 before routing it.

    Powertools keeps the event being resolved in a class attribute,
    `BaseRouter.current_event`, which every resolver in the process shares.
    The local server resolves requests on several threads, each with its own
    resolver, so this class keeps the event per thread instead. Otherwise one
    request's query parameters could be validated as another's. A Lambda
    function resolves one event at a time, so there both behave alike.
    """

    _requests = threading.local()

    @property  # type: ignore[override]
    def current_event(self) -> BaseProxyEvent:
        return self._requests.event

    @current_event.setter
    def current_event(self, value: BaseProxyEvent) -> None:
        self._requests.event = value

    def resolve(self, event: Mapping[str, Any], context: LambdaContext) -> dict[str, Any]:
        lowered = _lowercase_media_type(event)
        self._requests.event = self._to_proxy_event(dict(lowered))
        repeated = _repeated_query_parameter(event)
        if repeated is not None:
            # Checked here because the resolver's validation would otherwise
            # read the repeated value as a list and report a type error.
            name, count = repeated
            return _proxy_error(
                HTTPStatus.UNPROCESSABLE_ENTITY,
                "validation_error",
                f"query parameter {_shorten(name)!r} is given {count} times: give it once",
                _shorten(name),
            )
        rejected, media_type = _rejected_media_type(event)
        if not rejected:
            return super().resolve(lowered, context)
        return _proxy_error(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            unsupported_media_type_message(media_type),
            "content-type",
        )


def _content_type(event: Mapping[str, Any]) -> str | None:
    headers = event.get("headers") or {}
    return next((str(value) for name, value in headers.items() if name.lower() == "content-type"), None)


def _rejected_media_type(event: Mapping[str, Any]) -> tuple[bool, str | None]:
    """Return whether a request body must get 415, and its media type: form-encoded, multipart, or none given."""
    if str(event.get("httpMethod") or "").upper() in BODYLESS_METHODS:
        return False, None
    value = _content_type(event)
    if value is None:
        # A body without a Content-Type may be anything, so it is not parsed as JSON.
        return bool(event.get("body")), None
    media_type = value.split(";", 1)[0].strip().lower()
    return media_type in FORM_MEDIA_TYPES, media_type


def _lowercase_media_type(event: Mapping[str, Any]) -> Mapping[str, Any]:
    """Return `event` with the media type of its Content-Type in lower case, as RFC 9110 compares it."""
    value = _content_type(event)
    if value is None:
        return event
    media_type, separator, parameters = value.partition(";")
    if media_type == media_type.lower():
        return event
    lowered = media_type.strip().lower() + separator + parameters
    changed = dict(event)
    changed["headers"] = {
        name: (lowered if name.lower() == "content-type" else header) for name, header in event["headers"].items()
    }
    multi = event.get("multiValueHeaders") or {}
    if multi:
        changed["multiValueHeaders"] = {
            name: ([lowered] if name.lower() == "content-type" else values) for name, values in multi.items()
        }
    return changed


def reject_unknown_query_parameters(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response:
    """Return 422 for a query parameter that the matched route does not declare, naming the allowed ones.

    Powertools ignores undeclared parameters, so `GET /decisions?tier=3` would
    silently return every tier. Routes that Powertools itself adds, such as
    Swagger UI, are left alone.
    """
    # NOTE: "_route" is the key under which Powertools 3.x stores the matched
    # route in the resolver context. Without it the check lets requests pass.
    route = app.context.get("_route")
    func = getattr(route, "func", None)
    if route is None or not str(getattr(func, "__module__", "")).startswith("api."):
        return next_middleware(app)
    event = app.current_event
    received = event.multi_value_query_string_parameters or {
        name: [value] for name, value in (event.query_string_parameters or {}).items()
    }
    allowed = sorted(field.alias for field in route.dependant.query_params)
    unknown = [name for name in received if name not in allowed]
    if unknown:
        takes = f"allowed: {', '.join(allowed)}" if allowed else "this route takes no query parameters"
        named = ", ".join(repr(_shorten(name)) for name in unknown)
        noun = "query parameter" if len(unknown) == 1 else "query parameters"
        verb = "is" if len(unknown) == 1 else "are"
        return _query_error(f"{noun} {named} {verb} unknown: {takes}", unknown[0])
    return next_middleware(app)


def _shorten(name: str, limit: int = 64) -> str:
    return name if len(name) <= limit else name[:limit] + "..."


def _query_error(message: str, field: str) -> Response:
    body = {"error": {"code": "validation_error", "message": message, "field": _shorten(field)}}
    return Response(
        status_code=int(HTTPStatus.UNPROCESSABLE_ENTITY), content_type=content_types.APPLICATION_JSON, body=body
    )


def _repeated_query_parameter(event: Mapping[str, Any]) -> tuple[str, int] | None:
    multi = event.get("multiValueQueryStringParameters") or {}
    return next(((name, len(values)) for name, values in multi.items() if len(values or []) > 1), None)


def _proxy_error(status: HTTPStatus, code: str, message: str, field: str | None) -> dict[str, Any]:
    body = {"error": {"code": code, "message": message, "field": field}}
    return {
        "statusCode": int(status),
        "multiValueHeaders": {"Content-Type": [content_types.APPLICATION_JSON]},
        "body": json.dumps(body, separators=(",", ":")),
        "isBase64Encoded": False,
    }
