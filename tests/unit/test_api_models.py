"""Request models of the HTTP API, and how their errors are reshaped into the API's error shape."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from api.complete_models import CompleteRequest
from api.errors import (
    MAX_BODY_BYTES,
    InvalidJsonError,
    PayloadTooLargeError,
    field_name,
    parse_json_body,
    validation_error_response,
)
from api.models import FeedbackRequest, RetrainRequest, RouteRequest


def errors_of(model: type, data: dict[str, Any]) -> list[dict[str, Any]]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return caught.value.errors()


def shaped(model: type, data: dict[str, Any]) -> dict[str, Any]:
    """Return the API error body that Powertools would produce for `data`."""
    errors = [{**error, "loc": ("body", *error["loc"])} for error in errors_of(model, data)]
    response = validation_error_response(errors)
    assert response.status_code == 422
    return response.body["error"]


# RouteRequest


def test_route_request_query() -> None:
    request = RouteRequest.model_validate({"query": "What is 2 + 2?"})
    assert request.routing_input() == "What is 2 + 2?"
    assert request.system_text() is None


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"query": ""}, "query", "whitespace"),
        ({"query": "  \n\t"}, "query", "whitespace"),
        ({"query": "\u200b\u200b"}, "query", "invisible characters only"),
        ({"query": "\u0000"}, "query", "invisible characters only"),
        ({"query": "hi \ud800"}, "query", "unpaired surrogate U+D800"),
        ({}, "query", "send query"),
        ({"query": None}, "query", "send query"),
        ({"query": "hi", "messages": [{"role": "user", "content": "hi"}]}, "messages", "not both"),
        ({"messages": []}, "messages", "at least 1"),
        ({"query": 42}, "query", "string"),
        ({"messages": [{"content": "no role"}]}, "messages[0].role", "required"),
        ({"messages": [{"role": "user", "content": [{"text": "no type"}]}]}, "messages[0].content", ""),
        ({"query": "hi", "profile": ""}, "profile", "at least 1"),
    ],
)
def test_route_request_invalid(data: dict[str, Any], field: str, words: str) -> None:
    error = shaped(RouteRequest, data)
    assert error["code"] == "validation_error"
    assert error["field"] is not None
    assert error["field"].startswith(field)
    assert words in error["message"]


def test_route_request_chat_parts() -> None:
    image = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AAAA"}}
    request = RouteRequest.model_validate(
        {"messages": [{"role": "user", "content": [image, {"type": "text", "text": "Describe it"}]}]}
    )
    routed = request.routing_input()
    assert isinstance(routed, list)
    parts = routed[0]["content"]
    assert parts[0]["type"] == "image"
    assert parts[0]["source"]["media_type"] == "image/png"
    assert parts[1] == {"type": "text", "text": "Describe it"}


def test_route_request_system_parts() -> None:
    request = RouteRequest.model_validate(
        {
            "query": "hi",
            "system": [{"type": "text", "text": "Be brief."}, {"type": "image"}, {"type": "text", "text": "Be kind."}],
        }
    )
    assert request.system_text() == "Be brief.\nBe kind."


# Unknown fields: every request body rejects them and names the allowed ones.


@pytest.mark.parametrize(
    ("model", "data", "field", "allowed"),
    [
        (RetrainRequest, {"rollback": 99}, "rollback", "dry_run"),
        (RouteRequest, {"query": "hi", "max_tokens": 100}, "max_tokens", "query, messages, system, profile"),
        (FeedbackRequest, {"decision_id": "abc", "thumbs": "up"}, "thumbs", "decision_id, rating, response"),
        (CompleteRequest, {"query": "hi", "temperature": 0.5}, "temperature", "profile, max_tokens"),
    ],
)
def test_request_unknown_field_rejected(model: type, data: dict[str, Any], field: str, allowed: str) -> None:
    error = shaped(model, data)
    assert error["field"] == field
    assert error["type"] == "extra_forbidden"
    assert error["message"].startswith(f"{field}: unknown field; allowed: ")
    assert allowed in error["allowed"]


def test_request_unknown_fields_all_named() -> None:
    error = shaped(RouteRequest, {"query": "hi", "model": "gpt-4o", "temperature": 0.5})
    assert error["field"] == "model"
    assert error["message"].startswith("model, temperature: unknown fields;")


def test_request_unknown_fields_counted_beyond_five() -> None:
    data = {"query": "hi", **{f"extra{index}": 1 for index in range(8)}}
    error = shaped(RouteRequest, data)
    assert "extra4 and 3 more: unknown fields" in error["message"]
    assert "extra5" not in error["message"]


def test_message_extra_fields_kept() -> None:
    # Chat messages and parts follow the providers' shapes, which carry more keys than the router reads.
    request = RouteRequest.model_validate({"messages": [{"role": "user", "content": "hi", "name": "ann"}]})
    routed = request.routing_input()
    assert isinstance(routed, list)
    assert routed[0]["name"] == "ann"


def test_request_schema_forbids_extra() -> None:
    assert RouteRequest.model_json_schema()["additionalProperties"] is False


# Text or content parts: one error at the field, never one per union member.


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"query": "hi", "system": 123}, "system"),
        ({"query": "hi", "system": {"text": "Be brief."}}, "system"),
        ({"messages": [{"role": "user", "content": 123}]}, "messages[0].content"),
    ],
)
def test_text_or_parts_wrong_type(data: dict[str, Any], field: str) -> None:
    error = shaped(RouteRequest, data)
    assert error["field"] == field
    assert error["message"] == f"{field}: must be a string or a list of text parts"
    assert "errors" not in error


def test_text_or_parts_bad_part_located() -> None:
    error = shaped(RouteRequest, {"messages": [{"role": "user", "content": [{"text": "no type"}]}]})
    assert error["field"] == "messages[0].content[0].type"
    assert "errors" not in error


# FeedbackRequest


@pytest.mark.parametrize("rating", [1, 3, 5, 4.5, "up", "down"])
def test_feedback_request_rating_valid(rating: float | str) -> None:
    request = FeedbackRequest.model_validate({"decision_id": "abc", "rating": rating})
    assert request.rating == rating
    assert request.source == "api"


@pytest.mark.parametrize("rating", [0, 6, -1, 5.01, "sideways", "", [], {"stars": 5}, True])
def test_feedback_request_rating_invalid(rating: object) -> None:
    error = shaped(FeedbackRequest, {"decision_id": "abc", "rating": rating})
    assert error["field"] == "rating"
    assert error["type"] == "rating_invalid"
    assert "1 to 5" in error["message"]
    assert error["min"] == 1
    assert error["max"] == 5


def test_feedback_request_rating_nan() -> None:
    error = shaped(FeedbackRequest, {"decision_id": "abc", "rating": float("nan")})
    assert error["field"] == "rating"


def test_feedback_request_needs_rating_or_response() -> None:
    error = shaped(FeedbackRequest, {"decision_id": "abc"})
    assert error["field"] == "rating"
    assert "rating, a response or both" in error["message"]


def test_feedback_request_response_only() -> None:
    request = FeedbackRequest.model_validate({"decision_id": "abc", "response": "Paris.", "stop_reason": "end_turn"})
    assert request.rating is None
    assert request.response == "Paris."


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"rating": 5}, "decision_id"),
        ({"decision_id": "", "rating": 5}, "decision_id"),
        ({"decision_id": "x" * 129, "rating": 5}, "decision_id"),
        ({"decision_id": "abc", "rating": 5, "source": "   "}, "source"),
        ({"decision_id": "abc", "rating": 5, "source": "s" * 65}, "source"),
    ],
)
def test_feedback_request_invalid_fields(data: dict[str, Any], field: str) -> None:
    error = shaped(FeedbackRequest, data)
    assert error["field"] == field


def test_feedback_request_limit_in_error() -> None:
    error = shaped(FeedbackRequest, {"decision_id": "x" * 129, "rating": 5})
    assert error["max_length"] == 128


def test_retrain_request_default() -> None:
    assert RetrainRequest.model_validate({}).dry_run is False


# Error shape helpers


@pytest.mark.parametrize(
    ("loc", "expected"),
    [
        (("body", "query"), "query"),
        (("body", "messages", 0, "content", 1, "text"), "messages[0].content[1].text"),
        (("query", "limit"), "limit"),
        (("path", "decision_id"), "decision_id"),
        (("body",), None),
        ((), None),
    ],
)
def test_field_name(loc: tuple, expected: str | None) -> None:
    assert field_name(loc) == expected


def test_validation_errors_listed_when_several() -> None:
    error = shaped(FeedbackRequest, {"rating": 9})
    assert error["field"] == "decision_id"
    fields = [item["field"] for item in error["errors"]]
    assert fields == ["decision_id", "rating"]


def test_validation_error_context_is_json() -> None:
    error = shaped(RouteRequest, {"query": "  "})
    json.dumps(error)


@pytest.mark.parametrize(
    ("error_type", "message"),
    [
        ("missing", "request body is missing: send a JSON object"),
        ("model_attributes_type", "request body must be a JSON object"),
    ],
)
def test_validation_error_whole_body(error_type: str, message: str) -> None:
    error = validation_error_response([{"type": error_type, "loc": ("body",), "msg": "Field required"}]).body["error"]
    assert error["field"] is None
    assert error["message"] == message


def test_route_request_empty_names_both() -> None:
    error = shaped(RouteRequest, {})
    assert "query or messages is required" in error["message"]


def test_parse_json_body_valid() -> None:
    assert parse_json_body('{"query": "hi"}') == {"query": "hi"}


@pytest.mark.parametrize("body", ['{"query": ', "{'query': 'hi'}", '{"rating": NaN}', '{"x": Infinity}', "[" * 100_000])
def test_parse_json_body_invalid(body: str) -> None:
    with pytest.raises(InvalidJsonError) as caught:
        parse_json_body(body)
    assert "not valid JSON" in caught.value.message


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_parse_json_body_constant_named(constant: str) -> None:
    with pytest.raises(InvalidJsonError) as caught:
        parse_json_body('{"query": "hi", "rating": ' + constant + "}")
    assert f"{constant} is not a JSON number" in caught.value.message
    # The json module gives no position for these, so none is made up.
    assert "line" not in caught.value.message


def test_parse_json_body_too_large() -> None:
    body = json.dumps({"query": "a" * MAX_BODY_BYTES})
    with pytest.raises(PayloadTooLargeError) as caught:
        parse_json_body(body)
    assert caught.value.extra["limit"] == MAX_BODY_BYTES
    assert str(MAX_BODY_BYTES) in caught.value.message


def test_parse_json_body_limit_counts_bytes() -> None:
    # 2-byte UTF-8 characters: under the limit in characters, over it in bytes.
    body = '"' + "é" * (MAX_BODY_BYTES // 2 + 1) + '"'
    with pytest.raises(PayloadTooLargeError):
        parse_json_body(body)


def test_parse_json_body_at_limit() -> None:
    body = '"' + "a" * (MAX_BODY_BYTES - 2) + '"'
    assert len(parse_json_body(body)) == MAX_BODY_BYTES - 2
