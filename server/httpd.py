"""The local HTTP server: the API, the dashboard page and Prometheus metrics on one port.

Built on the standard library's `http.server`, because the server only has to
turn requests into proxy events for the resolver and serve a few static files.
A fixed pool of worker threads handles the connections: the SQLite store keeps
one connection per thread, so a thread per request would open a new database
connection for every request and keep it until shutdown.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import mimetypes
import re
import socket
import socketserver
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

from api.errors import MAX_BODY_BYTES
from server.events import proxy_event, read_proxy_response
from server.idle import IdleConnectionWatcher
from server.local_api import LocalApi

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_PREFIX = "/static/"
METRICS_PATH = "/metrics"
FAVICON_PATH = "/favicon.ico"
# A connection whose client sends nothing is closed after this, and a worker
# waits this long for the rest of a request line or header.
SOCKET_TIMEOUT_SECONDS = 30
# The whole request body must arrive within this time, or the client gets 408.
# It is a total, not a per-read timeout, so a client that sends a byte now and
# then cannot hold one of the fixed pool's workers for longer.
BODY_TIMEOUT_SECONDS = 10
# The request line and headers must arrive within this time in all, or the client gets 408.
HEADER_TIMEOUT_SECONDS = 10
READ_CHUNK_BYTES = 64 * 1024
# At most this much of a body over the limit, for at most this long, is read and
# discarded before the connection closes.
MAX_DISCARD_BYTES = 64 * 1024 * 1024
DISCARD_SECONDS = 5.0
STATIC_TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript"}


class ServerStartError(Exception):
    """The server could not listen on the requested address; its message names the option to change."""


class LocalServer(HTTPServer):
    """An `HTTPServer` whose connections run on a fixed pool of threads once their client has sent something."""

    # Connections the kernel queues before `accept` (socketserver's default is 5, which
    # resets connections when a few dozen clients connect at once).
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], api: LocalApi, workers: int) -> None:
        self.api = api
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="llm-router-http")
        self._idle = IdleConnectionWatcher(self._submit, self.shutdown_request, SOCKET_TIMEOUT_SECONDS)
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        try:
            # On a failed bind, socketserver calls server_close, which stops the pool and the watcher.
            super().__init__(address, RequestHandler)
        except OSError as exc:
            raise ServerStartError(_bind_error_message(address, exc)) from exc

    @property
    def url(self) -> str:
        host, port = str(self.server_address[0]), int(self.server_address[1])
        return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"

    def server_bind(self) -> None:
        # HTTPServer.server_bind also looks up the host's FQDN, a DNS query that
        # a local server does not need and that can stall without a network.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), int(self.server_address[1])

    def process_request(self, request: Any, client_address: Any) -> None:
        self._idle.add(request, client_address)

    def _submit(self, request: socket.socket, client_address: Any) -> None:
        self._pool.submit(self._process_in_worker, request, client_address)

    def _process_in_worker(self, request: socket.socket, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except ConnectionError as exc:
            # BrokenPipeError or ConnectionResetError: the client closed the connection, not a server fault.
            logger.debug("connection from %s closed by the client: %s", client_address[0], type(exc).__name__)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        logger.exception("connection from %s failed", client_address[0])

    def server_close(self) -> None:
        super().server_close()
        self._idle.stop()
        self._pool.shutdown(wait=True, cancel_futures=True)


def _bind_error_message(address: tuple[str, int], exc: OSError) -> str:
    host, port = address
    if isinstance(exc, socket.gaierror):
        return f"cannot listen on {host!r}: the host name does not resolve; pass --host 127.0.0.1"
    if exc.errno == errno.EADDRINUSE:
        return f"port {port} on {host} is already in use: pass --port"
    if exc.errno == errno.EACCES:
        return f"port {port} on {host} needs more privileges: pass --port 1024 or higher"
    if exc.errno in {errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT}:
        return f"cannot listen on {host}: it is not an address of this machine; pass --host 127.0.0.1"
    return f"cannot listen on {host} port {port}: {exc.strerror or exc}"


class RequestHandler(BaseHTTPRequestHandler):
    """Serve `/` and `/static/*` from disk, `/metrics` from the registry, and everything else from the API."""

    server: LocalServer
    # HTTP/1.0 closes each connection after its response, so an idle
    # keep-alive connection never occupies a worker of the fixed pool.
    protocol_version = "HTTP/1.0"
    timeout = SOCKET_TIMEOUT_SECONDS
    body_timeout_seconds: float = BODY_TIMEOUT_SECONDS
    header_timeout_seconds: float = HEADER_TIMEOUT_SECONDS
    server_version = "llm-router-local"

    def handle_one_request(self) -> None:
        # Each read already times out, but a client sending a header line now and then
        # could hold a worker for ever: this timer ends the headers' read as a whole.
        self._headers_timed_out = False
        self._header_timer = threading.Timer(self.header_timeout_seconds, self._stop_reading_headers)
        self._header_timer.daemon = True
        self._header_timer.start()
        try:
            super().handle_one_request()
        finally:
            self._header_timer.cancel()

    def _stop_reading_headers(self) -> None:
        self._headers_timed_out = True
        # The worker's blocked read returns end-of-file. The client may have closed already.
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RD)

    def parse_request(self) -> bool:
        words = str(getattr(self, "raw_requestline", b""), "iso-8859-1").split()
        if len(words) == 2 or (len(words) == 3 and words[2] == "HTTP/0.9"):
            # http.server would wait for headers that an HTTP/0.9 client never sends.
            self.command, self.path = words[0], words[1]
            self.requestline = " ".join(words)
            self.request_version = "HTTP/0.9"
            self.close_connection = True
            self.send_error(HTTPStatus.HTTP_VERSION_NOT_SUPPORTED, "HTTP/0.9 is not supported: send HTTP/1.0 or 1.1")
            return False
        if not super().parse_request():
            return False
        if self._headers_timed_out:
            self.send_error(
                HTTPStatus.REQUEST_TIMEOUT, f"request headers took longer than {self.header_timeout_seconds:g} s"
            )
            return False
        self._header_timer.cancel()
        return True

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_PATCH(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def do_OPTIONS(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        # Uptime checks and `curl -I` send HEAD, so respond as GET would, without the body.
        self._head = True
        self.command = "GET"
        self._dispatch()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Send the errors that `http.server` raises before a request is dispatched as JSON, as the API does.

        They are a request line over 64 KiB (414), an unknown method (501), a
        malformed request line or headers (400, 431) and an unsupported HTTP
        version (505).
        """
        status = HTTPStatus(code)
        if self.request_version == "HTTP/0.9":
            # http.server rejects a bad or unsupported version while still in HTTP/0.9
            # mode, which would send the body without a status line. No 0.9 client is served.
            self.request_version = self.protocol_version
        # One line per request, as `_dispatch` logs; the path is cut because a 414's is over 64 KiB.
        path = (getattr(self, "path", "") or "-").split("?", 1)[0]
        logger.info("%s %s %d (rejected before dispatch)", self.command or "-", path[:200], code)
        if code == HTTPStatus.NOT_IMPLEMENTED:
            message = f"method {self.command!r} is not supported: use GET, HEAD or POST"
        body = json.dumps(
            {
                "error": {
                    "code": re.sub(r"[^a-z]+", "_", status.phrase.lower()),
                    "message": message or status.phrase,
                    "field": None,
                }
            }
        ).encode("utf-8")
        self.close_connection = True
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Connection", "close")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and not getattr(self, "_head", False):
            self.wfile.write(body)

    def _dispatch(self) -> None:
        started = time.perf_counter()
        path = self.path.split("?", 1)[0]
        try:
            status = self._serve(path)
        except ConnectionError as exc:
            # The client closed the connection, so no response can reach it.
            logger.info("%s %s: client disconnected (%s)", self.command, path, type(exc).__name__)
            self.close_connection = True
            return
        except Exception:
            logger.exception("request failed: %s %s", self.command, path)
            status = self._send_error_json(HTTPStatus.INTERNAL_SERVER_ERROR, "internal_error", "internal error")
        # The path only: query strings and bodies may carry user text.
        elapsed_ms = (time.perf_counter() - started) * 1000
        logger.info("%s %s %d %.1f ms", self.command, path, status, elapsed_ms)

    def _serve(self, path: str) -> int:
        if self.command == "GET" and path == "/":
            return self._send_static("index.html")
        if self.command == "GET" and path.startswith(STATIC_PREFIX):
            return self._send_static(path.removeprefix(STATIC_PREFIX))
        if self.command == "GET" and path == FAVICON_PATH:
            # Browsers request it for every page, the Swagger UI included. An empty
            # 204 keeps a 404 out of their consoles.
            return self._send(HTTPStatus.NO_CONTENT, [], b"")
        if self.command == "GET" and path == METRICS_PATH:
            body, content_type = self.server.api.metrics.exposition()
            return self._send(HTTPStatus.OK, [("Content-Type", content_type)], body)
        return self._send_api()

    def _send_api(self) -> int:
        body = self._read_body()
        if isinstance(body, int):
            return body
        event = proxy_event(self.command, self.path, self.headers.items(), body, source_ip=self.client_address[0])
        response = read_proxy_response(self.server.api.handle(event))
        return self._send(response.status, response.headers, response.body)

    def _read_body(self) -> bytes | int:
        """Return the request body, or send an error and return its status."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._send_error_json(
                HTTPStatus.LENGTH_REQUIRED, "length_required", "chunked bodies are not supported: send Content-Length"
            )
        lengths = {value.strip() for value in self.headers.get_all("Content-Length", [])}
        if len(lengths) > 1:
            # Two lengths make the body's end ambiguous, so RFC 9112 section 6.3 rejects the request.
            return self._send_error_json(
                HTTPStatus.BAD_REQUEST,
                "bad_request",
                f"Content-Length is given {len(lengths)} times with different values: send it once",
            )
        raw_length = self.headers.get("Content-Length", "0").strip() or "0"
        if not (raw_length.isascii() and raw_length.isdigit()):
            return self._send_error_json(
                HTTPStatus.BAD_REQUEST, "bad_request", f"Content-Length {raw_length!r} is invalid: expected bytes"
            )
        length = int(raw_length)
        if length > MAX_BODY_BYTES:
            # Refused before reading, so a huge upload costs no memory.
            status = self._send_error_json(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                "payload_too_large",
                f"request body is {length} bytes, larger than the limit of {MAX_BODY_BYTES} bytes",
                limit=MAX_BODY_BYTES,
                size=length,
            )
            # Closing with the body unread would reset the connection, and a client
            # still sending would get a broken pipe instead of the 413.
            self._read_exactly(min(length, MAX_DISCARD_BYTES), keep=False, seconds=DISCARD_SECONDS)
            return status
        body, timed_out = self._read_exactly(length)
        if timed_out:
            logger.warning(
                "%s %s: request body timed out after %g s with %d of %d bytes received",
                self.command,
                self.path.split("?", 1)[0],
                self.body_timeout_seconds,
                len(body),
                length,
            )
            return self._send_error_json(
                HTTPStatus.REQUEST_TIMEOUT,
                "request_timeout",
                f"request body timed out: {len(body)} of {length} bytes (Content-Length) arrived "
                f"within {self.body_timeout_seconds:g} s; send the whole body at once",
            )
        if len(body) < length:
            return self._send_error_json(
                HTTPStatus.BAD_REQUEST,
                "bad_request",
                f"request body ended after {len(body)} of {length} bytes: send as many bytes as Content-Length says",
            )
        return body

    def _read_exactly(self, length: int, *, keep: bool = True, seconds: float | None = None) -> tuple[bytes, bool]:
        """Read `length` bytes within `seconds` (default `body_timeout_seconds`); return them and whether time ran out.

        Fewer bytes without a timeout mean the client closed its side early.
        With `keep` false the bytes are discarded and none are returned.
        """
        deadline = time.monotonic() + (self.body_timeout_seconds if seconds is None else seconds)
        chunks: list[bytes] = []
        received = 0
        try:
            while received < length:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return b"".join(chunks), True
                self.connection.settimeout(remaining)
                chunk = self.rfile.read1(min(length - received, READ_CHUNK_BYTES))
                if not chunk:
                    break
                if keep:
                    chunks.append(chunk)
                received += len(chunk)
        except TimeoutError:
            return b"".join(chunks), True
        finally:
            self.connection.settimeout(self.timeout)
        return b"".join(chunks), False

    def _send_static(self, name: str) -> int:
        file = (STATIC_DIR / name).resolve()
        if file.parent != STATIC_DIR or not file.is_file():
            return self._send_error_json(HTTPStatus.NOT_FOUND, "not_found", f"no static file {name!r}")
        content_type = STATIC_TYPES.get(file.suffix) or mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        headers = [("Content-Type", content_type), ("Cache-Control", "no-cache")]
        return self._send(HTTPStatus.OK, headers, file.read_bytes())

    def _send_error_json(self, status: HTTPStatus, code: str, message: str, **extra: Any) -> int:
        body = json.dumps({"error": {"code": code, "message": message, "field": None, **extra}}).encode("utf-8")
        return self._send(status, [("Content-Type", "application/json")], body)

    def _send(self, status: int, headers: list[tuple[str, str]], body: bytes) -> int:
        self.send_response(status)
        for name, value in headers:
            if name.lower() not in {"content-length", "connection", "transfer-encoding"}:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not getattr(self, "_head", False):
            self.wfile.write(body)
        return int(status)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # `_dispatch` logs each request once, with its latency.
        return None

    def log_message(self, format: str, *args: Any) -> None:
        # Reached for malformed requests and timeouts, which never get to `_dispatch`.
        logger.warning("%s: " + format, self.client_address[0], *args)


def create_server(host: str, port: int, api: LocalApi, *, workers: int) -> LocalServer:
    """Bind `host:port`, where port 0 picks a free port. Raises `ServerStartError` when the address is unusable."""
    return LocalServer((host, port), api, workers=workers)
