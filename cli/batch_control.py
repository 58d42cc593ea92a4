"""Stopping a running `batch` on Ctrl-C.

The first Ctrl-C starts no new call, neither a prompt nor a retry nor a
fallback, and lets the calls in flight finish so that their answers are
written. A second Ctrl-C quits at once.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

from cli import execute_cmd
from cli.execute_cmd import build_executor
from cli.render import CliConsole
from providers.base import CompletionRequest, CompletionResult, Provider, StreamEvent
from providers.errors import ExecutionStoppedError
from providers.executor import Executor
from router.catalog import ModelEntry

logger = logging.getLogger(__name__)

# The exit status of an interrupted command, as in cli.app.main.
EXIT_INTERRUPTED = 130

stderr_console = CliConsole(stderr=True)


@dataclass
class Tally:
    """Counts of the prompts one run set out to execute, and whether Ctrl-C stopped the run."""

    total: int
    answered: int = 0
    failed: int = 0
    interrupted: bool = False
    # True once the message about the first Ctrl-C is printed. Only a Ctrl-C after it quits at once.
    announced: bool = False

    def add(self, record: dict[str, Any]) -> None:
        if record["error"] is None:
            self.answered += 1
        else:
            self.failed += 1

    def summary(self, output: Path) -> str:
        written = self.answered + self.failed
        text = (
            f"interrupted: {written} of {self.total} prompt(s) written to {output} "
            f"({self.answered} answered, {self.failed} failed)"
        )
        if written < self.total:
            text += f", {self.total - written} left undone: rerun the same command to execute them"
        return text


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
def stop_on_sigint(stop: threading.Event, tally: Tally) -> Iterator[None]:
    """Make SIGINT set `stop` and mark `tally` interrupted, and raise KeyboardInterrupt once that is announced.

    SIGINTs before the announcement count as the first one, because some
    senders deliver one interrupt twice: `timeout -s INT` signals the child
    and then its whole process group.
    """

    def handle(signum: int, frame: FrameType | None) -> None:
        if tally.announced:
            raise KeyboardInterrupt
        tally.interrupted = True
        stop.set()

    if threading.current_thread() is not threading.main_thread():
        # Only the main thread may set signal handlers. Elsewhere Ctrl-C works as in any other command.
        yield
        return
    previous = signal.signal(signal.SIGINT, handle)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def announce_interrupt(in_flight: int) -> None:
    stderr_console.print(
        f"interrupted: no new prompt, retry or fallback starts; waiting for {in_flight} call(s) in flight "
        "so that their answers are written. Press Ctrl-C again to quit without waiting",
        highlight=False,
        soft_wrap=True,
    )


def quit_now(in_flight: int) -> NoReturn:
    stderr_console.print(
        f"interrupted again: quitting without waiting for {in_flight} call(s) in flight, "
        "so their answers, if any, are not written: rerun the same command to execute the prompts left",
        highlight=False,
        soft_wrap=True,
    )
    sys.stdout.flush()
    sys.stderr.flush()
    # A normal exit would wait for the pool's threads, which are still inside their calls.
    # Every record written so far is complete, because each took one write call.
    os._exit(EXIT_INTERRUPTED)
