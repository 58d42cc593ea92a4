"""The answers file of `batch`: its records, reading and checking it, and appending to it under a lock.

The file has one JSON object per line. Each line is one finished prompt: an
answer, or `"answer": null` with an `error` for a prompt that failed.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cli.app import CommandError
from cli.inputs import PromptRow
from cli.render import CliConsole
from providers.outcome import ExecutionResult

try:
    import fcntl
except ImportError:  # Windows has no flock, so runs there are not locked
    fcntl = None  # type: ignore[assignment]

stderr_console = CliConsole(stderr=True)


# `batch` writes each record with "key" first, so a line cut off by an
# interrupted write starts with these bytes. Only such a last line is
# tolerated, so that a foreign file is never mistaken for a cut-off record.
CUT_OFF_PREFIX = b'{"key": '


# Fields a record must have, and the JSON types each field may take.
REQUIRED_FIELDS: dict[str, tuple[type, ...]] = {"key": (str,), "answer": (str, type(None)), "error": (str, type(None))}


# Fields that older records may lack, but that must have these types when present.
OPTIONAL_FIELDS: dict[str, tuple[type, ...]] = {
    "prompt_sha256": (str,),
    "cost": (dict, type(None)),
    "quality": (int, float, type(None)),
}


RECORD_HINT = (
    "give a new path, or the answers file of an earlier batch "
    "(one JSON object per line with 'key', 'answer' and 'error')"
)


@dataclass
class AnswersFile:
    """The records of an existing answers file, and how its last line ends.

    `cut_off_at` is the byte offset of a last line that an interrupted write
    cut short, and `missing_newline` is True when the last line is a whole
    record without its newline.
    """

    records: list[dict[str, Any]] = field(default_factory=list)
    cut_off_at: int | None = None
    missing_newline: bool = False


def read_answers(path: Path, *, quiet: bool = False) -> AnswersFile:
    """Read the records of an earlier run from `path`, which need not exist.

    Raises `NotAnswersFileError` naming --output and the line when a line is not a
    batch record, because then the file is not an answers file. A last line
    that an interrupted write cut short is the only exception: it is left out,
    with a warning unless `quiet`.
    """
    answers = AnswersFile()
    if not path.exists():
        return answers
    offset = 0
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                record = _parse_record(line)
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                if line.endswith(b"\n") or not line.startswith(CUT_OFF_PREFIX):
                    raise NotAnswersFileError(path, number, _unreadable_problem(exc)) from exc
                answers.cut_off_at = offset
                if not quiet:
                    _warn_cut_off(path, number)
            except ValueError as exc:
                raise NotAnswersFileError(path, number, str(exc)) from exc
            else:
                if record is not None:
                    answers.records.append(record)
                    answers.missing_newline = not line.endswith(b"\n")
            offset += len(line)
    return answers


def _parse_record(line: bytes) -> dict[str, Any] | None:
    """Return the record on one line, or None for a blank line. Raise ValueError saying what is wrong with it."""
    text = line.decode("utf-8")
    if not text.strip():
        return None
    record = json.loads(text)
    if not isinstance(record, dict):
        raise ValueError(f"is a JSON {type(record).__name__}, not an object")
    for name, types in REQUIRED_FIELDS.items():
        if not isinstance(record.get(name, ...), types):
            raise ValueError(f"has no field '{name}' of type {_type_names(types)}")
    for name, types in OPTIONAL_FIELDS.items():
        if name in record and (not isinstance(record[name], types) or isinstance(record[name], bool)):
            raise ValueError(f"has a field '{name}' that is not of type {_type_names(types)}")
    if record["error"] is None and record["answer"] is None:
        raise ValueError("has neither an 'answer' nor an 'error'")
    return record


def _type_names(types: tuple[type, ...]) -> str:
    names = {str: "string", dict: "object", int: "number", float: "number", type(None): "null"}
    return " or ".join(dict.fromkeys(names[kind] for kind in types))


def _unreadable_problem(error: ValueError) -> str:
    if isinstance(error, UnicodeDecodeError):
        return f"is not UTF-8 text ({error.reason} at byte {error.start + 1} of the line)"
    assert isinstance(error, json.JSONDecodeError)
    # Some json messages end in "at" ("Unterminated string starting at"), because json appends the position.
    return f"is not valid JSON ({error.msg.removesuffix(' at')} at column {error.colno})"


class NotAnswersFileError(CommandError):
    """A line of an existing --output is not a batch record, so the file is not an answers file."""

    def __init__(self, path: Path, line: int, problem: str) -> None:
        super().__init__(
            f"--output {path}: line {line} {problem}, so the file is not a batch answers file "
            f"and nothing was sent or written: {RECORD_HINT}"
        )
        self.line = line
        self.problem = problem


def _warn_cut_off(path: Path, number: int) -> None:
    stderr_console.print(
        f"[yellow]warning:[/yellow] {path}:{number} is a record cut off by an interrupted write "
        "(not valid JSON, no newline at the end): ignored, and removed before new answers are appended",
        highlight=False,
        soft_wrap=True,
    )


@contextmanager
def locked_output(output: Path) -> Iterator[int]:
    """Open `output` for appending under an exclusive lock and yield its file descriptor.

    The lock is a `flock` on the file itself, so the kernel releases it when
    the process ends, however it ends. Raises `CommandError` at once when
    another process holds it.
    """
    try:
        descriptor = os.open(output, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
    except OSError as exc:
        raise CommandError(f"--output {output}: cannot be opened for appending: {exc.strerror}") from exc
    try:
        if fcntl is not None:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise CommandError(
                    f"--output {output}: another batch is writing this file and holds its lock: "
                    "wait for it to finish, or give another --output"
                ) from exc
        yield descriptor
    finally:
        os.close(descriptor)


def end_last_line(descriptor: int, answers: AnswersFile) -> None:
    """Make the file end with a newline, so that the first new record starts a line of its own."""
    if answers.cut_off_at is not None:
        os.ftruncate(descriptor, answers.cut_off_at)
    elif answers.missing_newline:
        write_bytes(descriptor, b"\n")


def append_record(descriptor: int, record: dict[str, Any]) -> None:
    """Append `record` as one JSON line, in one write call unless the disk fills, so a killed run leaves whole lines.

    When the write fails, the file is cut back to its old size, so that no
    partial line stays, and the `OSError` is raised.
    """
    data = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
    size = os.fstat(descriptor).st_size
    try:
        write_bytes(descriptor, data)
    except OSError:
        # If the cut fails too, the partial line stays last, because the run writes nothing after a failed write.
        # It starts like a record, so the next run ignores it with a warning and cuts it off.
        with contextlib.suppress(OSError):
            os.ftruncate(descriptor, size)
        raise


def write_bytes(descriptor: int, data: bytes) -> None:
    # os.write may write fewer bytes than asked, for example on a full disk, and then raises on the next call.
    while data:
        data = data[os.write(descriptor, data) :]


def latest_records(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Return one record per key: the latest answer if there is one, else the latest failure."""
    latest: dict[str, dict[str, Any]] = {}
    for record in records:
        key = str(record["key"])
        current = latest.get(key)
        if current is None or record.get("error") is None or current.get("error") is not None:
            latest[key] = record
    return latest


def answer_record(row: PromptRow, result: ExecutionResult) -> dict[str, Any]:
    """Return the answers-file record of a prompt that got an answer."""
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
        # False when the store failed after the answer arrived: the answer is valid, but the store lacks its outcome.
        "recorded": result.recorded,
        "error": None,
    }


def error_record(
    row: PromptRow,
    error: Exception,
    kind: str,
    decision_id: str | None = None,
    tier: int | None = None,
    model: str | None = None,
) -> dict[str, Any]:
    """Return the answers-file record of a prompt that got no answer."""
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
