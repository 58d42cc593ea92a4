"""The local server over real sockets on 127.0.0.1: API routes, docs, static files, metrics and start-up errors."""

from __future__ import annotations

import http.client
import logging
import os
import queue
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from api.errors import MAX_BODY_BYTES
from server.httpd import RequestHandler, ServerStartError, create_server
from server.local_api import LocalApi
from tests.support.feedback_loop import add_samples
from tests.support.handlers import REPO_ROOT
from tests.support.local_server import LOOPBACK, RunningServer, isolated_settings, running_server

pytestmark = pytest.mark.allow_hosts([LOOPBACK])

CODING_QUERY = "Write a Python function that merges two sorted lists and explain its complexity"
CLI_START_SECONDS = 60


@pytest.fixture
def local(tmp_path: Path) -> Iterator[RunningServer]:
    with running_server(tmp_path / "router.db") as running:
        yield running


class ExternalUrlFinder(HTMLParser):
    """Collects src and href values of script and link tags."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "link"}:
            self.urls.extend(value for name, value in attrs if name in {"src", "href"} and value)


def external_urls(html: str) -> list[str]:
    finder = ExternalUrlFinder()
    finder.feed(html)
    return [url for url in finder.urls if url.startswith(("http:", "https:", "//"))]


# Routes and feedback


def test_route_returns_decision(local):
    decision = local.route(CODING_QUERY)
    assert decision["selected_tier"] in {1, 2, 3}
    assert decision["logged"] is True
    assert "prompt" not in decision


def test_feedback_created_then_repeat(local):
    decision_id = local.route(CODING_QUERY)["decision_id"]
    first = local.call("POST", "/feedback", {"decision_id": decision_id, "rating": 4})
    second = local.call("POST", "/feedback", {"decision_id": decision_id, "rating": 4})
    assert first.status == 201
    assert second.status == 200
    assert second.json()["repeat"] is True


def test_decisions_lists_routed(local):
    decision_id = local.route(CODING_QUERY)["decision_id"]
    listed = local.call("GET", "/decisions?limit=5").json()["decisions"]
    assert [item["decision_id"] for item in listed] == [decision_id]
    assert local.call("GET", f"/decisions/{decision_id}").json()["decision_id"] == decision_id


def test_stats_cost_counts_decisions(local):
    decisions = [local.route(CODING_QUERY), local.route("hi, how are you today?")]
    total = local.call("GET", "/stats/cost").json()["total"]
    assert total["decisions"] == 2
    assert total["estimated_cost_usd"] == pytest.approx(sum(d["estimated_cost_usd"] for d in decisions))


def test_stats_quality_counts_feedback(local):
    decision = local.route(CODING_QUERY)
    local.rate(decision["decision_id"], 5)
    stats = local.call("GET", "/stats/quality").json()
    assert [(row["tier"], row["samples"]) for row in stats["by_tier"]] == [(decision["selected_tier"], 1)]
    assert stats["by_cell"][0]["cell"] == decision["cell"]


def test_report_served(local):
    local.route(CODING_QUERY)
    report = local.call("GET", "/report").json()
    assert report["totals"]["decisions"] == 1
    assert report["current_version"] == 0


# Errors: the API's one shape, from the resolver and from the server itself


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code", "field"),
    [
        ("POST", "/route", "{", 400, "invalid_json", None),
        ("POST", "/route", {"query": "   "}, 422, "validation_error", "query"),
        ("POST", "/feedback", {"decision_id": "f" * 32, "rating": 9}, 422, "validation_error", "rating"),
        ("POST", "/feedback", {"decision_id": "f" * 32, "rating": 4}, 404, "not_found", "decision_id"),
        ("GET", "/decisions/unknown-id", None, 404, "not_found", "decision_id"),
        ("POST", "/route", {"query": "hi", "system": 123}, 422, "validation_error", "system"),
        ("POST", "/retrain", {"rollback": 99}, 422, "validation_error", "rollback"),
        ("POST", "/route", "", 422, "validation_error", None),
        ("GET", "/decisions?limit=0", None, 422, "validation_error", "limit"),
        ("GET", "/no-such-route", None, 404, "not_found", None),
        ("GET", "/static/missing.js", None, 404, "not_found", None),
        ("GET", "/decisions?tier=3", None, 422, "validation_error", "tier"),
        ("GET", "/report?foo=1", None, 422, "validation_error", "foo"),
        ("POST", "/route?dry=1", {"query": "hi"}, 422, "validation_error", "dry"),
        ("POST", "/retrain", {"dry_run": "yes"}, 422, "validation_error", "dry_run"),
        ("POST", "/feedback", {"decision_id": "   ", "rating": 4}, 422, "validation_error", "decision_id"),
        (
            "POST",
            "/feedback",
            {"decision_id": "f" * 32, "rating": 4, "source": "api\u200b"},
            422,
            "validation_error",
            "source",
        ),
        ("GET", "/decisions?limit=1&limit=2", None, 422, "validation_error", "limit"),
        ("GET", "/decisions?limit=1_0", None, 422, "validation_error", "limit"),
        ("GET", "/decisions?limit=%2B1", None, 422, "validation_error", "limit"),
        ("GET", "/decisions?before=1", None, 422, "validation_error", "before"),
        ("GET", "/decisions?before=9999-12-31T23:59:59-01:00", None, 422, "validation_error", "before"),
        ("GET", "/decisions?before=0001-01-01T00:00:00%2B01:00", None, 422, "validation_error", "before"),
        ("GET", "/report?since=20250101", None, 422, "validation_error", "since"),
        ("GET", "/stats/cost?since=1", None, 422, "validation_error", "since"),
    ],
)
def test_error_shape(local, method, path, body, status, code, field):
    reply = local.call(method, path, body)
    error = reply.json()["error"]
    assert reply.status == status
    assert error["code"] == code
    assert error["field"] == field
    assert error["message"]


def raw_request(local: RunningServer, method: str, path: str, headers: dict[str, str]) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection(LOOPBACK, local.port, timeout=30)
    connection.putrequest(method, path, skip_accept_encoding=True)
    for name, value in headers.items():
        connection.putheader(name, value)
    connection.endheaders()
    return connection.getresponse()


def test_oversized_body_rejected_unread(local):
    # Only the headers are sent, so the server must respond from Content-Length alone.
    headers = {"Content-Type": "application/json", "Content-Length": str(MAX_BODY_BYTES + 1)}
    response = raw_request(local, "POST", "/route", headers)
    assert response.status == 413
    assert b'"payload_too_large"' in response.read()
    response.close()


def test_oversized_body_sent_whole_gets_413(local):
    # http.client sends the whole body before reading the response.
    body = b'{"query": "' + b"a" * (MAX_BODY_BYTES + 1024) + b'"}'
    connection = http.client.HTTPConnection(LOOPBACK, local.port, timeout=30)
    connection.request("POST", "/route", body, {"Content-Type": "application/json"})
    response = connection.getresponse()
    assert response.status == 413
    assert b'"payload_too_large"' in response.read()
    connection.close()
    assert local.call("GET", "/decisions").json()["decisions"] == []


def test_non_ascii_content_length_rejected(local):
    head = b"POST /route HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \xb2\r\n\r\n{}"
    reply = send_raw(local, head)
    assert reply.startswith(b"HTTP/1.0 400")
    assert b"is invalid: expected bytes" in reply


def test_idle_connections_leave_workers_free(tmp_path):
    # More silent connections than workers: a request on a new connection is still served.
    with running_server(tmp_path / "router.db", workers=2) as local:
        idle = [socket.create_connection((LOOPBACK, local.port)) for _ in range(6)]
        try:
            reply = send_raw(local, b"GET /decisions HTTP/1.0\r\n\r\n")
        finally:
            for connection in idle:
                connection.close()
    assert reply.startswith(b"HTTP/1.0 200")


def test_many_simultaneous_connections_served(local):
    clients = [socket.create_connection((LOOPBACK, local.port)) for _ in range(60)]
    for client in clients:
        client.sendall(b"GET /decisions?limit=1 HTTP/1.0\r\n\r\n")
    replies = []
    for client in clients:
        client.settimeout(30)
        replies.append(read_raw_response(client))
        client.close()
    assert all(reply.startswith(b"HTTP/1.0 200") for reply in replies)


def test_chunked_body_rejected(local):
    response = raw_request(local, "POST", "/route", {"Transfer-Encoding": "chunked"})
    assert response.status == 411
    assert b'"length_required"' in response.read()


def test_form_body_rejected(local):
    # What `curl -d 'query=hi'` sends.
    reply = local.call("POST", "/route", "query=hi", {"Content-Type": "application/x-www-form-urlencoded"})
    error = reply.json()["error"]
    assert reply.status == 415
    assert error["code"] == "unsupported_media_type"
    assert "application/json" in error["message"]


@pytest.mark.parametrize(("method", "path", "allowed"), [("DELETE", "/route", "POST"), ("POST", "/decisions", "GET")])
def test_wrong_method_not_allowed(local, method, path, allowed):
    reply = local.call(method, path)
    assert reply.status == 405
    assert reply.headers["Allow"] == allowed
    assert reply.json()["error"]["code"] == "method_not_allowed"


def read_raw_response(connection: socket.socket) -> bytes:
    chunks = []
    while chunk := connection.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def test_short_body_times_out(local, caplog, monkeypatch):
    monkeypatch.setattr(RequestHandler, "body_timeout_seconds", 0.3)
    head = b"POST /route HTTP/1.1\r\nHost: local\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
    with (
        caplog.at_level(logging.INFO, logger="server.httpd"),
        socket.create_connection((LOOPBACK, local.port)) as client,
    ):
        client.settimeout(30)
        client.sendall(head + b'{"query": ')
        response = read_raw_response(client)
        lines = server_log_lines(caplog, 2)
    assert response.startswith(b"HTTP/1.0 408 ")
    assert b'"code": "request_timeout"' in response
    warnings = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert len(warnings) == 1
    assert "10 of 100 bytes" in warnings[0].getMessage()
    assert warnings[0].exc_info is None
    assert any(line.startswith("POST /route 408 ") for line in lines)


def test_client_disconnect_not_error(local, caplog, monkeypatch):
    entered, release = threading.Event(), threading.Event()
    handle = local.api.handle

    def handle_after_disconnect(event):
        entered.set()
        release.wait(30)
        return handle(event)

    monkeypatch.setattr(local.api, "handle", handle_after_disconnect)
    with caplog.at_level(logging.DEBUG, logger="server.httpd"):
        client = socket.create_connection((LOOPBACK, local.port))
        # Linger 0: close() sends a reset, so the server's response write fails.
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        client.sendall(b"GET /decisions HTTP/1.0\r\n\r\n")
        assert entered.wait(30)
        client.close()
        release.set()
        lines = server_log_lines(caplog, 1)
    assert len(lines) == 1
    assert lines[0].startswith("GET /decisions: client disconnected")
    assert [record for record in caplog.records if record.levelno >= logging.WARNING] == []
    assert [record for record in caplog.records if record.exc_info] == []


def test_complete_without_key_logs_reason(local, caplog, monkeypatch, tmp_path):
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_SECRET_NAME", "ANTHROPIC_KEY_PARAMETER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    with caplog.at_level(logging.ERROR, logger="api.complete"):
        reply = local.call("POST", "/complete", {"query": "hi"})
    assert reply.status == 503
    assert "see its logs" in reply.json()["error"]["message"]
    errors = [record.getMessage() for record in caplog.records if record.name == "api.complete"]
    assert len(errors) == 1
    assert "ANTHROPIC_API_KEY" in errors[0]


def test_static_path_traversal_rejected(local):
    response = raw_request(local, "GET", "/static/../local_api.py", {})
    assert response.status == 404
    assert b"LocalApi" not in response.read()


# Docs, OpenAPI and the dashboard page


def test_docs_page_offline(local):
    reply = local.call("GET", "/docs")
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("text/html")
    assert "SwaggerUIBundle" in reply.text
    assert external_urls(reply.text) == []


def test_openapi_lists_routes(local):
    document = local.call("GET", "/openapi.json").json()
    assert {"/route", "/feedback", "/stats/cost", "/stats/quality", "/report"} <= set(document["paths"])


def schema_keys(node):
    if isinstance(node, dict):
        yield from node
        for value in node.values():
            yield from schema_keys(value)
    elif isinstance(node, list):
        for value in node:
            yield from schema_keys(value)


def test_openapi_uses_json_schema_bounds(local):
    document = local.call("GET", "/openapi.json").json()
    limit = document["paths"]["/decisions"]["get"]["parameters"][0]["schema"]
    assert (limit["minimum"], limit["maximum"]) == (1, 1000)
    assert not {"ge", "le", "gt", "lt"} & set(schema_keys(document))


def test_openapi_complete_responses(local):
    responses = local.call("GET", "/openapi.json").json()["paths"]["/complete"]["post"]["responses"]
    assert responses["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/CompleteResponse")
    assert "413" in responses


def test_dashboard_page_offline(local):
    reply = local.call("GET", "/")
    assert reply.status == 200
    assert 'id="chart-heatmap"' in reply.text
    assert external_urls(reply.text) == []


@pytest.mark.parametrize("name", ["charts.js", "dashboard.js", "dashboard.css"])
def test_static_assets_served(local, name):
    reply = local.call("GET", f"/static/{name}")
    assert reply.status == 200
    assert "http://" not in reply.text.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in reply.text


# Prometheus metrics


def test_metrics_decisions_move(local):
    decision = local.route(CODING_QUERY)
    tier = str(decision["selected_tier"])
    assert local.metric("llm_router_decisions_total", tier=tier, domain=decision["domain"]) == 1.0
    local.route(CODING_QUERY)
    assert local.metric("llm_router_decisions_total", tier=tier, domain=decision["domain"]) == 2.0


def test_metrics_cost_and_savings(local):
    decision = local.route(CODING_QUERY)
    assert local.metric("llm_router_estimated_cost_usd_total") == pytest.approx(decision["estimated_cost_usd"])
    assert local.metric("llm_router_baseline_cost_usd_total") == pytest.approx(decision["baseline_cost_usd"])
    assert local.metric("llm_router_savings_usd_total") == pytest.approx(decision["estimated_savings_usd"])


def test_metrics_classifier_latency(local):
    local.route(CODING_QUERY)
    assert local.metric("llm_router_classifier_latency_seconds_count") == 1.0
    assert 0.0 < local.metric("llm_router_classifier_latency_seconds_sum") < 1.0


def test_metrics_feedback_and_quality(local):
    decision_id = local.route(CODING_QUERY)["decision_id"]
    local.rate(decision_id, 5)
    assert local.metric("llm_router_feedback_total", source="api") == 1.0
    assert local.metric("llm_router_quality_score_count") == 1.0
    assert local.metric("llm_router_quality_score_sum") == pytest.approx(1.0)


def test_metrics_content_type(local):
    reply = local.call("GET", "/metrics")
    assert reply.headers["Content-Type"].startswith("text/plain")


# Logging, start-up errors and the command


def server_log_lines(caplog: pytest.LogCaptureFixture, count: int) -> list[str]:
    # The worker logs after sending the response, so the client can get it first.
    deadline = time.monotonic() + 10
    while True:
        lines = [record.getMessage() for record in caplog.records if record.name == "server.httpd"]
        if len(lines) >= count or time.monotonic() > deadline:
            return lines
        time.sleep(0.02)


def test_request_logged_without_body(local, caplog):
    with caplog.at_level(logging.INFO, logger="server.httpd"):
        local.route("a secret-looking query text that must stay out of logs")
        lines = server_log_lines(caplog, 1)
    assert len(lines) == 1
    assert lines[0].startswith("POST /route 200 ")
    assert lines[0].endswith(" ms")
    assert "secret-looking" not in caplog.text


def test_port_taken_message(local, tmp_path):
    api = LocalApi.from_settings(isolated_settings(tmp_path / "second.db"))
    try:
        with pytest.raises(ServerStartError) as caught:
            create_server(LOOPBACK, local.port, api, workers=1)
    finally:
        api.close()
    assert str(caught.value) == f"port {local.port} on 127.0.0.1 is already in use: pass --port"


def start_command(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "LLM_ROUTER_DB_PATH": str(tmp_path / "cli.db")}
    return subprocess.Popen(
        [sys.executable, "main.py", "dashboard", *args],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def read_until(process: subprocess.Popen[str], marker: str) -> str:
    """Return stdout up to the line containing `marker`; fails after CLI_START_SECONDS."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    seen = ""
    while marker not in seen:
        seen += lines.get(timeout=CLI_START_SECONDS)
    return seen


def test_command_ctrl_c_exits_zero(tmp_path):
    process = start_command(tmp_path, "--port", "0")
    try:
        banner = read_until(process, "press Ctrl-C to stop")
        process.send_signal(signal.SIGINT)
        process.wait(timeout=CLI_START_SECONDS)
    finally:
        process.kill()
    assert "llm-router dashboard: http://127.0.0.1:" in banner
    assert process.returncode == 0


def test_command_second_ctrl_c_quits(tmp_path):
    process = start_command(tmp_path, "--port", "0", "--workers", "1")
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True)
    reader.start()
    try:
        seen = ""
        while "press Ctrl-C to stop" not in seen:
            seen += lines.get(timeout=CLI_START_SECONDS)
        port = int(seen.split("llm-router dashboard: http://127.0.0.1:")[1].split("/")[0])
        # A request whose headers never end keeps the only worker busy, so the first stop waits.
        with socket.create_connection((LOOPBACK, port)) as client:
            client.sendall(b"GET /decisions HTTP/1.0\r\nX-One: 1\r\n")
            time.sleep(0.5)
            process.send_signal(signal.SIGINT)
            while "stopping:" not in seen:
                seen += lines.get(timeout=CLI_START_SECONDS)
            process.send_signal(signal.SIGINT)
            process.wait(timeout=CLI_START_SECONDS)
        reader.join(timeout=CLI_START_SECONDS)
        while not lines.empty():
            seen += lines.get_nowait()
    finally:
        process.kill()
    assert process.returncode == 130
    assert "interrupted again: quitting without waiting" in seen


def test_command_port_taken_exit_two(local, tmp_path):
    process = start_command(tmp_path, "--port", str(local.port))
    _, stderr = process.communicate(timeout=CLI_START_SECONDS)
    assert process.returncode == 2
    assert f"port {local.port} on 127.0.0.1 is already in use: pass --port" in stderr


def test_command_port_out_of_range(tmp_path):
    process = start_command(tmp_path, "--port", "70000")
    _, stderr = process.communicate(timeout=CLI_START_SECONDS)
    assert process.returncode == 2
    assert "--port 70000 is invalid: expected 0 to 65535" in stderr


def test_head_answers_like_get(local):
    response = raw_request(local, "HEAD", "/decisions", {})
    assert response.status == 200
    assert response.getheader("Content-Type") == "application/json"
    assert response.read() == b""


def test_unknown_method_json_error(local):
    response = raw_request(local, "FOO", "/route", {})
    body = response.read()
    assert response.status == 501
    assert response.getheader("Content-Type") == "application/json"
    assert b"'FOO' is not supported" in body


def test_unknown_method_logged(local, caplog):
    with caplog.at_level(logging.INFO, logger="server.httpd"):
        raw_request(local, "FOO", "/route?secret=1", {}).read()
        lines = server_log_lines(caplog, 1)
    assert "FOO /route 501 (rejected before dispatch)" in lines


def test_long_url_json_error(local):
    response = raw_request(local, "GET", "/decisions?x=" + "a" * 70_000, {})
    assert response.status == 414
    assert b'"request_uri_too_long"' in response.read()


def test_out_of_range_before_named(local):
    error = local.call("GET", "/decisions?before=9999-12-31T23:59:59-01:00").json()["error"]
    assert error["message"] == (
        "before: 9999-12-31T23:59:59-01:00 is out of range: in UTC it must fall between 0001-01-01 and 9999-12-31"
    )


def test_before_with_zone_pages_in_utc(local):
    local.call("POST", "/route", {"query": "hi"})
    assert len(local.call("GET", "/decisions?before=2999-01-01T00:00:00%2B05:00").json()["decisions"]) == 1
    assert local.call("GET", "/decisions?before=2000-01-01T00:00:00").json()["decisions"] == []


def test_unknown_query_parameter_names_allowed(local):
    error = local.call("GET", "/decisions?tier=3").json()["error"]
    assert error["message"] == "query parameter 'tier' is unknown: allowed: before, limit"


def test_unknown_query_parameter_writes_nothing(local):
    local.call("POST", "/route?dry=1", {"query": "hi"})
    assert local.call("GET", "/decisions").json()["decisions"] == []


def test_declared_query_parameter_accepted(local):
    assert local.call("GET", "/decisions?limit=5").status == 200


def test_repeated_query_parameter_named(local):
    error = local.call("GET", "/decisions?limit=1&limit=1").json()["error"]
    assert error["message"] == "query parameter 'limit' is given 2 times: give it once"


def test_every_unknown_query_parameter_named(local):
    error = local.call("GET", "/decisions?foo=1&bar=2").json()["error"]
    assert error["message"] == "query parameters 'foo', 'bar' are unknown: allowed: before, limit"


def send_raw(local: RunningServer, request: bytes) -> bytes:
    connection = socket.create_connection((LOOPBACK, local.port), timeout=10)
    connection.sendall(request)
    reply = read_raw_response(connection)
    connection.close()
    return reply


def test_body_without_content_type_rejected(local):
    reply = send_raw(local, b'POST /route HTTP/1.1\r\nHost: x\r\nContent-Length: 15\r\n\r\n{"query": "hi"}')
    assert reply.startswith(b"HTTP/1.0 415")
    assert b"the Content-Type header is missing" in reply
    assert local.call("GET", "/decisions").json()["decisions"] == []


@pytest.mark.parametrize(("version", "status"), [(b"HTTP/2.0", b"505"), (b"HTTP/1.x", b"400"), (b"SPDY/3", b"400")])
def test_bad_http_version_gets_status_line(local, version, status):
    reply = send_raw(local, b"GET /decisions " + version + b"\r\nHost: x\r\n\r\n")
    assert reply.startswith(b"HTTP/1.0 " + status)
    assert b"Content-Type: application/json" in reply


@pytest.mark.parametrize(
    "content_type",
    [
        "application/jsonx",
        "application/json-patch+json",
        "application/json, text/plain",
        "text/plain",
        "",
        "application/json; charset=utf-16",
        "application/json; charset=latin-1",
    ],
)
def test_non_json_media_type_rejected(local, content_type):
    reply = local.call("POST", "/route", '{"query": "hi"}', {"Content-Type": content_type})
    assert reply.status == 415
    assert reply.json()["error"]["field"] == "content-type"
    assert local.call("GET", "/decisions").json()["decisions"] == []


@pytest.mark.parametrize("content_type", ["application/json; charset=UTF-8", 'application/json;charset="utf-8"'])
def test_utf8_charset_accepted(local, content_type):
    assert local.call("POST", "/route", '{"query": "hi"}', {"Content-Type": content_type}).status == 200


def test_two_content_types_rejected(local):
    request = (
        b"POST /route HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
        b'Content-Type: application/json\r\nContent-Length: 15\r\n\r\n{"query": "hi"}'
    )
    reply = send_raw(local, request)
    assert reply.startswith(b"HTTP/1.0 415")
    assert b"Content-Type is given 2 times" in reply


@pytest.mark.parametrize(("path", "status"), [("/decisions", 405), ("/nope", 404)])
def test_unknown_route_before_media_type(local, path, status):
    reply = local.call("POST", path, "x", {"Content-Type": "text/plain"})
    assert reply.status == status


@pytest.mark.parametrize("decision_id", ["a%23b", "a%3Fb", "a%0Ab", "a%E2%80%8Bb", "a%5Cb"])
def test_odd_decision_id_not_found(local, decision_id):
    reply = local.call("GET", f"/decisions/{decision_id}")
    assert reply.status == 404
    assert reply.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    "request_line", [b"GET /decisions\r\n", b'POST /route HTTP/0.9\r\nContent-Length: 15\r\n\r\n{"query": "hi"}']
)
def test_http_09_rejected(local, request_line):
    reply = send_raw(local, request_line)
    assert reply.startswith(b"HTTP/1.0 505")
    assert b"HTTP/0.9 is not supported" in reply
    assert local.call("GET", "/decisions").json()["decisions"] == []


def test_trickled_headers_time_out(local, monkeypatch):
    monkeypatch.setattr(RequestHandler, "header_timeout_seconds", 0.5)
    with socket.create_connection((LOOPBACK, local.port)) as client:
        client.settimeout(30)
        client.sendall(b"GET /decisions HTTP/1.0\r\nX-One: 1\r\n")
        # No blank line: the headers never end, so only the total deadline can answer.
        reply = read_raw_response(client)
    assert reply.startswith(b"HTTP/1.0 408")
    assert b"request headers took longer than 0.5 s" in reply


def test_uppercase_json_media_type_accepted(local):
    reply = local.call("POST", "/route", '{"query": "hi"}', {"Content-Type": "APPLICATION/JSON"})
    assert reply.status == 200


def test_conflicting_content_lengths_rejected(local):
    request = (
        b"POST /route HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b'Content-Length: 15\r\nContent-Length: 5\r\n\r\n{"query": "hi"}'
    )
    reply = send_raw(local, request)
    assert reply.startswith(b"HTTP/1.0 400")
    assert local.call("GET", "/decisions").json()["decisions"] == []


@pytest.mark.parametrize(
    "path", ["/decisions?limit=5", "/decisions?before=2026-01-02T03:04:05Z", "/report?since=2026-01-01", "/stats/cost"]
)
def test_declared_query_values_accepted(local, path):
    assert local.call("GET", path).status == 200


def test_idempotency_file_beside_store(tmp_path, monkeypatch):
    monkeypatch.delenv("LLM_ROUTER_IDEMPOTENCY_DB_PATH", raising=False)
    monkeypatch.setenv("LLM_ROUTER_DB_PATH", str(tmp_path / "elsewhere" / "router.db"))
    api = LocalApi.from_settings(isolated_settings(tmp_path / "store" / "router.db"))
    try:
        assert api.execution_settings is not None
        assert api.execution_settings.idempotency_db_path == tmp_path / "store" / "idempotency.db"
    finally:
        api.close()


def test_idempotency_path_setting_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("LLM_ROUTER_IDEMPOTENCY_DB_PATH", str(tmp_path / "keys.db"))
    api = LocalApi.from_settings(isolated_settings(tmp_path / "store" / "router.db"))
    try:
        assert api.execution_settings is not None
        assert api.execution_settings.idempotency_db_path == tmp_path / "keys.db"
    finally:
        api.close()


def test_retrain_reaches_routing_at_once(tmp_path):
    # A day-long cache TTL: only the server's own retrain can make routing see the new table this soon.
    settings = isolated_settings(tmp_path / "router.db").model_copy(update={"table_cache_ttl_seconds": 86_400})
    api = LocalApi.from_settings(settings)
    server = create_server(LOOPBACK, 0, api, workers=2)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    local = RunningServer(server, api)
    try:
        assert local.call("POST", "/route", {"query": "hi"}).json()["routing_table_version"] == 0
        add_samples(api.store, "conversational:0", 1, low=5)
        published = local.call("POST", "/retrain", {}).json()["published_version"]
        version = local.call("POST", "/route", {"query": "hi"}).json()["routing_table_version"]
    finally:
        server.shutdown()
        server.server_close()
        api.close()
    assert published == 1
    assert version == 1
