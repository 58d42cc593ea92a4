"""`batch`: execute every prompt of a file with bounded concurrency, resumably, and report cost and quality.

Each answered or failed prompt becomes one JSON line of the output file,
written in one `write` call as soon as it finishes. A rerun skips the prompts
that already have an answer there (same key and same prompt hash), so an
interrupted batch resumes where it stopped and retries only what failed.

The run holds an exclusive `flock` on the output file, so a second batch on
the same file stops before it calls a model. The first Ctrl-C, SIGTERM or
SIGHUP, a failed write and a worker's unexpected exception all start no new
call, neither a prompt nor a retry nor a fallback, and wait for the calls in
flight so that every answer already paid for is written. A second signal
quits at once.
"""

from __future__ import annotations

import argparse
import os
import stat
import threading
from pathlib import Path
from typing import Any

from cli import execute_cmd
from cli.app import CommandError
from cli.batch_control import build_stoppable_executor, exit_status
from cli.batch_output import NotAnswersFileError, end_last_line, latest_records, locked_output, read_answers
from cli.batch_report import print_report
from cli.batch_run import run_pending
from cli.batch_tally import Tally
from cli.execute_cmd import check_max_tokens
from cli.inputs import PromptRow, read_prompts
from cli.paths import path_option, writable_folder
from cli.render import CliConsole
from providers.executor import Executor
from router.models import Tier

MAX_CONCURRENCY = 32
DEFAULT_CONCURRENCY = 4

# Descriptions of the file types that an existing --output must not have, by the type bits of its mode.
FILE_KINDS = {
    stat.S_IFIFO: "a pipe (FIFO)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}

stderr_console = CliConsole(stderr=True)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("batch", help="execute every prompt of a file and report cost and quality")
    parser.add_argument(
        "--file",
        type=path_option,
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
        type=path_option,
        metavar="OUT.jsonl",
        help="JSONL answers file, appended to; an existing one must be a regular file written by an earlier batch "
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
        if _pending_rows(rows, previous):
            tally = _execute(rows, output, args)
        else:
            _print_resume_notes(rows, [], previous, output)
            tally = None
    return _finish(rows, output, tally)


def _execute(rows: list[PromptRow], output: Path, args: argparse.Namespace) -> Tally:
    stop = threading.Event()
    executor = build_stoppable_executor(args.profile, stop)
    try:
        # Before the output file is opened, so a missing key or unknown provider writes nothing.
        _check_providers(executor)
        with locked_output(output) as descriptor:
            # Read again under the lock: another batch may have appended answers since the first read.
            answers = read_answers(output, quiet=True)
            try:
                end_last_line(descriptor, answers)
            except OSError as exc:
                raise CommandError(f"--output {output}: cannot be written: {exc.strerror}") from exc
            pending = _pending_rows(rows, answers.records)
            _print_resume_notes(rows, pending, answers.records, output)
            return run_pending(executor, pending, descriptor, args.concurrency, args.max_tokens, stop)
    finally:
        executor.close()
        executor.store.close()


def _finish(rows: list[PromptRow], output: Path, tally: Tally | None) -> int:
    """Print the report and what stopped the run early, and return the exit status.

    Raises the worker's exception that stopped the run, if any, once the
    report and the summary line have counted what was written.
    """
    failed = _report(rows, output)
    if tally is None:
        return 1 if failed else 0
    if tally.unrecorded:
        stderr_console.print(tally.unrecorded_warning(output), highlight=False, soft_wrap=True)
    if tally.write_error is not None:
        stderr_console.print(f"[red]error:[/red] {tally.write_failure(output)}", highlight=False, soft_wrap=True)
    elif tally.signal is not None or tally.error is not None:
        stderr_console.print(tally.stop_summary(output), highlight=False, soft_wrap=True)
    if tally.error is not None:
        raise tally.error
    if tally.write_error is not None:
        return 1
    if tally.signal is not None:
        return exit_status(tally.signal)
    if failed is None:
        return 0 if tally.answered == tally.total else 1
    return 1 if failed else 0


def _report(rows: list[PromptRow], output: Path) -> int | None:
    """Print the report on the file's latest records of `rows`, and return how many of them failed.

    Returns None, with a warning, when the file is no longer an answers file,
    because another program wrote to it during the run.
    """
    try:
        records = read_answers(output, quiet=True).records
    except NotAnswersFileError as exc:
        stderr_console.print(
            f"[yellow]warning:[/yellow] {output} changed during the run: line {exc.line} {exc.problem}. "
            "The answers of this run were written, but the report is skipped. "
            "Remove that line before the next run, which rejects the file until then",
            highlight=False,
            soft_wrap=True,
        )
        return None
    batch = list(latest_records(_records_of_rows(rows, records)).values())
    print_report(batch, output)
    return sum(1 for record in batch if record.get("error") is not None)


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
        # Reading a pipe would wait for a writer, and a device such as /dev/null would discard paid answers.
        kind = stat.S_IFMT(os.stat(output).st_mode)
        if kind != stat.S_IFREG:
            raise CommandError(
                f"--output {output}: is {FILE_KINDS.get(kind, 'a special file')}, not a regular file: "
                "give the path of a .jsonl file"
            )
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
