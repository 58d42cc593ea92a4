"""`dashboard`: serve the HTTP API, the dashboard page and Prometheus metrics on one local port."""

from __future__ import annotations

import argparse
import ipaddress
import logging
import os
import signal
import sys
from types import FrameType

from cli.app import CommandError
from cli.paths import path_option
from cli.render import console
from feedback.exceptions import StoreOpenError
from router.settings import Settings

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_WORKERS = 8
MAX_WORKERS = 64


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "dashboard", help="serve the API, a live dashboard and Prometheus metrics on a local port"
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default: {DEFAULT_HOST})")
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"TCP port to listen on; 0 picks a free one (default: {DEFAULT_PORT})",
    )
    parser.add_argument(
        "--db", type=path_option, metavar="PATH", help="SQLite file of the store (default: LLM_ROUTER_DB_PATH)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=DEFAULT_WORKERS,
        help=f"threads serving requests, 1 to {MAX_WORKERS} (default: {DEFAULT_WORKERS})",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    # Imported here: the server pulls in Powertools and the router, which
    # every other command would otherwise load at start-up for nothing.
    from server.httpd import ServerStartError, create_server
    from server.local_api import LocalApi

    _check_args(args)
    settings = Settings.from_env()
    if args.db:
        settings = settings.model_copy(update={"db_path": args.db, "store_backend": "sqlite"})
    try:
        api = LocalApi.from_settings(settings)
    except StoreOpenError as exc:
        if not args.db:
            raise
        raise CommandError(exc.describe("--db")) from exc
    try:
        server = create_server(args.host, args.port, api, workers=args.workers)
    except ServerStartError as exc:
        api.close()
        raise CommandError(str(exc)) from None

    # The server logs one line per request through this logger.
    logging.getLogger("server").setLevel(logging.INFO)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        # Inside the try: a Ctrl-C right after the banner must stop cleanly too.
        _print_banner(server.url, settings, args.host)
        server.serve_forever()
    except KeyboardInterrupt:
        # From here on, a second Ctrl-C or SIGTERM quits at once, wherever it arrives.
        signal.signal(signal.SIGINT, _quit_now)
        signal.signal(signal.SIGTERM, _quit_now)
        console.print("stopping: waiting for requests in progress (Ctrl-C again quits at once)", highlight=False)
    finally:
        server.server_close()
        api.close()
    console.print("dashboard stopped", highlight=False)
    return 0


def _quit_now(signum: int, frame: FrameType | None) -> None:
    console.print("interrupted again: quitting without waiting for requests in progress", highlight=False)
    sys.stdout.flush()
    # A normal exit would wait for the pool's threads, which are still serving.
    os._exit(130)


def _check_args(args: argparse.Namespace) -> None:
    if not args.host.strip():
        # An empty host makes socketserver listen on every interface.
        raise CommandError("--host is empty: give an address such as 127.0.0.1, or 0.0.0.0 for every interface")
    if not 0 <= args.port <= 65535:
        raise CommandError(f"--port {args.port} is invalid: expected 0 to 65535")
    if not 1 <= args.workers <= MAX_WORKERS:
        raise CommandError(f"--workers {args.workers} is invalid: expected 1 to {MAX_WORKERS}")


def _print_banner(url: str, settings: Settings, host: str) -> None:
    store = str(settings.db_path) if settings.store_backend == "sqlite" else settings.store_backend
    console.print(f"llm-router dashboard: {url}", highlight=False)
    console.print(f"API docs: {url}docs", highlight=False)
    console.print(f"metrics: {url}metrics", highlight=False)
    console.print(f"store: {store}", highlight=False)
    if not _is_loopback(host):
        console.print(
            f"[yellow]warning:[/yellow] listening on {_describe_host(host)}: the local API has no authentication, "
            "so anyone who can reach this address can route queries and read decisions",
            highlight=False,
        )
    console.print("press Ctrl-C to stop", highlight=False)


def _describe_host(host: str) -> str:
    return f"{host} (every interface)" if host in {"0.0.0.0", "::"} else host


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _interrupt(signum: int, frame: FrameType | None) -> None:
    # SIGTERM stops the server the same way as Ctrl-C.
    raise KeyboardInterrupt
