"""The three Lambda handlers, invoked in-process with every events/ file, on SQLite and on moto DynamoDB."""

from __future__ import annotations

import base64
import json
import logging
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import pytest

from api.errors import MAX_BODY_BYTES
from feedback.exceptions import StoreError
from tests.support.aws import STORE_TABLES
from tests.support.handlers import (
    EVENTS_DIR,
    REPO_ROOT,
    FakeLambdaContext,
    load_event,
    load_handler,
    response_json,
    with_body,
)

Invoke = Callable[[str, dict[str, Any]], dict[str, Any]]


@pytest.fixture(params=["sqlite", "dynamodb"])
def store_backend(request: pytest.FixtureRequest, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point the handlers' environment at a fresh SQLite file or at moto tables built from template.yaml."""
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "llm-router")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "LLMRouter")
    monkeypatch.setenv("LLM_ROUTER_EXPLORATION_RATE", "0")
    if request.param == "sqlite":
        monkeypatch.setenv("LLM_ROUTER_STORE", "sqlite")
        monkeypatch.setenv("LLM_ROUTER_DB_PATH", str(tmp_path / "router.db"))
    else:
        tables = request.getfixturevalue("dynamodb_tables")
        monkeypatch.setenv("LLM_ROUTER_STORE", "dynamodb")
        for logical_id, setting in STORE_TABLES.items():
            monkeypatch.setenv(setting.upper(), tables[logical_id])
    return request.param


@pytest.fixture
def handlers(store_backend: str) -> dict[str, ModuleType]:
    return {name: load_handler(name) for name in ("route", "feedback", "retrain")}


@pytest.fixture
def invoke(handlers: dict[str, ModuleType]) -> Invoke:
    def call(function: str, event: dict[str, Any]) -> dict[str, Any]:
        return handlers[function].lambda_handler(event, FakeLambdaContext())

    return call


def route_once(invoke: Invoke) -> dict[str, Any]:
    response = invoke("route", load_event("route_post"))
    assert response["statusCode"] == 200
    return response_json(response)


def decision_count(handlers: dict[str, ModuleType]) -> int:
    return len(handlers["route"].store.recent_decisions(limit=1000))


def store_snapshot(handlers: dict[str, ModuleType]) -> tuple[int, list, list]:
    store = handlers["route"].store
    return decision_count(handlers), store.cell_aggregates(), store.tier_day_aggregates()


@contextmanager
def collected_records(logger_name: str) -> Iterator[list[logging.LogRecord]]:
    """Collect the records of one logger; the Powertools handlers keep the stream of the first test."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    try:
        yield records
    finally:
        logger.removeHandler(handler)


def emitted_metrics(output: str) -> set[str]:
    """Names of the metrics in the EMF records printed to stdout."""
    names = set()
    for line in output.splitlines():
        if '"_aws"' not in line:
            continue
        record = json.loads(line)
        for directive in record["_aws"]["CloudWatchMetrics"]:
            names.update(metric["Name"] for metric in directive["Metrics"])
    return names


# Every event file is used by at least one test.


def test_events_all_used() -> None:
    used = {
        "route_post", "route_chat_parts", "route_invalid_json", "route_blank_query", "decisions_get",
        "decision_get", "stats_cost_get", "stats_quality_get", "report_get", "openapi_get", "feedback_post",
        "feedback_bad_rating", "retrain_post", "retrain_scheduled", "complete_post",
    }  # fmt: skip
    assert {path.stem for path in EVENTS_DIR.glob("*.json")} == used


# POST /route


def test_route_post_event(invoke: Invoke, handlers: dict[str, ModuleType]) -> None:
    response = invoke("route", load_event("route_post"))
    body = response_json(response)
    assert response["statusCode"] == 200
    assert body["selected_tier"] in {1, 2, 3}
    assert body["selected_model"]
    assert body["logged"] is True
    assert body["baseline_cost_usd"] >= body["estimated_cost_usd"]
    assert body["routing_table_version"] == 0
    for field in ("decision_id", "reasoning", "cell", "domain", "score", "high_stakes", "estimated_savings_usd"):
        assert field in body
    assert "prompt" not in body
    assert "merges two sorted lists" not in response["body"]
    assert handlers["route"].store.get_decision(body["decision_id"]).decision_id == body["decision_id"]


def test_complete_post_event_without_key(invoke: Invoke, monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    # No key in the environment, Secrets Manager or .env: the call fails before
    # any request leaves; the log, not the client, learns which setting is missing.
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_SECRET_NAME", "ANTHROPIC_KEY_PARAMETER", "IDEMPOTENCY_TABLE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LLM_ROUTER_IDEMPOTENCY_DB_PATH", str(tmp_path / "idempotency.db"))
    monkeypatch.chdir(tmp_path)
    with collected_records("api.complete") as records:
        response = invoke("route", load_event("complete_post"))
    body = response_json(response)
    assert response["statusCode"] == 503
    assert body["error"]["code"] == "provider_not_configured"
    assert "not configured" in body["error"]["message"]
    assert "ANTHROPIC_API_KEY" not in body["error"]["message"]
    # The reason is in the log text itself, which every log format shows.
    messages = [record.getMessage() for record in records if record.levelno == logging.ERROR]
    assert len(messages) == 1
    assert "ANTHROPIC_API_KEY" in messages[0]


def test_route_metrics_emitted(invoke: Invoke, capsys: pytest.CaptureFixture[str]) -> None:
    route_once(invoke)
    names = emitted_metrics(capsys.readouterr().out)
    assert {"Decisions", "EstimatedCostUSD", "BaselineCostUSD", "SavingsUSD", "ClassifierLatency"} <= names


def test_route_decisions_metric_has_tier(invoke: Invoke, capsys: pytest.CaptureFixture[str]) -> None:
    body = route_once(invoke)
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"Decisions"' in line]
    assert len(records) == 1
    assert records[0]["Tier"] == str(body["selected_tier"])
    dimensions = records[0]["_aws"]["CloudWatchMetrics"][0]["Dimensions"]
    assert [sorted(names) for names in dimensions] == [["Tier", "service"]]


def test_route_logs_decision_fields(invoke: Invoke) -> None:
    with collected_records("api.routes.decisions") as records:
        body = route_once(invoke)
    routed = [record for record in records if record.getMessage() == "routed"]
    assert len(routed) == 1
    fields = vars(routed[0])
    assert fields["decision_id"] == body["decision_id"]
    assert fields["tier"] == body["selected_tier"]
    assert fields["model"] == body["selected_model"]
    assert fields["score"] == body["score"]
    assert fields["domain"] == body["domain"]
    assert "merges two sorted lists" not in repr(fields)


def test_route_chat_parts_routes_on_text(invoke: Invoke, handlers: dict[str, ModuleType]) -> None:
    event = load_event("route_chat_parts")
    response = invoke("route", event)
    body = response_json(response)
    assert response["statusCode"] == 200
    stored = handlers["route"].store.get_decision(body["decision_id"])
    assert stored.classification.ignored_parts == 1

    request = json.loads(event["body"])
    last = request["messages"][-1]
    last["content"] = [part for part in last["content"] if part["type"] == "text"]
    text_only = response_json(invoke("route", with_body(event, request)))
    assert text_only["score"] == body["score"]
    assert text_only["cell"] == body["cell"]
    assert text_only["selected_tier"] == body["selected_tier"]


def test_route_image_only_default_tier(invoke: Invoke, handlers: dict[str, ModuleType]) -> None:
    image = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AAAA"}}
    event = with_body(load_event("route_post"), {"messages": [{"role": "user", "content": [image]}]})
    response = invoke("route", event)
    body = response_json(response)
    assert response["statusCode"] == 200
    assert body["selected_tier"] == 2
    stored = handlers["route"].store.get_decision(body["decision_id"])
    assert stored.classification.no_signal is True
    assert stored.classification.ignored_parts == 1


def test_route_unknown_profile(invoke: Invoke) -> None:
    event = with_body(load_event("route_post"), {"query": "hello", "profile": "no-such-profile"})
    response = invoke("route", event)
    error = response_json(response)["error"]
    assert response["statusCode"] == 422
    assert error["field"] == "profile"
    assert "current" in error["allowed"]


# Error events: one shape, the right status, nothing written.


@pytest.mark.parametrize(
    ("function", "event_name", "status", "code", "field"),
    [
        ("route", "route_invalid_json", 400, "invalid_json", None),
        ("route", "route_blank_query", 422, "validation_error", "query"),
        ("feedback", "feedback_bad_rating", 422, "validation_error", "rating"),
    ],
)
def test_error_events(
    invoke: Invoke, handlers: dict[str, ModuleType], function: str, event_name: str, status: int, code: str,
    field: str | None,
) -> None:  # fmt: skip
    decision_id = route_once(invoke)["decision_id"]
    before = store_snapshot(handlers)
    response = invoke(function, load_event(event_name, decision_id=decision_id))
    error = response_json(response)["error"]
    assert response["statusCode"] == status
    assert error["code"] == code
    assert error["field"] == field
    assert error["message"]
    assert store_snapshot(handlers) == before
    assert handlers["feedback"].store.get_feedback(decision_id) == []


def test_error_rating_names_range(invoke: Invoke) -> None:
    decision_id = route_once(invoke)["decision_id"]
    error = response_json(invoke("feedback", load_event("feedback_bad_rating", decision_id=decision_id)))["error"]
    assert "1 to 5" in error["message"]
    assert "up" in error["message"]


def test_error_blank_query_names_problem(invoke: Invoke) -> None:
    error = response_json(invoke("route", load_event("route_blank_query")))["error"]
    assert error["message"].startswith("query:")
    assert "whitespace" in error["message"]


@pytest.mark.parametrize("function", ["route", "feedback", "retrain"])
def test_error_body_too_large(invoke: Invoke, handlers: dict[str, ModuleType], function: str) -> None:
    path = {"route": "route_post", "feedback": "feedback_post", "retrain": "retrain_post"}[function]
    event = with_body(load_event(path), {"query": "a" * MAX_BODY_BYTES})
    before = store_snapshot(handlers)
    response = invoke(function, event)
    error = response_json(response)["error"]
    assert response["statusCode"] == 413
    assert error["code"] == "payload_too_large"
    assert error["limit"] == MAX_BODY_BYTES
    assert str(MAX_BODY_BYTES) in error["message"]
    assert store_snapshot(handlers) == before


def test_error_missing_body(invoke: Invoke, handlers: dict[str, ModuleType]) -> None:
    event = load_event("route_post")
    event["body"] = None
    response = invoke("route", event)
    assert response["statusCode"] == 422
    assert response_json(response)["error"]["code"] == "validation_error"
    assert decision_count(handlers) == 0


def with_content_type(event: dict[str, Any], content_type: str) -> dict[str, Any]:
    event["headers"]["Content-Type"] = content_type
    event["multiValueHeaders"]["Content-Type"] = [content_type]
    return event


@pytest.mark.parametrize(
    ("function", "event_name", "content_type", "body"),
    [
        ("route", "route_post", "text/plain", '{"query": "hi"}'),
        ("route", "route_post", "application/x-www-form-urlencoded", "query=hi"),
        ("route", "route_post", "multipart/form-data", "--x\r\n"),
        ("feedback", "feedback_post", "application/x-www-form-urlencoded; charset=utf-8", "rating=4"),
        ("retrain", "retrain_post", "application/x-www-form-urlencoded", ""),
    ],
)
def test_error_wrong_content_type(
    invoke: Invoke, handlers: dict[str, ModuleType], function: str, event_name: str, content_type: str, body: str
) -> None:
    event = with_content_type(with_body(load_event(event_name), body), content_type)
    before = store_snapshot(handlers)
    response = invoke(function, event)
    error = response_json(response)["error"]
    assert response["statusCode"] == 415
    assert error["code"] == "unsupported_media_type"
    assert error["field"] == "content-type"
    assert content_type.split(";")[0] in error["message"]
    assert "application/json" in error["message"]
    assert store_snapshot(handlers) == before


@pytest.mark.parametrize(
    ("function", "event_name", "body", "field"),
    [
        ("route", "route_post", {"query": "hi", "max_tokens": 5}, "max_tokens"),
        ("route", "complete_post", {"query": "hi", "temperature": 0}, "temperature"),
        ("feedback", "feedback_post", {"decision_id": "f" * 32, "thumbs": "sideways"}, "thumbs"),
        ("retrain", "retrain_post", {"rollback": 99}, "rollback"),
    ],
)
def test_error_unknown_field(
    invoke: Invoke, handlers: dict[str, ModuleType], function: str, event_name: str, body: dict, field: str
) -> None:
    before = store_snapshot(handlers)
    response = invoke(function, with_body(load_event(event_name), body))
    error = response_json(response)["error"]
    assert response["statusCode"] == 422
    assert error["code"] == "validation_error"
    assert error["field"] == field
    assert error["message"].startswith(f"{field}: unknown field; allowed: ")
    assert store_snapshot(handlers) == before


def test_retrain_unknown_field_not_run(invoke: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    runs: list[Any] = []
    monkeypatch.setattr("api.routes.retrain.Retrainer.run", lambda *args, **kwargs: runs.append(args))
    response = invoke("retrain", with_body(load_event("retrain_post"), {"rollback": 99}))
    assert response["statusCode"] == 422
    assert runs == []


def test_error_system_not_text(invoke: Invoke) -> None:
    response = invoke("route", with_body(load_event("route_post"), {"query": "hi", "system": 123}))
    error = response_json(response)["error"]
    assert response["statusCode"] == 422
    assert error["field"] == "system"
    assert error["message"] == "system: must be a string or a list of text parts"


def test_error_invalid_base64_body(invoke: Invoke, handlers: dict[str, ModuleType]) -> None:
    event = {**load_event("route_post"), "isBase64Encoded": True, "body": "not base64!!"}
    response = invoke("route", event)
    error = response_json(response)["error"]
    assert response["statusCode"] == 400
    assert error["code"] == "invalid_body"
    assert error["field"] == "body"
    assert decision_count(handlers) == 0


def test_base64_body_routed(invoke: Invoke) -> None:
    body = base64.b64encode(b'{"query": "hi"}').decode("ascii")
    response = invoke("route", {**load_event("route_post"), "isBase64Encoded": True, "body": body})
    assert response["statusCode"] == 200


def test_error_nan_no_position(invoke: Invoke) -> None:
    response = invoke("route", with_body(load_event("route_post"), '{"query": "hi", "profile": NaN}'))
    error = response_json(response)["error"]
    assert response["statusCode"] == 400
    assert "NaN is not a JSON number" in error["message"]
    assert "column" not in error["message"]


@pytest.mark.parametrize(
    ("event_name", "method", "allowed"),
    [("route_post", "DELETE", "POST"), ("route_post", "GET", "POST"), ("decision_get", "POST", "GET")],
)
def test_error_wrong_method(invoke: Invoke, event_name: str, method: str, allowed: str) -> None:
    event = load_event(event_name, decision_id="0" * 32)
    event["httpMethod"] = method
    response = invoke("route", event)
    error = response_json(response)["error"]
    assert response["statusCode"] == 405
    assert error["code"] == "method_not_allowed"
    assert error["allowed"] == [allowed]
    assert response["multiValueHeaders"]["Allow"] == [allowed]


def test_error_unknown_route(invoke: Invoke) -> None:
    event = load_event("decisions_get")
    event["path"] = "/nowhere"
    response = invoke("route", event)
    error = response_json(response)["error"]
    assert response["statusCode"] == 404
    assert error["code"] == "not_found"
    assert "/nowhere" in error["message"]


# GET endpoints


def test_decisions_get_event(invoke: Invoke) -> None:
    first = route_once(invoke)["decision_id"]
    second = route_once(invoke)["decision_id"]
    response = invoke("route", load_event("decisions_get"))
    body = response_json(response)
    assert response["statusCode"] == 200
    assert [item["decision_id"] for item in body["decisions"]] == [second, first]
    assert body["next_before"] is None


def test_decisions_get_pages(invoke: Invoke) -> None:
    ids = [route_once(invoke)["decision_id"] for _ in range(3)]
    event = load_event("decisions_get")
    event["queryStringParameters"] = {"limit": "2"}
    event["multiValueQueryStringParameters"] = {"limit": ["2"]}
    page = response_json(invoke("route", event))
    event["queryStringParameters"] = {"limit": "2", "before": page["next_before"]}
    event["multiValueQueryStringParameters"] = {"limit": ["2"], "before": [page["next_before"]]}
    rest = response_json(invoke("route", event))
    seen = [item["decision_id"] for item in page["decisions"] + rest["decisions"]]
    assert seen == list(reversed(ids))


@pytest.mark.parametrize("limit", ["0", "1001", "ten"])
def test_decisions_get_bad_limit(invoke: Invoke, limit: str) -> None:
    event = load_event("decisions_get")
    event["queryStringParameters"] = {"limit": limit}
    event["multiValueQueryStringParameters"] = {"limit": [limit]}
    response = invoke("route", event)
    error = response_json(response)["error"]
    assert response["statusCode"] == 422
    assert error["field"] == "limit"


def test_decision_get_event(invoke: Invoke) -> None:
    routed = route_once(invoke)
    response = invoke("route", load_event("decision_get", decision_id=routed["decision_id"]))
    body = response_json(response)
    assert response["statusCode"] == 200
    assert body["decision_id"] == routed["decision_id"]
    assert body["selected_model"] == routed["selected_model"]
    assert "logged" not in body


def test_decision_get_unknown(invoke: Invoke) -> None:
    response = invoke("route", load_event("decision_get", decision_id="0" * 32))
    error = response_json(response)["error"]
    assert response["statusCode"] == 404
    assert error["code"] == "not_found"
    assert error["field"] == "decision_id"
    assert error["message"] == f"decision {'0' * 32!r} not found"


def test_stats_cost_get_event(invoke: Invoke) -> None:
    routed = [route_once(invoke) for _ in range(2)]
    response = invoke("route", load_event("stats_cost_get"))
    body = response_json(response)
    total = body["total"]
    assert response["statusCode"] == 200
    assert total["decisions"] == 2
    assert total["estimated_cost_usd"] == pytest.approx(sum(item["estimated_cost_usd"] for item in routed))
    assert total["savings_usd"] == pytest.approx(total["baseline_cost_usd"] - total["estimated_cost_usd"])
    assert [row["tier"] for row in body["by_tier"]] == [routed[0]["selected_tier"]]
    assert body["by_day"][0]["decisions"] == 2


def test_stats_quality_get_event(invoke: Invoke) -> None:
    decision_id = route_once(invoke)["decision_id"]
    invoke("feedback", load_event("feedback_post", decision_id=decision_id))
    response = invoke("route", load_event("stats_quality_get"))
    body = response_json(response)
    assert response["statusCode"] == 200
    assert body["by_tier"][0]["samples"] == 1
    assert body["by_cell"][0]["ratings"] == 1


def test_report_get_event(invoke: Invoke) -> None:
    route_once(invoke)
    response = invoke("route", load_event("report_get"))
    assert response["statusCode"] == 200
    assert isinstance(response_json(response), dict)


def test_openapi_get_event(invoke: Invoke) -> None:
    response = invoke("route", load_event("openapi_get"))
    document = response_json(response)
    assert response["statusCode"] == 200
    assert document["openapi"].startswith("3.")
    # The document lists every route of the API, not only the route function's.
    assert set(document["paths"]) == {
        "/route", "/complete", "/decisions", "/decisions/{decision_id}", "/feedback", "/stats/cost",
        "/stats/quality", "/report", "/retrain",
    }  # fmt: skip
    assert "ErrorResponse" in document["components"]["schemas"]


# POST /feedback


def test_feedback_post_event(invoke: Invoke, handlers: dict[str, ModuleType], capsys: pytest.CaptureFixture) -> None:
    decision_id = route_once(invoke)["decision_id"]
    capsys.readouterr()
    response = invoke("feedback", load_event("feedback_post", decision_id=decision_id))
    body = response_json(response)
    assert response["statusCode"] == 201
    assert body["repeat"] is False
    assert 0.0 <= body["quality"] <= 1.0
    assert "response" not in body
    assert len(handlers["feedback"].store.get_feedback(decision_id)) == 1
    assert {"FeedbackReceived", "QualityScore"} <= emitted_metrics(capsys.readouterr().out)


def test_feedback_repeat(invoke: Invoke, handlers: dict[str, ModuleType], capsys: pytest.CaptureFixture) -> None:
    decision_id = route_once(invoke)["decision_id"]
    event = load_event("feedback_post", decision_id=decision_id)
    invoke("feedback", event)
    aggregates = handlers["feedback"].store.cell_aggregates()
    capsys.readouterr()
    response = invoke("feedback", event)
    assert response["statusCode"] == 200
    assert response_json(response)["repeat"] is True
    assert handlers["feedback"].store.cell_aggregates() == aggregates
    assert "FeedbackRepeats" in emitted_metrics(capsys.readouterr().out)


def test_feedback_unknown_decision(invoke: Invoke, handlers: dict[str, ModuleType]) -> None:
    route_once(invoke)
    before = store_snapshot(handlers)
    response = invoke("feedback", load_event("feedback_post", decision_id="f" * 32))
    error = response_json(response)["error"]
    assert response["statusCode"] == 404
    assert error["code"] == "not_found"
    assert error["field"] == "decision_id"
    assert "POST /route" in error["message"]
    assert store_snapshot(handlers) == before


# POST /retrain and the schedule


def test_retrain_post_event(invoke: Invoke) -> None:
    response = invoke("retrain", load_event("retrain_post"))
    body = response_json(response)
    assert response["statusCode"] == 200
    assert body["dry_run"] is True
    assert body["published_version"] is None


def test_retrain_post_empty_body(invoke: Invoke) -> None:
    event = load_event("retrain_post")
    event["body"] = None
    response = invoke("retrain", event)
    assert response["statusCode"] == 200
    assert response_json(response)["dry_run"] is False


def test_retrain_scheduled_event(invoke: Invoke) -> None:
    result = invoke("retrain", load_event("retrain_scheduled"))
    assert result["dry_run"] is False
    assert result["run"] == 1
    assert result["published_version"] is None


def test_retrain_conflict(invoke: Invoke, handlers: dict[str, ModuleType], monkeypatch: pytest.MonkeyPatch) -> None:
    from feedback.exceptions import VersionConflictError

    def lose_race(*args: Any, **kwargs: Any) -> Any:
        raise VersionConflictError(expected=None, actual=7)

    monkeypatch.setattr("api.routes.retrain.Retrainer.run", lose_race)
    response = invoke("retrain", with_body(load_event("retrain_post"), {"dry_run": False}))
    error = response_json(response)["error"]
    assert response["statusCode"] == 409
    assert error["code"] == "version_conflict"
    assert error["actual"] == 7


# Store failures


def test_route_store_failure_still_routes(
    invoke: Invoke, handlers: dict[str, ModuleType], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    def fail(decision: Any) -> None:
        raise StoreError("decisions table unavailable")

    monkeypatch.setattr(handlers["route"].store.backend, "put_decision", fail)
    with collected_records("api.routes.decisions") as records:
        response = invoke("route", load_event("route_post"))
    body = response_json(response)
    assert response["statusCode"] == 200
    assert body["logged"] is False
    assert body["selected_model"]
    assert "StoreErrors" in emitted_metrics(capsys.readouterr().out)
    failures = [record for record in records if record.getMessage() == "decision not logged"]
    assert len(failures) == 1
    assert failures[0].decision_id == body["decision_id"]
    assert failures[0].exc_info is not None
    assert "merges two sorted lists" not in repr(vars(failures[0]))


def test_route_table_version_picked_up(store_backend: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from router.table import RoutingTable

    monkeypatch.setenv("LLM_ROUTER_TABLE_CACHE_TTL", "0")
    module = load_handler("route")
    first = response_json(module.lambda_handler(load_event("route_post"), FakeLambdaContext()))
    module.store.publish_routing_table(RoutingTable(reason="test"), expected_current=None)
    second = response_json(module.lambda_handler(load_event("route_post"), FakeLambdaContext()))
    assert first["routing_table_version"] == 0
    assert second["routing_table_version"] == 1


# Cold start


def test_route_function_skips_anthropic(tmp_path: Any) -> None:
    script = (
        "import sys\n"
        "from tests.support.handlers import FakeLambdaContext, load_event, load_handler\n"
        "module = load_handler('route')\n"
        "response = module.lambda_handler(load_event('route_post'), FakeLambdaContext())\n"
        "assert response['statusCode'] == 200, response\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] in {'anthropic', 'httpx'}))\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO_ROOT / "layers" / "core"), str(REPO_ROOT)]),
        "LLM_ROUTER_STORE": "sqlite",
        "LLM_ROUTER_DB_PATH": str(tmp_path / "router.db"),
        "POWERTOOLS_METRICS_NAMESPACE": "LLMRouter",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
