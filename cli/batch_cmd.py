"""`batch`: execute every prompt of a file with bounded concurrency, resumably, and report cost and quality.

Each answered or failed prompt becomes one JSON line of the output file,
written and flushed as soon as it finishes. A rerun skips the prompts that
already have an answer there (same key and same prompt hash), so an
interrupted batch resumes where it stopped and retries only what failed.
"""

from __future__ import annotations

import argparse
import json
import logging
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import IO, Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from cli import execute_cmd
from cli.app import CommandError
from cli.batch_report import latest_records, print_report
from cli.execute_cmd import build_executor, check_max_tokens
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
        help="answers file, appended to (default: the file name plus .answers.jsonl, e.g. prompts.txt.answers.jsonl)",
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
        previous = read_output(output)
        pending = _pending_rows(rows, previous, output)
        new_records = _execute(pending, output, args) if pending else []
    batch = list(latest_records(_records_of_rows(rows, previous + new_records)).values())
    print_report(batch, output)
    failed = sum(1 for record in batch if record.get("error") is not None)
    return 1 if failed else 0


def _execute(pending: list[PromptRow], output: Path, args: argparse.Namespace) -> list[dict[str, Any]]:
    executor = build_executor(args.profile)
    try:
        # Before the output file is opened, so a missing key or unknown provider writes nothing.
        _check_providers(executor)
        return _run_pending(executor, pending, output, args)
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


def _pending_rows(rows: list[PromptRow], previous: list[dict[str, Any]], output: Path) -> list[PromptRow]:
    """Return the rows without an answer to the same prompt in `previous`; print how many are skipped or run again."""
    answered = {(str(record["key"]), record.get("prompt_sha256")) for record in previous if record.get("error") is None}
    answered_keys = {key for key, _ in answered}
    pending = [row for row in rows if (row.key, row.prompt_sha256()) not in answered]
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
    return pending


def _records_of_rows(rows: list[PromptRow], records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Keep the records whose key and prompt hash match a row of this file."""
    hashes = {row.key: row.prompt_sha256() for row in rows}
    return [record for record in records if hashes.get(str(record["key"])) == record.get("prompt_sha256")]


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


def read_output(path: Path) -> list[dict[str, Any]]:
    """Read the records of an earlier run; a line cut short by a crash is skipped with a warning."""
    if not path.exists():
        return []
    records = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                stderr_console.print(
                    f"[yellow]warning:[/yellow] {path}:{number} is not valid JSON: ignored",
                    highlight=False,
                    soft_wrap=True,
                )
                continue
            if isinstance(record, dict) and "key" in record:
                records.append(record)
    return records


def _run_pending(executor: Executor, rows: list[PromptRow], output: Path, args: argparse.Namespace) -> list[dict]:
    records: list[dict[str, Any]] = []
    progress = Progress(
        TextColumn("executing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=stderr_console
    )
    with output.open("a", encoding="utf-8") as handle, progress, ThreadPoolExecutor(args.concurrency) as pool:
        task = progress.add_task("execute", total=len(rows))
        futures: set[Future] = {pool.submit(execute_row, executor, row, args.max_tokens) for row in rows}
        try:
            while futures:
                done, futures = wait(futures, return_when=FIRST_COMPLETED)
                for future in done:
                    record = future.result()
                    _append(handle, record)
                    records.append(record)
                    progress.advance(task)
        except BaseException:
            # A missing API key or Ctrl-C stops the batch; finished lines are already written.
            for future in futures:
                future.cancel()
            raise
    return records


def _append(handle: IO[str], record: dict[str, Any]) -> None:
    handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    handle.flush()


def execute_row(executor: Executor, row: PromptRow, max_tokens: int | None) -> dict[str, Any]:
    """Execute one prompt and return its output record; a failure of this prompt alone becomes its `error`.

    Configuration errors (no API key, unknown provider) are raised, because every other prompt would fail too.
    """
    try:
        result = executor.execute(row.prompt, max_tokens=max_tokens)
    except ExecutionFailedError as exc:
        return _error_record(row, exc, exc.kind.value, exc.decision_id, exc.tier, exc.model)
    except (InvalidQueryError, RetiredModelError) as exc:
        return _error_record(row, exc, type(exc).__name__)
    decision = result.decision
    return {
        "key": row.key,
        "line": row.line,
        "prompt_sha256": row.prompt_sha256(),
        "decision_id": decision.decision_id,
        "tier": decision.selected_tier.value,
        "model": decision.selected_model,
        "answer": result.text,
        "usage": result.usage.model_dump(),
        "cost": {
            "actual_usd": result.actual_cost_usd,
            "estimated_usd": decision.estimated_cost_usd,
            "baseline_usd": decision.baseline_cost_usd,
        },
        "quality": result.quality,
        "stop_reason": result.stop_reason,
        "latency_ms": result.latency_ms,
        "fallback_from_tier": decision.fallback_from_tier.value if decision.fallback_from_tier else None,
        "error": None,
    }


def _error_record(
    row: PromptRow,
    error: Exception,
    kind: str,
    decision_id: str | None = None,
    tier: int | None = None,
    model: str | None = None,
) -> dict[str, Any]:
    logger.warning("prompt failed", extra={"key": row.key, "decision_id": decision_id, "error_kind": kind})
    return {
        "key": row.key,
        "line": row.line,
        "prompt_sha256": row.prompt_sha256(),
        "decision_id": decision_id,
        "tier": tier,
        "model": model,
        "answer": None,
        "usage": None,
        "cost": None,
        "quality": None,
        "error": str(error),
        "error_kind": kind,
    }
