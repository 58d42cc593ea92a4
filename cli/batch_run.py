"""The execution loop of `batch`: a bounded number of prompts in flight, each record appended as it finishes.

A signal, a failed write, or a worker's exception that is not one prompt's
failure stops the run early. Then no new call starts, and the calls in flight
run to their end, so every answer already paid for is written, or counted
when it cannot be.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from cli.batch_control import CallsStoppedError, announce_stop, quit_now, stop_on_signals
from cli.batch_output import answer_record, append_record, error_record
from cli.batch_tally import Tally
from cli.inputs import PromptRow
from cli.render import CliConsole
from providers.errors import ExecutionFailedError
from providers.executor import Executor
from router.exceptions import InvalidQueryError, RetiredModelError

logger = logging.getLogger(__name__)

# Seconds between the main thread's checks for a signal while calls are in flight.
POLL_S = 0.2

stderr_console = CliConsole(stderr=True)


def run_pending(
    executor: Executor,
    rows: list[PromptRow],
    descriptor: int,
    concurrency: int,
    max_tokens: int | None,
    stop: threading.Event,
) -> Tally:
    """Execute `rows`, at most `concurrency` at a time, and append each record to `descriptor` as it finishes.

    Returns the tally, which contains the signal, the write error or the
    worker's exception that stopped the run early, if any. The caller raises
    that exception once it has reported what was written.
    """
    tally = Tally(len(rows))
    queue = deque(rows)
    running: set[Future] = set()
    progress = Progress(
        TextColumn("executing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=stderr_console
    )
    pool = ThreadPoolExecutor(concurrency)
    try:
        with stop_on_signals(stop, tally), progress:
            task = progress.add_task("execute", total=len(rows))
            while queue or running:
                # Only `concurrency` prompts are submitted at a time, so a stop leaves no queued work behind.
                while queue and len(running) < concurrency and not stop.is_set():
                    running.add(pool.submit(execute_row, executor, queue.popleft(), max_tokens, stop))
                if not running:
                    break
                done, running = wait(running, timeout=POLL_S, return_when=FIRST_COMPLETED)
                if tally.signal is not None and not tally.announced:
                    # Set first: a signal sent once the message is visible must count as the second.
                    tally.announced = True
                    announce_stop(tally.signal, len(running))
                for future in done:
                    if _finish(future, descriptor, tally, stop):
                        progress.advance(task)
    except KeyboardInterrupt:
        # Raised by a second signal, or by Ctrl-C where no handler could be set.
        quit_now(tally.signal or signal.SIGINT, sum(1 for future in running if not future.done()))
    finally:
        # However the loop ends, no call starts after it, and the pool waits only for the calls in flight.
        stop.set()
        pool.shutdown()
    return tally


def _finish(future: Future, descriptor: int, tally: Tally, stop: threading.Event) -> bool:
    """Write the record of one finished prompt and return True, or return False when the prompt has no record.

    A worker's exception or a failed write stops new calls.
    """
    failure = future.exception()
    if failure is not None:
        tally.error = tally.error or failure
        stop.set()
        return False
    record = future.result()
    if record is None:
        return False
    if tally.write_error is not None:
        # More writes would likely fail the same way, and a partial line that could not be cut off must stay last.
        tally.add_unwritten(record)
        return True
    try:
        append_record(descriptor, record)
    except OSError as exc:
        logger.error("answers file write failed", extra={"key": record["key"], "error": str(exc)})
        tally.write_error = exc
        tally.add_unwritten(record)
        stop.set()
        return True
    tally.add(record)
    return True


def execute_row(
    executor: Executor, row: PromptRow, max_tokens: int | None, stop: threading.Event
) -> dict[str, Any] | None:
    """Execute one prompt and return its output record, or None when the batch stopped before its call.

    A failure of this prompt alone becomes the record's `error`. Other errors
    are raised, because every other prompt would likely fail too:
    configuration errors (no API key, unknown provider) and a store that
    cannot log the decision. Both come before the call, so nothing is billed.
    """
    if stop.is_set():
        return None
    try:
        result = executor.execute(row.prompt, max_tokens=max_tokens)
    except CallsStoppedError:
        # The executor stored the decision with status "interrupted".
        return None
    except ExecutionFailedError as exc:
        return _failed(row, exc, exc.kind.value, exc.decision_id, exc.tier, exc.model)
    except (InvalidQueryError, RetiredModelError) as exc:
        return _failed(row, exc, type(exc).__name__)
    return answer_record(row, result)


def _failed(row: PromptRow, error: Exception, kind: str, *ids: Any) -> dict[str, Any]:
    record = error_record(row, error, kind, *ids)
    logger.warning("prompt failed", extra={"key": row.key, "decision_id": record["decision_id"], "error_kind": kind})
    return record
