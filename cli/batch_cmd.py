"""`batch`: execute every prompt of a file with bounded concurrency, resumably, and report cost and quality.

Each answered or failed prompt becomes one JSON line of the output file,
written in one `write` call as soon as it finishes. A rerun skips the prompts
that already have an answer there (same key and same prompt hash), so an
interrupted batch resumes where it stopped and retries only what failed.

The run holds an exclusive `flock` on the output file, so a second batch on
the same file stops before it calls a model. The first Ctrl-C starts no new
call, neither a prompt nor a retry nor a fallback, and waits for the calls in
flight so that every answer already paid for is written. A second Ctrl-C
quits at once.
"""

from __future__ import annotations

import argparse
import json
import logging
import threading
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from cli import execute_cmd
from cli.app import CommandError
from cli.batch_control import (
    EXIT_INTERRUPTED,
    CallsStoppedError,
    Tally,
    announce_interrupt,
    build_stoppable_executor,
    quit_now,
    stop_on_sigint,
)
from cli.batch_output import (
    answer_record,
    end_last_line,
    error_record,
    latest_records,
    locked_output,
    read_answers,
    write_bytes,
)
from cli.batch_report import print_report
from cli.execute_cmd import check_max_tokens
from cli.inputs import PromptRow, read_prompts
from cli.paths import writable_folder
from cli.render import CliConsole
from providers.errors import ExecutionFailedError
from providers.executor import Executor
from router.exceptions import InvalidQueryError, RetiredModelError
from router.models import Tier

logger = logging.getLogger(__name__)

MAX_CONCURRENCY = 32
DEFAULT_CONCURRENCY = 4
# Seconds between the main thread's checks for Ctrl-C while calls are in flight.
POLL_S = 0.2

stderr_console = CliConsole(stderr=True)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("batch", help="execute every prompt of a file and report cost and quality")
    parser.add_argument(
        "--file",
        type=Path,
        required=True,
        help="JSONL or .json array (a 'prompt' field), CSV (a 'prompt' column) or text file",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=DEFAULT_CONCURRENCY,
        metavar="N",
        help=f"requests in flight at once, 1 to {MAX_CONCURRENCY} (default: {DEFAULT_CONCURRENCY})",
    )
    parser.add_argument(
        "--output",
        type=Path,
        metavar="OUT.jsonl",
        help="JSONL answers file, appended to; an existing one must be the output of an earlier batch "
        "(default: the file name plus .answers.jsonl, e.g. prompts.txt.answers.jsonl)",
    )
    parser.add_argument(
        "--max-tokens", type=int, metavar="N", help="answer length limit in tokens (default: LLM_ROUTER_MAX_TOKENS)"
    )
    parser.add_argument("--profile", help="catalog profile (default: LLM_ROUTER_CATALOG_PROFILE or 'current')")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if not 1 <= args.concurrency <= MAX_CONCURRENCY:
        raise CommandError(f"--concurrency {args.concurrency}: out of range: allowed 1 to {MAX_CONCURRENCY}")
    check_max_tokens(args.max_tokens)
    rows = read_prompts(args.file)
    _check_unique_keys(rows, args.file)
    # The whole file name: prompts.txt and prompts.csv must not share one answers file.
    output = args.output or args.file.with_name(args.file.name + ".answers.jsonl")
    _check_output(output, args.file)
    with writable_folder(output.parent, "--output", output):
        previous = read_answers(output).records
        pending = _pending_rows(rows, previous)
        _print_resume_notes(rows, pending, previous, output)
        tally = _execute(rows, output, args) if pending else None
    batch = list(latest_records(_records_of_rows(rows, read_answers(output, quiet=True).records)).values())
    print_report(batch, output)
    if tally is not None and tally.interrupted:
        stderr_console.print(tally.summary(output), highlight=False, soft_wrap=True)
        return EXIT_INTERRUPTED
    failed = sum(1 for record in batch if record.get("error") is not None)
    return 1 if failed else 0


def _execute(rows: list[PromptRow], output: Path, args: argparse.Namespace) -> Tally:
    stop = threading.Event()
    executor = build_stoppable_executor(args.profile, stop)
    try:
        # Before the output file is opened, so a missing key or unknown provider writes nothing.
        _check_providers(executor)
        with locked_output(output) as descriptor:
            # Read again under the lock: another batch may have appended answers since the first read.
            answers = read_answers(output, quiet=True)
            end_last_line(descriptor, answers)
            pending = _pending_rows(rows, answers.records)
            return _run_pending(executor, pending, descriptor, args, stop)
    finally:
        executor.close()
        executor.store.close()


def _check_output(output: Path, prompts: Path) -> None:
    """Reject an answers file that is the prompt file or cannot be appended to, before any request."""
    same = output.resolve() == prompts.resolve() or (output.exists() and output.samefile(prompts))
    if same:
        raise CommandError(
            f"--output {output}: is the same file as --file {prompts}, and answers would be appended to the prompts. "
            "Give another path or leave --output out"
        )
    if output.is_dir():
        raise CommandError(f"--output {output}: is a folder, not a file: give the path of a .jsonl file")
    if output.exists():
        try:
            with output.open("a", encoding="utf-8"):
                pass
        except OSError as exc:
            raise CommandError(f"--output {output}: cannot be appended to: {exc.strerror}") from exc


def _pending_rows(rows: list[PromptRow], previous: list[dict[str, Any]]) -> list[PromptRow]:
    """Return the rows without an answer to the same prompt in `previous`."""
    answered = {(record["key"], record.get("prompt_sha256")) for record in previous if record["error"] is None}
    return [row for row in rows if (row.key, row.prompt_sha256()) not in answered]


def _print_resume_notes(
    rows: list[PromptRow], pending: list[PromptRow], previous: list[dict[str, Any]], output: Path
) -> None:
    answered_keys = {record["key"] for record in previous if record["error"] is None}
    changed = sum(1 for row in pending if row.key in answered_keys)
    skipped = len(rows) - len(pending)
    if skipped:
        stderr_console.print(
            f"{skipped} of {len(rows)} prompts already answered in {output}: skipped", highlight=False, soft_wrap=True
        )
    if changed:
        stderr_console.print(
            f"note: {changed} prompt(s) changed since their answer in {output} was written "
            "(same key, different prompt hash): running them again",
            highlight=False,
            soft_wrap=True,
        )


def _records_of_rows(rows: list[PromptRow], records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Keep the records whose key and prompt hash match a row of this file."""
    hashes = {row.key: row.prompt_sha256() for row in rows}
    return [record for record in records if hashes.get(record["key"]) == record.get("prompt_sha256")]


def _check_providers(executor: Executor) -> None:
    # Building each provider the profile's tiers need resolves the API key
    # (or rejects an unknown provider name) once, up front.
    profile = executor.router.profile
    names = {executor.settings.provider or executor.router.catalog.model_for(tier, profile).provider for tier in Tier}
    factory = execute_cmd.provider_factory()
    for name in sorted(names):
        factory(name).close()


def _check_unique_keys(rows: list[PromptRow], path: Path) -> None:
    first_line: dict[str, int] = {}
    for row in rows:
        if row.key in first_line:
            raise CommandError(
                f"--file {path}: key {row.key!r} is on lines {first_line[row.key]} and {row.line}: "
                "give each prompt a unique 'id', because resuming skips prompts by key"
            )
        first_line[row.key] = row.line


def _run_pending(
    executor: Executor, rows: list[PromptRow], descriptor: int, args: argparse.Namespace, stop: threading.Event
) -> Tally:
    """Execute `rows`, at most --concurrency at a time, and append each record to `descriptor` as it finishes.

    A configuration error in one prompt (such as a key that can no longer be
    read) stops new calls like Ctrl-C does and is raised once the calls in
    flight are written.
    """
    tally = Tally(len(rows))
    queue = deque(rows)
    running: set[Future] = set()
    error: BaseException | None = None
    progress = Progress(
        TextColumn("executing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=stderr_console
    )
    pool = ThreadPoolExecutor(args.concurrency)
    try:
        with stop_on_sigint(stop, tally), progress:
            task = progress.add_task("execute", total=len(rows))
            while queue or running:
                # Only --concurrency prompts are submitted at a time, so a stop leaves no queued work behind.
                while queue and len(running) < args.concurrency and not stop.is_set():
                    running.add(pool.submit(execute_row, executor, queue.popleft(), args.max_tokens, stop))
                if not running:
                    break
                done, running = wait(running, timeout=POLL_S, return_when=FIRST_COMPLETED)
                if tally.interrupted and not tally.announced:
                    announce_interrupt(len(running))
                    tally.announced = True
                for future in done:
                    failure = future.exception()
                    if failure is not None:
                        error = error or failure
                        stop.set()
                    elif future.result() is not None:
                        _append(descriptor, future.result(), tally)
                        progress.advance(task)
    except KeyboardInterrupt:
        quit_now(sum(1 for future in running if not future.done()))
    finally:
        # However the loop ends, no call starts after it, and the pool waits only for the calls in flight.
        stop.set()
        pool.shutdown()
    if error is not None:
        raise error
    return tally


def _append(descriptor: int, record: dict[str, Any], tally: Tally) -> None:
    # One write call per record (unless the disk fills), so a killed process leaves no half-written line.
    write_bytes(descriptor, (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
    tally.add(record)


def execute_row(
    executor: Executor, row: PromptRow, max_tokens: int | None, stop: threading.Event
) -> dict[str, Any] | None:
    """Execute one prompt and return its output record, or None when the batch stopped before its call.

    A failure of this prompt alone becomes the record's `error`. Configuration
    errors (no API key, unknown provider) are raised, because every other
    prompt would fail too.
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
