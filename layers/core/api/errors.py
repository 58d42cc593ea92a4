"""The API's one error shape, its exception handlers and the request body limit.

Every error response is `{"error": {"code": ..., "message": ..., "field": ...}}`
with a stable `code` that clients may branch on, a message that names what to
fix, and the offending field or null. Some codes add keys, such as `limit` or
`errors`, which lists every validation problem when there is more than one.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestUnsupportedContentType, RequestValidationError
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import BaseModel, Field

from api.request_checks import allowed_methods, unsupported_media_type_message
from feedback.exceptions import (
    DecisionNotFoundError,
    InvalidRatingError,
    StoreError,
    VersionConflictError,
    VersionNotFoundError,
)
from router.exceptions import InvalidQueryError

logger = logging.getLogger(__name__)

# Lambda rejects a synchronous invocation whose event exceeds 6 MB (6,291,456
# bytes) before the handler runs, so API Gateway's own 10 MB limit is never the
# one that applies. The event carries the body as a JSON-escaped string beside
# the headers and request context, and 5 MiB leaves 1 MiB for those. A body
# between this limit and Lambda's thus gets this API's 413, and only a larger
# one gets the gateway's unshaped error. The local server applies the same limit.
MAX_BODY_BYTES = 5 * 1024 * 1024


class ErrorDetail(BaseModel):
    """One error: a stable code, a message for people and the field at fault."""

    code: str = Field(description="stable machine-readable code, such as validation_error")
    message: str
    field: str | None = Field(default=None, description="request field at fault, or null")


class ErrorResponse(BaseModel):
    """The body of every error response."""

    error: ErrorDetail


class ApiError(Exception):
    """An error with an HTTP status and a stable code; raised by routes, shaped by `error_response`."""

    status = HTTPStatus.BAD_REQUEST
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra


class InvalidJsonError(ApiError):
    status = HTTPStatus.BAD_REQUEST
    code = "invalid_json"


class PayloadTooLargeError(ApiError):
    status = HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    code = "payload_too_large"


class UnprocessableError(ApiError):
    status = HTTPStatus.UNPROCESSABLE_ENTITY
    code = "validation_error"


class NotFoundError(ApiError):
    status = HTTPStatus.NOT_FOUND
    code = "not_found"


class _NonFiniteNumberError(ValueError):
    """NaN, Infinity or -Infinity in a body; `json` reports no position for them."""


_ERROR_DESCRIPTIONS = {
    400: "invalid_json: the body is not valid JSON",
    404: "not_found: no such decision or route",
    409: "version_conflict: another retrain published first",
    413: f"payload_too_large: the body is larger than {MAX_BODY_BYTES} bytes",
    415: "unsupported_media_type: the body is not sent as application/json",
    422: "validation_error: a field is missing, unknown or invalid",
    503: "store_unavailable: the decision store failed",
}


def api_responses(success: str, *errors: int, status: int = 200) -> dict[int, OpenAPIResponse]:
    """Describe a route's responses for the OpenAPI document: the success and the listed errors.

    The success entry has no content, so Powertools fills in the schema of the
    route's return annotation; naming any response replaces its default 200.
    422 is always listed because every route validates its input, and our entry
    replaces the one Powertools adds, which has another shape.
    """
    content: dict[str, Any] = {content_types.APPLICATION_JSON: {"model": ErrorResponse}}
    described = {status: OpenAPIResponse(description=success)}
    for error in sorted({*errors, 422}):
        described[error] = OpenAPIResponse(description=_ERROR_DESCRIPTIONS[error], content=content)
    return described


def error_response(
    status: int, code: str, message: str, field: str | None = None, **extra: Any
) -> Response[dict[str, Any]]:
    """Build a JSON error response in the API's one error shape."""
    body = {"error": {"code": code, "message": message, "field": field, **extra}}
    return Response(status_code=int(status), content_type=content_types.APPLICATION_JSON, body=body)


def parse_json_body(body: str) -> Any:
    """Parse a request body as JSON, checking its size first; the resolver's body deserializer.

    Raises `PayloadTooLargeError` above `MAX_BODY_BYTES` and `InvalidJsonError`
    for a body that is not strict JSON (NaN and Infinity are rejected).
    Form-encoded and multipart bodies never get here: `JsonApiResolver` rejects them with 415.
    """
    size = len(body.encode("utf-8", errors="surrogatepass"))
    if size > MAX_BODY_BYTES:
        raise PayloadTooLargeError(
            f"request body is {size} bytes, larger than the limit of {MAX_BODY_BYTES} bytes: "
            "send a shorter query or fewer messages",
            limit=MAX_BODY_BYTES,
            size=size,
        )
    try:
        return json.loads(body, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise InvalidJsonError(
            f"request body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from exc
    except _NonFiniteNumberError as exc:
        raise InvalidJsonError(
            f"request body is not valid JSON: {exc} is not a JSON number; send a finite number"
        ) from exc
    except RecursionError as exc:
        raise InvalidJsonError("request body is not valid JSON: nested too deeply") from exc


def _reject_constant(name: str) -> Any:
    raise _NonFiniteNumberError(name)


def field_name(loc: Sequence[Any]) -> str | None:
    """Turn a validation error location into a field path such as `messages[0].content`."""
    parts = list(loc)
    if parts and parts[0] in {"body", "query", "path", "header", "cookie"}:
        parts = parts[1:]
    name = ""
    for part in parts:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else str(part)
    return name or None


# pydantic's messages for a whole body that is absent or not an object name
# Python types ("a valid dictionary"), so the API words them itself.
_BODY_MESSAGES = {
    "missing": "request body is missing: send a JSON object",
    "model_attributes_type": "request body must be a JSON object",
    "model_type": "request body must be a JSON object",
}


def _error_item(error: Mapping[str, Any]) -> dict[str, Any]:
    context = error.get("ctx") or {}
    # pydantic prefixes the message of a ValueError raised in a validator with "Value error, ".
    detail = str(error.get("msg") or error.get("type") or "invalid value").removeprefix("Value error, ")
    field = field_name(error.get("loc", ()))
    if context.get("field"):
        # A model-level check names its field in ctx and writes a whole sentence.
        field, message = context["field"], detail
    elif field is None and error.get("type") in _BODY_MESSAGES:
        message = _BODY_MESSAGES[str(error.get("type"))]
    else:
        message = f"{field or 'request body'}: {detail}"
    item: dict[str, Any] = {"field": field, "type": error.get("type"), "message": message}
    # Limits such as le, max_length or allowed make the message actionable;
    # other context values may be exception objects, which are not JSON.
    for key, value in context.items():
        if key != "field" and isinstance(value, (str, int, float, bool)):
            item[key] = value
    return item


def validation_error_response(errors: Sequence[Mapping[str, Any]]) -> Response[dict[str, Any]]:
    """Reshape Powertools/pydantic validation errors into one 422 naming the first bad field."""
    items = [_error_item(error) for error in errors]
    if not items:
        return error_response(HTTPStatus.UNPROCESSABLE_ENTITY, "validation_error", "request is invalid")
    first = items[0]
    extra = {key: value for key, value in first.items() if key not in {"field", "message"}}
    if len(items) > 1:
        extra["errors"] = items
    return error_response(
        HTTPStatus.UNPROCESSABLE_ENTITY, UnprocessableError.code, first["message"], first["field"], **extra
    )


def register_error_handlers(app: APIGatewayRestResolver, route_keys: Iterable[str] = ()) -> None:
    """Map every error the routes can raise to the API's error shape.

    `route_keys` (such as `GET /decisions`) are the routes that `app` serves; a
    request for one of their paths with another method gets 405 instead of 404.
    """
    _register_no_route(app, tuple(route_keys))

    @app.exception_handler(ApiError)
    def _api_error(exc: ApiError) -> Response:
        return error_response(exc.status, exc.code, exc.message, exc.field, **exc.extra)

    @app.exception_handler(RequestValidationError)
    def _request_validation(exc: RequestValidationError) -> Response:
        return validation_error_response(exc.errors())

    @app.exception_handler(RequestUnsupportedContentType)
    def _unsupported_type(exc: RequestUnsupportedContentType) -> Response:
        media_type = app.current_event.headers.get("content-type")
        return error_response(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            unsupported_media_type_message(media_type.split(";", 1)[0].strip() if media_type else None),
            "content-type",
        )

    @app.exception_handler(UnicodeDecodeError)
    def _not_utf8(exc: UnicodeDecodeError) -> Response:
        return error_response(HTTPStatus.BAD_REQUEST, InvalidJsonError.code, "request body is not UTF-8 text")

    @app.exception_handler([InvalidQueryError, InvalidRatingError])
    def _invalid_input(exc: InvalidQueryError | InvalidRatingError) -> Response:
        return error_response(HTTPStatus.UNPROCESSABLE_ENTITY, UnprocessableError.code, str(exc), exc.field)

    # The exceptions' own messages carry hints for the CLI or for sending feedback,
    # which mislead on a GET, so the API words its own. POST /feedback raises
    # NotFoundError with its hint instead.
    @app.exception_handler(DecisionNotFoundError)
    def _decision_not_found(exc: DecisionNotFoundError) -> Response:
        return error_response(
            HTTPStatus.NOT_FOUND, NotFoundError.code, f"decision {exc.decision_id!r} not found", exc.field
        )

    @app.exception_handler(VersionNotFoundError)
    def _version_not_found(exc: VersionNotFoundError) -> Response:
        return error_response(
            HTTPStatus.NOT_FOUND, NotFoundError.code, f"routing table version {exc.version} not found", exc.field
        )

    @app.exception_handler(VersionConflictError)
    def _conflict(exc: VersionConflictError) -> Response:
        return error_response(
            HTTPStatus.CONFLICT, "version_conflict", str(exc), None, expected=exc.expected, actual=exc.actual
        )

    @app.exception_handler(StoreError)
    def _store_unavailable(exc: StoreError) -> Response:
        logger.exception("store failed")
        return error_response(
            HTTPStatus.SERVICE_UNAVAILABLE, "store_unavailable", "the decision store failed: retry shortly"
        )

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response:
        # The traceback goes to the log only: it may name files and values.
        logger.exception("request failed")
        return error_response(HTTPStatus.INTERNAL_SERVER_ERROR, "internal_error", "internal error: see the logs")


def _register_no_route(app: APIGatewayRestResolver, route_keys: tuple[str, ...]) -> None:
    @app.not_found
    def _no_route(exc: Exception) -> Response:
        event = app.current_event
        methods = allowed_methods(route_keys, event.path)
        # The method is among them when a path parameter contains characters that the
        # route's pattern rejects, such as "#": no resource has such an id.
        if methods and event.http_method not in methods:
            response = error_response(
                HTTPStatus.METHOD_NOT_ALLOWED,
                "method_not_allowed",
                f"{event.http_method} is not allowed on {event.path}: use {' or '.join(methods)}",
                allowed=methods,
            )
            response.headers["Allow"] = ", ".join(methods)
            return response
        return error_response(
            HTTPStatus.NOT_FOUND, NotFoundError.code, f"no route for {event.http_method} {event.path}"
        )
