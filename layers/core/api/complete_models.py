"""Request, response and error bodies of POST /complete."""

from __future__ import annotations

from http import HTTPStatus

from aws_lambda_powertools.event_handler import content_types
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import BaseModel, Field, StrictInt

from api.errors import MAX_BODY_BYTES, ApiError, ErrorResponse
from api.models import BUILT_ON_FIRST_USE, DecisionView, RouteRequest
from router.cost import Usage

MAX_OUTPUT_TOKENS = 128_000


class CompleteRequest(RouteRequest):
    """A query or chat to answer, with an optional answer-length limit."""

    model_config = BUILT_ON_FIRST_USE

    max_tokens: StrictInt | None = Field(
        default=None,
        ge=1,
        le=MAX_OUTPUT_TOKENS,
        description="answer length limit in tokens; the server default when absent",
    )


class CompletionCost(BaseModel):
    """What the answer cost, what the router expected, and the same request on Tier 3."""

    model_config = BUILT_ON_FIRST_USE

    actual_usd: float = Field(description="billed tokens at the answering model's catalog prices")
    estimated_usd: float = Field(description="the router's estimate before the call")
    baseline_usd: float = Field(description="the router's estimate for the Tier 3 model")
    savings_usd: float = Field(description="baseline_usd minus actual_usd")


class CompleteResponse(BaseModel):
    """The answer with its decision, cost, token usage and automatic quality score."""

    model_config = BUILT_ON_FIRST_USE

    answer: str
    decision: DecisionView
    cost: CompletionCost
    usage: Usage
    stop_reason: str | None
    latency_ms: float
    attempts: int = Field(description="provider calls made, retries and fallback included")
    fallback_from_tier: int | None = Field(description="the tier that failed when the answer came from one tier up")
    fallback_reason: str | None
    quality: float | None = Field(description="automatic quality score in [0, 1]; null if it was not stored")
    idempotent_replay: bool = Field(default=False, description="true when this is the stored first response")


class UpstreamTimeoutError(ApiError):
    status = HTTPStatus.GATEWAY_TIMEOUT
    code = "upstream_timeout"


class UpstreamError(ApiError):
    status = HTTPStatus.BAD_GATEWAY
    code = "upstream_error"


class ProviderNotConfiguredError(ApiError):
    status = HTTPStatus.SERVICE_UNAVAILABLE
    code = "provider_not_configured"


class IdempotencyConflictError(ApiError):
    status = HTTPStatus.CONFLICT
    code = "request_in_progress"


class IdempotencyUnavailableError(ApiError):
    status = HTTPStatus.SERVICE_UNAVAILABLE
    code = "idempotency_store_unavailable"


def _error_content(description: str) -> OpenAPIResponse:
    return {"description": description, "content": {content_types.APPLICATION_JSON: {"model": ErrorResponse}}}


COMPLETE_ERROR_RESPONSES: dict[int, OpenAPIResponse] = {
    # No content: Powertools fills in the schema of the route's return annotation.
    200: {"description": "the model's answer with its routing decision and cost"},
    400: _error_content("invalid_json: the body is not valid JSON"),
    409: _error_content("request_in_progress: a request with this Idempotency-Key is still running"),
    413: _error_content(f"payload_too_large: the body is larger than {MAX_BODY_BYTES} bytes"),
    415: _error_content("unsupported_media_type: the body is not sent as application/json"),
    422: _error_content(
        "validation_error: a field is unknown or invalid, or the Idempotency-Key was used with another body"
    ),
    502: _error_content("upstream_error: the model provider failed after retries and fallback"),
    503: _error_content("provider_not_configured or idempotency_store_unavailable"),
    504: _error_content("upstream_timeout: no answer within the time budget; the decision id is included"),
}
