"""Accepted connections wait here, off the worker pool, until their client sends something."""

from __future__ import annotations

import logging
import selectors
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.25


class IdleConnectionWatcher:
    """Hand each accepted connection to `dispatch` once it is readable, or to `close` after `timeout` seconds.

    Browsers open spare connections that they may never use, and a client can
    connect and send nothing. Were such a connection given to a worker at
    once, the worker would wait on it for the whole socket timeout, and a few
    of them would stall the fixed pool. Here one thread waits on all of them.
    """

    def __init__(
        self,
        dispatch: Callable[[socket.socket, Any], None],
        close: Callable[[socket.socket], None],
        timeout: float,
    ) -> None:
        self._dispatch = dispatch
        self._close = close
        self._timeout = timeout
        self._selector = selectors.DefaultSelector()
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="llm-router-http-idle", daemon=True)
        self._thread.start()

    def add(self, connection: socket.socket, client_address: Any) -> None:
        deadline = time.monotonic() + self._timeout
        with self._lock:
            self._selector.register(connection, selectors.EVENT_READ, (client_address, deadline))

    def stop(self) -> None:
        """Stop waiting and close every connection still waiting."""
        self._stopped.set()
        self._thread.join()
        with self._lock:
            waiting = [key.fileobj for key in self._selector.get_map().values()]
            for connection in waiting:
                self._selector.unregister(connection)
        for connection in waiting:
            self._close(connection)  # type: ignore[arg-type]
        self._selector.close()

    def _run(self) -> None:
        while not self._stopped.is_set():
            try:
                ready = self._selector.select(timeout=POLL_SECONDS)
            except OSError:
                # A connection closed between registration and select; the next round skips it.
                logger.debug("waiting for idle connections failed; retrying", exc_info=True)
                ready = []
            for key, _ in ready:
                self._hand_over(key.fileobj, key.data[0])  # type: ignore[arg-type]
            self._expire(time.monotonic())

    def _hand_over(self, connection: socket.socket, client_address: Any) -> None:
        with self._lock:
            try:
                self._selector.unregister(connection)
            except (KeyError, ValueError):
                return
        self._dispatch(connection, client_address)

    def _expire(self, now: float) -> None:
        with self._lock:
            expired = [key for key in self._selector.get_map().values() if key.data[1] <= now]
            for key in expired:
                self._selector.unregister(key.fileobj)
        for key in expired:
            logger.debug("connection from %s sent nothing for %g s; closed", key.data[0][0], self._timeout)
            self._close(key.fileobj)  # type: ignore[arg-type]
