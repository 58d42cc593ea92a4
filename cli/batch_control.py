"""Stopping a running `batch` on Ctrl-C, SIGTERM or SIGHUP.

The first of these signals starts no new call, neither a prompt nor a retry
nor a fallback, and lets the calls in flight finish so that their answers are
written. A second one quits at once.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from types import FrameType
from typing import NoReturn

from cli import execute_cmd
from cli.batch_tally import Tally, signal_label
from cli.execute_cmd import build_executor
from cli.render import CliConsole
from providers.base import CompletionRequest, CompletionResult, Provider, StreamEvent
from providers.errors import ExecutionStoppedError
from providers.executor import Executor
from router.catalog import ModelEntry

logger = logging.getLogger(__name__)

# Signals that stop a batch gently. Windows has no SIGHUP.
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))

stderr_console = CliConsole(stderr=True)


def exit_status(signum: int) -> int:
    """Return the shell's status for a process ended by `signum`: 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP."""
    return 128 + signum


def build_stoppable_executor(profile: str | None, stop: threading.Event) -> Executor:
    """Build an executor whose retry waits end, and whose providers start no call, once `stop` is set."""
    # build_executor names --profile when it is unknown and prints the catalog's lifecycle warnings.
    routed = build_executor(profile)
    factory = execute_cmd.provider_factory()

    def build(name: str) -> Provider:
        return StoppableProvider(factory(name), stop)

    def sleep(seconds: float) -> None:
        stop.wait(seconds)

    return Executor(routed.router, routed.store, provider_factory=build, sleep=sleep)


class CallsStoppedError(ExecutionStoppedError):
    """The batch was interrupted, so a provider call was not started."""


class StoppableProvider(Provider):
    """A provider that raises `CallsStoppedError` in place of any call once `stop` is set.

    The executor calls the provider for every attempt, retry and fallback, so
    this one check stops all three.
    """

    def __init__(self, provider: Provider, stop: threading.Event) -> None:
        self._provider = provider
        self._stop = stop
        self.name = provider.name

    def model_id(self, entry: ModelEntry) -> str:
        return self._provider.model_id(entry)

    def complete(self, request: CompletionRequest) -> CompletionResult:
        self._check_running(request)
        return self._provider.complete(request)

    def stream(self, request: CompletionRequest) -> Iterator[StreamEvent]:
        self._check_running(request)
        return self._provider.stream(request)

    def close(self) -> None:
        self._provider.close()

    def _check_running(self, request: CompletionRequest) -> None:
        if self._stop.is_set():
            logger.warning("call not started: the batch is stopping", extra={"model": request.model})
            raise CallsStoppedError


@contextmanager
def stop_on_signals(stop: threading.Event, tally: Tally) -> Iterator[None]:
    """Make SIGINT, SIGTERM and SIGHUP set `stop` and `tally.signal`, and raise KeyboardInterrupt once announced.

    Signals before the announcement count as the first one, because some
    senders deliver one interrupt twice: `timeout -s INT` signals the child
    and then its whole process group. A signal that the process ignores, as
    SIGHUP under `nohup`, stays ignored.
    """

    def handle(signum: int, frame: FrameType | None) -> None:
        if tally.announced:
            raise KeyboardInterrupt
        if tally.signal is None:
            tally.signal = signum
        stop.set()

    if threading.current_thread() is not threading.main_thread():
        # Only the main thread may set signal handlers. Elsewhere the signals work as in any other command.
        yield
        return
    previous = {signum: signal.getsignal(signum) for signum in STOP_SIGNALS}
    for signum, handler in previous.items():
        if handler != signal.SIG_IGN:
            signal.signal(signum, handle)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            if handler != signal.SIG_IGN:
                signal.signal(signum, handler)


def announce_stop(signum: int, in_flight: int) -> None:
    """Print that no call starts any more, unless stderr is gone (a terminal closed, which sends SIGHUP)."""
    how_to_quit = "Press Ctrl-C again" if signum == signal.SIGINT else f"Send {signal.Signals(signum).name} again"
    text = (
        f"{signal_label(signum)}: no new prompt, retry or fallback starts; waiting for {in_flight} call(s) "
        f"in flight so that their answers are written. {how_to_quit} to quit without waiting"
    )
    # The answers in flight matter more than this message.
    with suppress(OSError):
        stderr_console.print(text, highlight=False, soft_wrap=True)


def quit_now(signum: int, in_flight: int) -> NoReturn:
    """Exit at once with the status of `signum`, without waiting for the calls in flight."""
    with suppress(OSError):
        stderr_console.print(
            f"{signal_label(signum)} again: quitting without waiting for {in_flight} call(s) in flight, "
            "so their answers, if any, are not written: rerun the same command to execute the prompts left",
            highlight=False,
            soft_wrap=True,
        )
        sys.stdout.flush()
        sys.stderr.flush()
    # A normal exit would wait for the pool's threads, which are still inside their calls.
    # Every record written so far is complete, because each took one write call.
    os._exit(exit_status(signum))
