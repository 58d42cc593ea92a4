"""Request checks that Powertools leaves to the application.

They are JSON-only bodies (415), allowed methods (405) and known query
parameters (422).

Powertools' request validation parses form-encoded and multipart bodies
itself (aws-lambda-powertools 3.37), so `curl -d 'query=hi'` would get a 422
about field types, and a multipart body without a boundary a 500. Other
media types would be parsed as JSON whatever they claim to be.
`JsonApiResolver` therefore accepts a body only as `application/json` in
UTF-8, before any route runs.
"""

from __future__ import annotations

import base64
import binascii
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

JSON_MEDIA_TYPE = "application/json"
UTF8_CHARSETS = frozenset({"utf-8", "utf8"})
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
    # Keys such as `POST /route` of the routes this resolver serves; create_app sets them.
    route_keys: tuple[str, ...] = ()

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
        if event.get("isBase64Encoded") and event.get("body") and not _is_base64(str(event["body"])):
            # Powertools would raise binascii.Error while decoding it, a 500.
            return _proxy_error(
                HTTPStatus.BAD_REQUEST,
                "invalid_body",
                "the body is marked as base64-encoded (isBase64Encoded) but is not valid base64",
                "body",
            )
        method = str(event.get("httpMethod") or "").upper()
        # An unknown path or method gets its 404 or 405 from the resolver, whatever the body.
        if method in allowed_methods(self.route_keys, str(event.get("path") or "")):
            problem = media_type_problem(event)
            if problem is not None:
                return _proxy_error(
                    HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", problem, "content-type"
                )
        return super().resolve(lowered, context)


def _is_base64(body: str) -> bool:
    try:
        base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def _content_type(event: Mapping[str, Any]) -> str | None:
    headers = event.get("headers") or {}
    return next((str(value) for name, value in headers.items() if name.lower() == "content-type"), None)


def media_type_problem(event: Mapping[str, Any]) -> str | None:
    """Return the 415 message for a request whose body is not JSON in UTF-8, or None when it may be parsed.

    A request without a body needs no Content-Type, because a body without
    one could be anything and is never parsed as JSON.
    """
    if str(event.get("httpMethod") or "").upper() in BODYLESS_METHODS:
        return None
    multi = event.get("multiValueHeaders") or {}
    sent = {str(v) for name, values in multi.items() if name.lower() == "content-type" for v in values or []}
    if len(sent) > 1:
        return f"Content-Type is given {len(sent)} times with different values: send it once, as {JSON_MEDIA_TYPE}"
    value = _content_type(event)
    if value is None:
        return unsupported_media_type_message(None) if event.get("body") else None
    media_type, *parameters = value.split(";")
    media_type = media_type.strip().lower()
    if media_type != JSON_MEDIA_TYPE:
        return unsupported_media_type_message(media_type or "(empty)")
    for parameter in parameters:
        name, _, raw = parameter.partition("=")
        charset = raw.strip().strip('"').lower()
        if name.strip().lower() == "charset" and charset not in UTF8_CHARSETS:
            return f"charset {charset or '(empty)'} is not supported: send the JSON body in UTF-8"
    return None


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
