"""Read prompts from JSONL, CSV or plain-text files for `route --file` and `batch`."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel

from cli.app import CommandError

PROMPT_FIELDS = ("prompt", "query", "question", "text")


class PromptRow(BaseModel):
    """One prompt of an input file; `key` identifies it for resuming a batch."""

    key: str
    prompt: str | list | dict
    line: int


def read_prompts(path: Path, option: str = "--file") -> list[PromptRow]:
    """Read every prompt of `path`; the format follows the suffix (.jsonl, .json, .csv, else text)."""
    if not path.exists():
        raise CommandError(f"{option} {path}: file not found")
    if not path.is_file():
        raise CommandError(f"{option} {path}: not a regular file")
    suffix = path.suffix.lower()
    try:
        if suffix in {".jsonl", ".ndjson", ".json"}:
            rows = list(_read_jsonl(path, option))
        elif suffix == ".csv":
            rows = list(_read_csv(path, option))
        else:
            rows = list(_read_text(path))
    except UnicodeDecodeError as exc:
        raise CommandError(f"{option} {path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except OSError as exc:
        raise CommandError(f"{option} {path}: cannot be read: {exc.strerror}") from exc
    if not rows:
        raise CommandError(
            f"{option} {path}: no prompts found; expected JSONL objects with a 'prompt' field, "
            "a CSV with a 'prompt' column, or one prompt per line of text"
        )
    return rows


def _read_jsonl(path: Path, option: str) -> Iterator[PromptRow]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CommandError(f"{option} {path}: line {number} is not valid JSON ({exc.msg})") from exc
            prompt = _prompt_of(record)
            if prompt is None:
                continue
            key = str(record.get("id", number)) if isinstance(record, dict) else str(number)
            yield PromptRow(key=key, prompt=prompt, line=number)


def _prompt_of(record: object) -> str | list | dict | None:
    if isinstance(record, str):
        return record if record.strip() else None
    if not isinstance(record, dict):
        return None
    if isinstance(record.get("messages"), list):
        return {"messages": record["messages"], "system": record.get("system")}
    for field in PROMPT_FIELDS:
        value = record.get(field)
        if isinstance(value, str) and value.strip():
            return value
    return None


def _read_csv(path: Path, option: str) -> Iterator[PromptRow]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
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


def _read_text(path: Path) -> Iterator[PromptRow]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                yield PromptRow(key=str(number), prompt=line.rstrip("\n"), line=number)
