"""POST /complete through a Powertools resolver: answer, cost, time budget, idempotent retries."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from api.complete import add_post_complete, register_complete_route
from api.complete_idempotency import SQLitePersistenceLayer
from api.context import ApiContext
from api.errors import parse_json_body, register_error_handlers
from providers import executor as executor_module
from providers.anthropic_api import AnthropicProvider
from providers.settings import ExecutionSettings
from tests.support.execute import TIER_MODELS, make_executor, make_router, open_store
from tests.support.fake_anthropic import TEST_API_KEY, FakeAnthropicApi, error, message
from tests.support.handlers import load_event

HAIKU = TIER_MODELS[1]


class FakeLambdaContext:
    """The parts of a Lambda context the route reads."""

    function_name = "route-function"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:route-function"
    aws_request_id = "req-1"

    def __init__(self, remaining_ms: int = 30_000) -> None:
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


@pytest.fixture
def store(tmp_path):
    opened = open_store(tmp_path)
    yield opened
    opened.close()


def build_app(executor, persistence=None, deadline_s: float = 20.0) -> APIGatewayRestResolver:
    app = APIGatewayRestResolver(enable_validation=True, json_body_deserializer=parse_json_body)
    register_error_handlers(app)
    register_complete_route(
        app,
        lambda: executor,
        settings=ExecutionSettings(complete_deadline_s=deadline_s),
        persistence_store=persistence or SQLitePersistenceLayer(":memory:"),
    )
    return app


def complete_event(body: Any, headers: dict[str, str] | None = None) -> dict[str, Any]:
    event = load_event("route_post")
    event["path"] = event["resource"] = "/complete"
    event["requestContext"]["resourcePath"] = "/complete"
    event["body"] = json.dumps(body)
    for name, value in (headers or {}).items():
        event["headers"][name] = value
        event["multiValueHeaders"][name] = [value]
    return event


def call(app, body: Any, headers: dict[str, str] | None = None, context=None) -> tuple[int, dict[str, Any]]:
    response = app.resolve(complete_event(body, headers), context or FakeLambdaContext())
    return response["statusCode"], json.loads(response["body"])


def test_complete_returns_answer_decision_and_cost(store):
    api = FakeAnthropicApi().queue(HAIKU, message("Paris.", input_tokens=40, output_tokens=3))
    executor, _ = make_executor(store, api, tier=1)
    status, body = call(build_app(executor), {"query": "Capital of France?"})
    assert status == 200
    assert body["answer"] == "Paris."
    assert body["decision"]["selected_model"] == HAIKU
    assert body["decision"]["status"] == "completed"
    assert body["cost"]["actual_usd"] == body["decision"]["actual_cost_usd"]
    assert body["cost"]["baseline_usd"] > body["cost"]["actual_usd"]
    assert body["usage"]["input_tokens"] == 40
    assert body["idempotent_replay"] is False


def test_complete_passes_max_tokens(store):
    api = FakeAnthropicApi()
    executor, _ = make_executor(store, api, tier=1)
    status, _ = call(build_app(executor), {"query": "Capital of France?", "max_tokens": 64})
    assert status == 200
    assert api.requests[0].body["max_tokens"] == 64


def test_complete_rejects_blank_query(store):
    api = FakeAnthropicApi()
    executor, _ = make_executor(store, api, tier=1)
    status, body = call(build_app(executor), {"query": "  "})
    assert status == 422
    assert body["error"]["field"] == "query"
    assert api.requests == []


@pytest.mark.parametrize("max_tokens", ["5", True, 5.0])
def test_complete_max_tokens_must_be_integer(store, max_tokens):
    api = FakeAnthropicApi()
    executor, _ = make_executor(store, api, tier=1)
    status, body = call(build_app(executor), {"query": "Capital of France?", "max_tokens": max_tokens})
    assert status == 422
    assert body["error"]["field"] == "max_tokens"
    assert api.requests == []


@pytest.mark.parametrize("key", ["", "   "])
def test_complete_blank_idempotency_key_rejected(store, key):
    api = FakeAnthropicApi()
    executor, _ = make_executor(store, api, tier=1)
    status, body = call(build_app(executor), {"query": "Capital of France?"}, {"Idempotency-Key": key})
    assert status == 422
    assert body["error"]["field"].lower() == "idempotency-key"
    assert api.requests == []


def test_complete_same_key_creates_one_cost(store):
    api = FakeAnthropicApi()
    executor, _ = make_executor(store, api, tier=1)
    app = build_app(executor)
    headers = {"Idempotency-Key": "order-1234"}
    first_status, first = call(app, {"query": "Capital of France?"}, headers)
    second_status, second = call(app, {"query": "Capital of France?"}, headers)

    decision_id = first["decision"]["decision_id"]
    assert first_status == second_status == 200
    assert second["decision"]["decision_id"] == decision_id
    assert second["idempotent_replay"] is True
    assert len(api.requests) == 1
    assert len(store.recent_decisions()) == 1
    assert len(store.get_feedback(decision_id)) == 1


def test_complete_same_key_other_body_is_rejected(store):
    api = FakeAnthropicApi()
    executor, _ = make_executor(store, api, tier=1)
    app = build_app(executor)
    headers = {"Idempotency-Key": "order-1234"}
    call(app, {"query": "Capital of France?"}, headers)
    status, body = call(app, {"query": "Capital of Spain?"}, headers)
    assert status == 422
    assert body["error"]["field"] == "Idempotency-Key"
    assert len(api.requests) == 1


def test_complete_without_key_calls_each_time(store):
    api = FakeAnthropicApi()
    executor, _ = make_executor(store, api, tier=1)
    app = build_app(executor)
    call(app, {"query": "Capital of France?"})
    call(app, {"query": "Capital of France?"})
    assert len(api.requests) == 2


def test_complete_out_of_time_is_504_with_decision(store):
    api = FakeAnthropicApi().queue(None, *[error(529, "overloaded_error", headers={"retry-after": "5"})] * 4)
    executor, _ = make_executor(store, api, tier=1)
    # 8.5 s left in the invocation: 7 s of budget after the margin, so no retry fits after a 5 s wait.
    status, body = call(build_app(executor), {"query": "Capital of France?"}, context=FakeLambdaContext(8_500))
    assert status == 504
    assert body["error"]["code"] == "upstream_timeout"
    assert store.get_decision(body["error"]["decision_id"]).status == "failed"


def test_complete_budget_follows_lambda_time(store):
    api = FakeAnthropicApi()
    executor, _ = make_executor(store, api, tier=1)
    call(build_app(executor, deadline_s=27.0), {"query": "Capital of France?"}, context=FakeLambdaContext(12_000))
    assert api.requests[0].timeout["read"] == pytest.approx(10.5)


def test_complete_provider_failure_is_502(store):
    api = FakeAnthropicApi().queue(None, error(400, "invalid_request_error", "prompt is too long"))
    executor, _ = make_executor(store, api, tier=1)
    status, body = call(build_app(executor), {"query": "Capital of France?"})
    assert status == 502
    assert body["error"]["code"] == "upstream_error"
    assert body["error"]["kind"] == "bad_request"


def test_complete_failure_with_key_allows_retry(store):
    api = FakeAnthropicApi().queue(None, error(400, "invalid_request_error", "prompt is too long"))
    executor, _ = make_executor(store, api, tier=1)
    app = build_app(executor)
    headers = {"Idempotency-Key": "retry-me"}
    first_status, _ = call(app, {"query": "Capital of France?"}, headers)
    second_status, second = call(app, {"query": "Capital of France?"}, headers)
    assert first_status == 502
    assert second_status == 200
    assert second["idempotent_replay"] is False


def test_complete_retired_model_is_503(store):
    api = FakeAnthropicApi()
    executor, _ = make_executor(store, api, tier=2, profile="original")
    status, body = call(build_app(executor), {"query": "Explain the trade-offs."})
    assert status == 503
    assert body["error"]["code"] == "provider_not_configured"
    assert body["error"]["replacement"] is not None
    assert api.requests == []


def test_complete_unknown_profile_is_422(store):
    api = FakeAnthropicApi()
    executor, _ = make_executor(store, api, tier=1)
    status, body = call(build_app(executor), {"query": "Capital of France?", "profile": "nope"})
    assert status == 422
    assert body["error"]["field"] == "profile"


def test_sqlite_layer_keeps_records_across_instances(store, tmp_path):
    api = FakeAnthropicApi()
    executor, _ = make_executor(store, api, tier=1)
    path = tmp_path / "idempotency.db"
    headers = {"Idempotency-Key": "restart-safe"}
    call(build_app(executor, SQLitePersistenceLayer(path)), {"query": "Capital of France?"}, headers)
    status, body = call(build_app(executor, SQLitePersistenceLayer(path)), {"query": "Capital of France?"}, headers)
    assert status == 200
    assert body["idempotent_replay"] is True
    assert len(api.requests) == 1


class RecordingMetrics:
    def __init__(self) -> None:
        self.records: list[tuple[str, float, int | None]] = []

    def record(self, name: str, value: float, unit: str = "Count", *, tier: int | None = None) -> None:
        self.records.append((name, value, tier))


def test_complete_counts_metrics(store):
    api = FakeAnthropicApi()
    executor, _ = make_executor(store, api, tier=1)
    metrics = RecordingMetrics()
    app = APIGatewayRestResolver(enable_validation=True, json_body_deserializer=parse_json_body)
    register_error_handlers(app)
    register_complete_route(
        app,
        lambda: executor,
        settings=ExecutionSettings(),
        persistence_store=SQLitePersistenceLayer(":memory:"),
        metrics=metrics,
    )
    call(app, {"query": "Capital of France?"})
    names = [name for name, _, _ in metrics.records]
    assert ("Completions", 1, 1) in metrics.records
    assert "ActualCostUSD" in names


def test_idempotency_store_opened_on_first_key(store, tmp_path):
    api = FakeAnthropicApi()
    executor, _ = make_executor(store, api, tier=1)
    path = tmp_path / "keys" / "idempotency.db"
    app = APIGatewayRestResolver(enable_validation=True, json_body_deserializer=parse_json_body)
    register_error_handlers(app)
    register_complete_route(app, lambda: executor, settings=ExecutionSettings(idempotency_db_path=path))
    created_at_registration = path.exists()
    call(app, {"query": "Capital of France?"})
    created_without_key = path.exists()
    call(app, {"query": "Capital of France?"}, {"Idempotency-Key": "k-1"})
    assert created_at_registration is False
    assert created_without_key is False
    assert path.exists()


def test_openapi_documents_key_header(store):
    api = FakeAnthropicApi()
    executor, _ = make_executor(store, api, tier=1)
    document = json.loads(build_app(executor).get_openapi_json_schema())
    operation = document["paths"]["/complete"]["post"]
    assert [parameter["name"] for parameter in operation["parameters"]] == ["idempotency-key"]
    assert {"409", "502", "503", "504"} <= set(operation["responses"])


def test_add_post_complete_builds_one_executor(store, monkeypatch):
    api = FakeAnthropicApi()
    monkeypatch.setattr(
        executor_module,
        "default_provider_factory",
        lambda: lambda name: AnthropicProvider(api_key=TEST_API_KEY, http_client=api.client()),
    )
    router_calls: list[int] = []

    def router_factory():
        router_calls.append(1)
        return make_router(1)

    app = APIGatewayRestResolver(enable_validation=True, json_body_deserializer=parse_json_body)
    register_error_handlers(app)
    add_post_complete(app, ApiContext(store_factory=lambda: store, router_factory=router_factory))
    first_status, _ = call(app, {"query": "Capital of France?"})
    second_status, _ = call(app, {"query": "Capital of Spain?"})
    assert first_status == second_status == 200
    assert len(router_calls) == 1
    assert len(api.requests) == 2
