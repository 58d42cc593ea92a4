"""Request and response bodies of the HTTP API; the OpenAPI document is generated from them.

Errors raised inside a model validator carry the field at fault in their
context (`ctx["field"]`), so the API's error shape can name it even when the
check spans several fields.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    TypeAdapter,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from feedback.records import MAX_DECISION_ID_CHARS, MAX_SOURCE_CHARS, normalize_source
from router.models import RoutingDecision
from router.text import text_problem

MIN_STARS = 1
MAX_STARS = 5
# Unknown fields named in one error message; the rest are counted.
MAX_NAMED_UNKNOWN = 5

# Config of the models that POST /route never uses. pydantic builds their
# validator and serializer on first use instead of at import, so the route
# function's init skips that work and the first request of their route pays
# it. A function that mounts such a route can build them in its init with
# `model_rebuild()`, as the feedback and retrain routes do.
BUILT_ON_FIRST_USE = ConfigDict(defer_build=True)


class ContentPart(BaseModel):
    """One part of a message's content; only `text` parts are read, others (images) are skipped."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(min_length=1, description="text, image, image_url, ...")
    text: str | None = None


_CONTENT_PARTS: TypeAdapter[list[ContentPart]] = TypeAdapter(list[ContentPart])


def _check_text_or_parts(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    # Validating the union itself would report one error per member, at
    # locations such as `system.str` and `system.list[ContentPart]`, so each
    # input type is validated against its own member instead.
    if isinstance(value, str):
        return handler(value)
    if isinstance(value, list):
        return _CONTENT_PARTS.validate_python(value)
    raise PydanticCustomError("text_or_parts_type", "must be a string or a list of text parts")


TextOrParts = Annotated[str | list[ContentPart], WrapValidator(_check_text_or_parts)]


class Message(BaseModel):
    """One chat message in the Anthropic or OpenAI shape."""

    model_config = ConfigDict(extra="allow")

    role: str = Field(min_length=1, description="user, assistant, system, ...")
    content: TextOrParts | None = None


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _plain_digits(value: Any) -> Any:
    # pydantic reads "1_0", "+1" and " 1" from a string as 10 and 1.
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        raise ValueError(f"{value!r} is not a whole number written with the digits 0-9 only")
    return value


def _iso_date_text(value: Any) -> Any:
    # pydantic reads a bare number such as "1" as a Unix time.
    if isinstance(value, str) and not _ISO_DATE.match(value):
        raise ValueError(f"{value!r} is not an ISO 8601 date: expected YYYY-MM-DD")
    return value


def _iso_time_text(value: Any) -> Any:
    if isinstance(value, str) and not _ISO_DATE.match(value):
        raise ValueError(f"{value!r} is not an ISO 8601 time: expected YYYY-MM-DD, optionally with a time and zone")
    return value


def _in_utc(value: datetime) -> datetime:
    """Return `value` in UTC, reading a time without a zone as UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError(
            f"{value.isoformat()} is out of range: in UTC it must fall between 0001-01-01 and 9999-12-31"
        ) from None


PLAIN_DIGITS = BeforeValidator(_plain_digits)
QueryInt = Annotated[int, PLAIN_DIGITS]


QueryDate = Annotated[date, BeforeValidator(_iso_date_text)]
QueryDateTime = Annotated[datetime, BeforeValidator(_iso_time_text), AfterValidator(_in_utc)]


class RequestModel(BaseModel):
    """Base of the request bodies: an unknown field is rejected, so a misspelt option is never ignored."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _reject_unknown_fields(cls, data: Any) -> Any:
        # extra="forbid" alone reports "Extra inputs are not permitted" without
        # the allowed names; it still marks the schema additionalProperties: false.
        if not isinstance(data, dict):
            return data
        unknown = [str(name) for name in data if name not in cls.model_fields]
        if not unknown:
            return data
        named = ", ".join(unknown[:MAX_NAMED_UNKNOWN])
        if len(unknown) > MAX_NAMED_UNKNOWN:
            named += f" and {len(unknown) - MAX_NAMED_UNKNOWN} more"
        problem = "unknown field" if len(unknown) == 1 else "unknown fields"
        raise PydanticCustomError(
            "extra_forbidden",
            "{unknown}: " + problem + "; allowed: {allowed}",
            {"field": unknown[0], "unknown": named, "allowed": ", ".join(cls.model_fields)},
        )


class RouteRequest(RequestModel):
    """A query or a chat to route; exactly one of `query` and `messages`."""

    query: str | None = Field(default=None, description="the query text")
    messages: list[Message] | None = Field(default=None, min_length=1, description="a chat; routes on its text")
    system: TextOrParts | None = Field(default=None, description="system prompt sent with the query")
    profile: str | None = Field(
        default=None, min_length=1, max_length=64, description="catalog profile; the server's default when absent"
    )

    @field_validator("query")
    @classmethod
    def _query_not_blank(cls, value: str | None) -> str | None:
        problem = None if value is None else text_problem(value)
        if problem is not None:
            raise PydanticCustomError("blank_string", f"{problem}: send the query text")
        return value

    @model_validator(mode="after")
    def _one_input(self) -> RouteRequest:
        if self.query is None and self.messages is None:
            raise PydanticCustomError(
                "missing",
                "query or messages is required: send query (a string) or messages (a chat)",
                {"field": "query"},
            )
        if self.query is not None and self.messages is not None:
            raise PydanticCustomError(
                "conflicting_fields",
                "query and messages are exclusive: send either query or messages, not both",
                {"field": "messages"},
            )
        return self

    def routing_input(self) -> str | list[dict[str, Any]]:
        """Return the query, or the messages as plain dicts, as `LLMRouter.route` takes them."""
        if self.query is not None:
            return self.query
        return [message.model_dump(exclude_none=True) for message in self.messages or []]

    def system_text(self) -> str | None:
        """Return the system prompt as one string; non-text parts are dropped."""
        if self.system is None or isinstance(self.system, str):
            return self.system
        return "\n".join(part.text for part in self.system if part.text)


def _check_rating(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    # One clear message instead of pydantic's error per union member.
    try:
        return handler(value)
    except ValidationError:
        raise PydanticCustomError(
            "rating_invalid",
            "must be a number from {min} to {max} or 'up'/'down'",
            {"min": MIN_STARS, "max": MAX_STARS, "allowed": "1 to 5, up, down"},
        ) from None


Rating = Annotated[
    # strict: JSON true must not pass as 1 star, the lowest rating.
    Annotated[float, Field(strict=True, ge=MIN_STARS, le=MAX_STARS, allow_inf_nan=False)] | Literal["up", "down"],
    WrapValidator(_check_rating),
]


class FeedbackRequest(RequestModel):
    """A rating and/or the model's response for one decision; at least one of the two."""

    model_config = BUILT_ON_FIRST_USE

    decision_id: str = Field(min_length=1, max_length=MAX_DECISION_ID_CHARS, pattern=r"^\S+$")
    rating: Rating | None = Field(
        default=None, description="1 to 5 stars (fractions allowed), or up/down as a thumbs rating (CLI: --thumbs)"
    )
    response: str | None = Field(default=None, description="the model's response text, scored automatically")
    stop_reason: str | None = Field(default=None, max_length=64, description="the provider's stop reason")
    source: str = Field(
        default="api",
        min_length=1,
        max_length=MAX_SOURCE_CHARS,
        pattern=r"\S",
        description="who sends the feedback; one record per (decision, source)",
    )

    @field_validator("source")
    @classmethod
    def _canonical_source(cls, value: str) -> str:
        # One canonical form, so "API" and "api" with a zero-width space are one source.
        return normalize_source(value)

    @model_validator(mode="after")
    def _rating_or_response(self) -> FeedbackRequest:
        if self.rating is None and self.response is None:
            raise PydanticCustomError(
                "missing", "rating or response is required: send a rating, a response or both", {"field": "rating"}
            )
        return self


class RetrainRequest(RequestModel):
    """Options of one retrain run."""

    model_config = BUILT_ON_FIRST_USE

    # Strict: "no" or "false" as a string would otherwise be coerced, and a
    # string that reads as a dry run could publish a new version.
    dry_run: StrictBool = Field(default=False, description="compute the changes without publishing a new version")


class DecisionView(BaseModel):
    """A routing decision as the API returns it; never contains the prompt."""

    decision_id: str
    created_at: datetime
    selected_tier: int
    selected_model: str
    provider: str
    catalog_profile: str
    estimated_input_tokens: int
    estimated_output_tokens: int
    estimated_cost_usd: float
    baseline_cost_usd: float = Field(description="the same request on Tier 3")
    estimated_savings_usd: float
    reasoning: str
    routing_table_version: int
    cell: str = Field(
        description="domain:bucket or domain/subdomain:bucket ('science/physics:2'), the unit the retrainer learns on"
    )
    domain: str
    score: float = Field(description="complexity score in [0, 1]")
    high_stakes: bool
    explored: bool
    status: str
    actual_cost_usd: float | None = None
    fallback_from_tier: int | None = None

    @classmethod
    def from_decision(cls, decision: RoutingDecision) -> DecisionView:
        return cls(
            decision_id=decision.decision_id,
            created_at=decision.created_at,
            selected_tier=decision.selected_tier.value,
            selected_model=decision.selected_model,
            provider=decision.provider,
            catalog_profile=decision.catalog_profile,
            estimated_input_tokens=decision.estimated_input_tokens,
            estimated_output_tokens=decision.estimated_output_tokens,
            estimated_cost_usd=decision.estimated_cost_usd,
            baseline_cost_usd=decision.baseline_cost_usd,
            estimated_savings_usd=decision.estimated_savings_usd,
            reasoning=decision.reasoning,
            routing_table_version=decision.routing_table_version,
            cell=decision.cell.key,
            domain=decision.domain.value,
            score=decision.score,
            high_stakes=decision.classification.high_stakes,
            explored=decision.explored,
            status=decision.status,
            actual_cost_usd=decision.actual_cost_usd,
            fallback_from_tier=decision.fallback_from_tier.value if decision.fallback_from_tier else None,
        )


class RouteResponse(DecisionView):
    """The decision for a routed query."""

    logged: bool = Field(description="false when the store failed; the decision is still valid")


class DecisionList(BaseModel):
    """A page of decisions, newest first."""

    model_config = BUILT_ON_FIRST_USE

    decisions: list[DecisionView]
    next_before: datetime | None = Field(description="pass as `before` for the next page; null on the last page")
