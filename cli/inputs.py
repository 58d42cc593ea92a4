"""Read prompts from JSONL, JSON, CSV or plain-text files for `route --file` and `batch`.

Rows without a usable prompt are skipped and counted: one warning line sums
them up, and `-v` logs each skipped row's line number and reason.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel

from cli.app import CommandError, err_console

logger = logging.getLogger(__name__)

PROMPT_FIELDS = ("prompt", "query", "question", "text")

# Python's csv module rejects fields over 131,072 characters by default, which
# one long document prompt can exceed. This bound still stops a stray quote
# from turning the rest of a file into one field.
MAX_CSV_FIELD_CHARS = 10 * 1024 * 1024

# "utf-8-sig" also reads files that start with a byte order mark, as Excel writes them.
ENCODING = "utf-8-sig"

FORMATS_HINT = (
    "expected JSONL objects with a 'prompt' field, a JSON array, "
    "a CSV with a 'prompt' column, or one prompt per line of text"
)


class PromptRow(BaseModel):
    """One prompt of an input file; `key` identifies it for resuming a batch.

    `line` is the line number, or the 1-based position of the item in a JSON array.
    """

    key: str
    prompt: str | list | dict
    line: int

    def prompt_sha256(self) -> str:
        """Return the SHA-256 hex digest of the prompt (text as UTF-8, a chat as canonical JSON)."""
        if isinstance(self.prompt, str):
            data = self.prompt
        else:
            data = json.dumps(self.prompt, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(data.encode("utf-8")).hexdigest()


class _Skipped:
    """Rows left out for want of a usable prompt, by reason."""

    def __init__(self) -> None:
        self.reasons: Counter[str] = Counter()

    def add(self, path: Path, line: int, reason: str) -> None:
        self.reasons[reason] += 1
        # The line number and reason only: prompt text never goes to the log.
        logger.info("skipped %s:%d: %s", path, line, reason)

    def summary(self) -> str:
        total = sum(self.reasons.values())
        reasons = ", ".join(f"{reason} ({count})" for reason, count in self.reasons.most_common())
        return f"{total} row(s) skipped: {reasons}"


def read_prompts(path: Path, option: str = "--file") -> list[PromptRow]:
    """Read every prompt of `path`. The format follows the suffix: .jsonl, .ndjson, .json, .csv, else text.

    A `.json` file that starts with `[` is one JSON array of objects or
    strings, and any other `.json` file is read as JSONL.
    """
    if not path.exists():
        raise CommandError(f"{option} {path}: file not found")
    if not path.is_file():
        raise CommandError(f"{option} {path}: not a regular file")
    suffix = path.suffix.lower()
    skipped = _Skipped()
    try:
        if suffix == ".json" and _starts_with_bracket(path):
            rows = list(_read_json_array(path, option, skipped))
        elif suffix in {".jsonl", ".ndjson", ".json"}:
            rows = list(_read_jsonl(path, option, skipped))
        elif suffix == ".csv":
            rows = list(_read_csv(path, option, skipped))
        else:
            rows = list(_read_text(path))
    except UnicodeDecodeError as exc:
        raise CommandError(f"{option} {path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except OSError as exc:
        raise CommandError(f"{option} {path}: cannot be read: {exc.strerror}") from exc
    if not rows:
        found = f"{skipped.summary()}; " if skipped.reasons else ""
        raise CommandError(f"{option} {path}: no prompts found: {found}{FORMATS_HINT}")
    if skipped.reasons:
        err_console.print(
            f"[yellow]warning:[/yellow] {option} {path}: {skipped.summary()}; --verbose lists each row",
            highlight=False,
            soft_wrap=True,
        )
    return rows


def _starts_with_bracket(path: Path) -> bool:
    with path.open(encoding=ENCODING) as handle:
        for line in handle:
            if line.strip():
                return line.lstrip().startswith("[")
    return False


def _read_json_array(path: Path, option: str, skipped: _Skipped) -> Iterator[PromptRow]:
    try:
        items = json.loads(path.read_text(encoding=ENCODING))
    except json.JSONDecodeError as exc:
        raise CommandError(f"{option} {path}: line {exc.lineno} is not valid JSON ({exc.msg})") from exc
    if not isinstance(items, list):
        raise CommandError(f"{option} {path}: not a JSON array; {FORMATS_HINT}")
    for position, record in enumerate(items, start=1):
        row = _row_of(record, position, path, skipped)
        if row is not None:
            yield row


def _read_jsonl(path: Path, option: str, skipped: _Skipped) -> Iterator[PromptRow]:
    with path.open(encoding=ENCODING) as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CommandError(f"{option} {path}: line {number} is not valid JSON ({exc.msg})") from exc
            row = _row_of(record, number, path, skipped)
            if row is not None:
                yield row


def _row_of(record: object, number: int, path: Path, skipped: _Skipped) -> PromptRow | None:
    prompt, reason = _prompt_of(record)
    if prompt is None:
        skipped.add(path, number, reason)
        return None
    key = str(record.get("id", number)) if isinstance(record, dict) else str(number)
    return PromptRow(key=key, prompt=prompt, line=number)


def _prompt_of(record: object) -> tuple[str | list | dict | None, str]:
    """Return the record's prompt, or None and the reason it has none."""
    if isinstance(record, str):
        return (record, "") if record.strip() else (None, "empty prompt")
    if not isinstance(record, dict):
        return None, "not a JSON object or string"
    if isinstance(record.get("messages"), list):
        return {"messages": record["messages"], "system": record.get("system")}, ""
    present = [field for field in PROMPT_FIELDS if field in record]
    if not present:
        return None, "no prompt field"
    for field in present:
        value = record[field]
        if isinstance(value, str) and value.strip():
            return value, ""
    if all(isinstance(record[field], str) for field in present):
        return None, "empty prompt"
    return None, "prompt field is not a string"


def _read_csv(path: Path, option: str, skipped: _Skipped) -> Iterator[PromptRow]:
    # The limit is process-wide in the csv module, which is fine because the CLI reads one file per run.
    csv.field_size_limit(MAX_CSV_FIELD_CHARS)
    with path.open(encoding=ENCODING, newline="") as handle:
        # strict: an unclosed quote is an error, not a field that swallows the rows after it.
        reader = csv.DictReader(handle, strict=True)
        try:
            yield from _csv_rows(reader, path, option, skipped)
        except csv.Error as exc:
            problem = str(exc)
            if "field limit" in problem:
                problem = f"a field is longer than the limit of {MAX_CSV_FIELD_CHARS:,} characters"
            # DictReader.line_num changes only after a row parses, but its inner reader has counted the failing line.
            line = reader.reader.line_num
            raise CommandError(f"{option} {path}: line {line} is not valid CSV: {problem}") from exc


def _csv_rows(reader: csv.DictReader, path: Path, option: str, skipped: _Skipped) -> Iterator[PromptRow]:
    if not reader.fieldnames:
        return
    column = next((name for name in reader.fieldnames if name.strip().lower() in PROMPT_FIELDS), None)
    if column is None:
        raise CommandError(
            f"{option} {path}: no prompt column; expected one of {', '.join(PROMPT_FIELDS)}, "
            f"found {', '.join(reader.fieldnames)}"
        )
    for number, record in enumerate(reader, start=2):
        value = record.get(column) or ""
        if value.strip():
            yield PromptRow(key=str(record.get("id") or number), prompt=value, line=number)
        else:
            skipped.add(path, number, "empty prompt")


def _read_text(path: Path) -> Iterator[PromptRow]:
    with path.open(encoding=ENCODING) as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                yield PromptRow(key=str(number), prompt=line.rstrip("\n"), line=number)
