"""The local server on an ephemeral 127.0.0.1 port, and a small HTTP client for it.

Tests that use it need the `allow_hosts(["127.0.0.1"])` marker: pytest-socket
blocks every socket otherwise, and this keeps connections to loopback only.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from router.settings import Settings
from server.httpd import LocalServer, create_server
from server.local_api import LocalApi

LOOPBACK = "127.0.0.1"
TIMEOUT_SECONDS = 30

# Proxy variables in the environment must not send loopback requests elsewhere.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


@dataclass
class RunningServer:
    server: LocalServer
    api: LocalApi

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def call(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Reply:
        """Send one request; `body` is sent as is when bytes or str, else as JSON."""
        data = None
        all_headers = dict(headers or {})
        if isinstance(body, bytes):
            data = body
        elif isinstance(body, str):
            data = body.encode("utf-8")
        elif body is not None:
            data = json.dumps(body).encode("utf-8")
        if data is not None:
            all_headers.setdefault("Content-Type", "application/json")
        request = urllib.request.Request(self.url.rstrip("/") + path, data=data, method=method, headers=all_headers)
        try:
            with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
                return Reply(response.status, dict(response.headers.items()), response.read())
        except urllib.error.HTTPError as error:
            return Reply(error.code, dict(error.headers.items()), error.read())

    def route(self, query: str) -> dict[str, Any]:
        reply = self.call("POST", "/route", {"query": query})
        assert reply.status == 200, reply.text
        return reply.json()

    def rate(self, decision_id: str, rating: float | str) -> dict[str, Any]:
        reply = self.call("POST", "/feedback", {"decision_id": decision_id, "rating": rating})
        assert reply.status == 201, reply.text
        return reply.json()

    def metric(self, name: str, **labels: str) -> float:
        """Return one sample of GET /metrics, 0.0 when the series does not exist yet."""
        text = self.call("GET", "/metrics").text
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.name == name and sample.labels == labels:
                    return float(sample.value)
        return 0.0


def isolated_settings(db_path: Path) -> Settings:
    """Settings independent of the caller's environment: no exploration, no table cache."""
    return Settings(db_path=db_path, exploration_rate=0.0, table_cache_ttl_seconds=0)


@contextmanager
def running_server(db_path: Path, port: int = 0, workers: int = 4) -> Iterator[RunningServer]:
    """Serve the local API on 127.0.0.1 in a background thread until the block ends."""
    api = LocalApi.from_settings(isolated_settings(db_path))
    server = create_server(LOOPBACK, port, api, workers=workers)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield RunningServer(server, api)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=TIMEOUT_SECONDS)
        api.close()
