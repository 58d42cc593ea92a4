"""Reading prompt files for `route --file` and `batch`: formats, limits, skipped rows and prompt hashes."""

import csv
import hashlib
import json
import logging

import pytest

from cli import inputs
from cli.app import CommandError
from cli.inputs import PromptRow, read_prompts


@pytest.fixture
def csv_limit():
    """Restore the csv module's process-wide field limit that reading a CSV raises."""
    original = csv.field_size_limit()
    yield
    csv.field_size_limit(original)


def write_csv(path, rows):
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_csv_field_over_default_limit(tmp_path, csv_limit):
    # 200,000 characters is over the csv module's default limit of 131,072.
    path = write_csv(tmp_path / "big.csv", [["id", "prompt"], ["a", "x" * 200_000], ["b", "hello"]])
    rows = read_prompts(path)
    assert [len(row.prompt) for row in rows] == [200_000, 5]


def test_csv_field_over_limit_names_line(tmp_path, csv_limit, monkeypatch):
    monkeypatch.setattr(inputs, "MAX_CSV_FIELD_CHARS", 1000)
    path = write_csv(tmp_path / "big.csv", [["prompt"], ["short"], ["x" * 2000]])
    with pytest.raises(CommandError) as raised:
        read_prompts(path)
    message = str(raised.value)
    assert message.startswith(f"--file {path}: ")
    assert "line 3" in message
    assert "longer than the limit of 1,000 characters" in message


def test_csv_unclosed_quote_rejected(tmp_path, csv_limit):
    path = tmp_path / "bad.csv"
    path.write_text('prompt,other\n"unterminated,1\nok,2\n', encoding="utf-8")
    with pytest.raises(CommandError) as raised:
        read_prompts(path)
    assert "is not valid CSV: unexpected end of data" in str(raised.value)


def test_csv_with_byte_order_mark(tmp_path, csv_limit):
    path = tmp_path / "excel.csv"
    path.write_text("prompt,id\nWhat is 2+2?,q1\n", encoding="utf-8-sig")
    (row,) = read_prompts(path)
    assert row.prompt == "What is 2+2?"
    assert row.key == "q1"


def test_jsonl_with_byte_order_mark(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_text('{"prompt": "hello"}\n', encoding="utf-8-sig")
    assert [row.prompt for row in read_prompts(path)] == ["hello"]


def test_json_array_of_objects_and_strings(tmp_path):
    path = tmp_path / "prompts.json"
    path.write_text(json.dumps([{"id": "x", "prompt": "first"}, "second"], indent=2), encoding="utf-8")
    rows = read_prompts(path)
    assert [(row.key, row.prompt, row.line) for row in rows] == [("x", "first", 1), ("2", "second", 2)]


def test_json_suffix_with_json_lines(tmp_path):
    path = tmp_path / "prompts.json"
    path.write_text('{"prompt": "one"}\n{"prompt": "two"}\n', encoding="utf-8")
    assert [row.prompt for row in read_prompts(path)] == ["one", "two"]


def test_json_array_invalid_names_line(tmp_path):
    path = tmp_path / "prompts.json"
    path.write_text('[\n  "one",\n  oops\n]\n', encoding="utf-8")
    with pytest.raises(CommandError, match="line 3 is not valid JSON"):
        read_prompts(path)


SKIPPED_ROWS = [
    ({"id": "a"}, "no prompt field"),
    ({"prompt": 3}, "prompt field is not a string"),
    ({"prompt": "  "}, "empty prompt"),
    ([1, 2], "not a JSON object or string"),
]


def write_skipped_rows(path, keep: bool):
    lines = [json.dumps(record) for record, _ in SKIPPED_ROWS]
    if keep:
        lines.append(json.dumps({"prompt": "kept"}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_skipped_rows_summarised(tmp_path, capsys):
    path = write_skipped_rows(tmp_path / "rows.jsonl", keep=True)
    rows = read_prompts(path)
    err = capsys.readouterr().err
    assert [row.prompt for row in rows] == ["kept"]
    assert "4 row(s) skipped" in err
    for _, reason in SKIPPED_ROWS:
        assert f"{reason} (1)" in err
    assert len(err.strip().splitlines()) == 1


def test_skipped_rows_logged_each(tmp_path, caplog):
    path = write_skipped_rows(tmp_path / "rows.jsonl", keep=True)
    with caplog.at_level(logging.INFO, logger="cli.inputs"):
        read_prompts(path)
    for line, (_, reason) in enumerate(SKIPPED_ROWS, start=1):
        assert f"rows.jsonl:{line}: {reason}" in caplog.text


def test_all_rows_skipped_raises(tmp_path):
    path = write_skipped_rows(tmp_path / "rows.jsonl", keep=False)
    with pytest.raises(CommandError) as raised:
        read_prompts(path)
    assert "no prompts found" in str(raised.value)
    assert "4 row(s) skipped" in str(raised.value)


def test_csv_empty_prompt_counted(tmp_path, csv_limit, capsys):
    path = write_csv(tmp_path / "rows.csv", [["id", "prompt"], ["a", ""], ["b", "kept"]])
    rows = read_prompts(path)
    assert [row.key for row in rows] == ["b"]
    assert "1 row(s) skipped: empty prompt (1)" in capsys.readouterr().err


def test_prompt_hash_of_text():
    row = PromptRow(key="1", prompt="Capital of France?", line=1)
    assert row.prompt_sha256() == hashlib.sha256(b"Capital of France?").hexdigest()


def test_prompt_hash_ignores_key_order():
    first = PromptRow(key="1", prompt={"system": None, "messages": [{"role": "user", "content": "hi"}]}, line=1)
    second = PromptRow(key="1", prompt={"messages": [{"content": "hi", "role": "user"}], "system": None}, line=1)
    assert first.prompt_sha256() == second.prompt_sha256()


def test_prompt_hash_changes_with_prompt():
    first = PromptRow(key="1", prompt="Capital of France?", line=1)
    second = PromptRow(key="1", prompt="Capital of Spain?", line=1)
    assert first.prompt_sha256() != second.prompt_sha256()
