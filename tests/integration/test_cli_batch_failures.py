"""`batch` when writing, the store or the output path fails: no answer already paid for is lost without a count.

Most tests call `cli.app.main` in this process with the fake API at the HTTP
transport and make one component fail by monkeypatching it. Paths that would
block the process (a FIFO, a pipe) run `main.py batch` as a subprocess with a
timeout instead.
"""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import httpx2
import pytest

from cli import batch_output
from cli.app import main
from feedback.backends.sqlite import SQLiteBackend
from feedback.exceptions import StoreError
from tests.support.data import REPO_ROOT
from tests.support.execute import fake_api_for_cli
from tests.support.fake_anthropic import message

# Generous bound in seconds for a subprocess that should exit before any request. No test expects to come near it.
WAIT_S = 60


@pytest.fixture
def api(monkeypatch, tmp_path):
    """A fake API that every provider the CLI builds talks to, and a store in tmp_path."""
    return fake_api_for_cli(monkeypatch, tmp_path)


def write_prompts(path: Path, prompts: dict[str, str]) -> None:
    lines = [json.dumps({"id": key, "prompt": prompt}) for key, prompt in prompts.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def read_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture
def prompts(tmp_path: Path) -> Path:
    path = tmp_path / "prompts.jsonl"
    write_prompts(path, {"a": "Capital of France?", "b": "Capital of Peru?", "c": "Capital of Chad?"})
    return path


def fail_writes(monkeypatch, after: int) -> None:
    """Make every write of a record after the first `after` write half of its bytes and then fail as on a full disk."""
    calls = []
    real_write = batch_output.write_bytes

    def write(descriptor: int, data: bytes) -> None:
        calls.append(data)
        if len(calls) <= after:
            real_write(descriptor, data)
            return
        os.write(descriptor, data[: len(data) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(batch_output, "write_bytes", write)


# A full disk


def test_batch_disk_full_waits_for_calls_in_flight(api, tmp_path, prompts, monkeypatch, capsys):
    output = tmp_path / "out.jsonl"
    fail_writes(monkeypatch, after=0)
    # Both calls reach the API before either answers, so the second is in flight when the first write fails.
    both_sent = threading.Barrier(2, timeout=WAIT_S)
    answer = message("An answer.")

    def reply(request: httpx2.Request, body: dict) -> httpx2.Response:
        both_sent.wait()
        return answer(request, body)

    api.default = reply
    code = main(["batch", "--file", str(prompts), "--output", str(output), "--concurrency", "2"])
    _, err = capsys.readouterr()
    assert code == 1
    assert f"--output {output}: write failed: [Errno 28] No space left on device" in err
    assert "2 answered prompt(s) could not be written, so a rerun pays for them again" in err
    assert "0 of 3 prompt(s) written" in err
    assert "Traceback" not in err
    assert len(api.requests) == 2
    assert output.read_bytes() == b""


def test_batch_disk_full_cuts_partial_line(api, tmp_path, prompts, monkeypatch, capsys):
    output = tmp_path / "out.jsonl"
    fail_writes(monkeypatch, after=1)
    code = main(["batch", "--file", str(prompts), "--output", str(output), "--concurrency", "1"])
    _, err = capsys.readouterr()
    assert code == 1
    assert "1 answered prompt(s) could not be written" in err
    assert "1 of 3 prompt(s) written" in err
    assert "1 left undone" in err
    assert [record["key"] for record in read_lines(output)] == ["a"]
    assert len(api.requests) == 2


def test_batch_disk_full_before_requests(api, tmp_path, prompts, monkeypatch, capsys):
    output = tmp_path / "out.jsonl"
    # A last record without its newline gets one before the run, and that write fails.
    output.write_text('{"key": "a", "answer": "Earlier.", "error": null}', encoding="utf-8")
    fail_writes(monkeypatch, after=0)
    code = main(["batch", "--file", str(prompts), "--output", str(output)])
    _, err = capsys.readouterr()
    assert code == 2
    assert f"--output {output}: cannot be written: No space left on device" in err
    assert "Traceback" not in err
    assert api.requests == []


# The store


@pytest.mark.parametrize("failure", [sqlite3.OperationalError("database is locked"), StoreError("store down")])
def test_batch_store_failure_keeps_answer(api, tmp_path, prompts, monkeypatch, capsys, failure):
    def record_outcome(self, decision, previous_actual_cost):
        raise failure

    monkeypatch.setattr(SQLiteBackend, "record_outcome", record_outcome)
    output = tmp_path / "out.jsonl"
    code = main(["batch", "--file", str(prompts), "--output", str(output)])
    _, err = capsys.readouterr()
    records = read_lines(output)
    assert code == 0
    assert len(records) == 3
    assert all(record["answer"] == "Paris is the capital of France." for record in records)
    assert all(record["recorded"] is False for record in records)
    assert "the store failed to save the outcome of 3 answer(s)" in err


def test_batch_recorded_answer_marked(api, tmp_path, prompts):
    output = tmp_path / "out.jsonl"
    main(["batch", "--file", str(prompts), "--output", str(output)])
    assert all(record["recorded"] is True for record in read_lines(output))


def test_batch_worker_error_reports_written(api, tmp_path, prompts, monkeypatch, capsys):
    real_put = SQLiteBackend.put_decision
    calls = []

    def put_decision(self, decision):
        calls.append(decision.decision_id)
        if len(calls) == 2:
            raise sqlite3.OperationalError("database is locked")
        real_put(self, decision)

    monkeypatch.setattr(SQLiteBackend, "put_decision", put_decision)
    output = tmp_path / "out.jsonl"
    code = main(["batch", "--file", str(prompts), "--output", str(output), "--concurrency", "1"])
    _, err = capsys.readouterr()
    assert code == 1
    assert [record["key"] for record in read_lines(output)] == ["a"]
    assert f"stopped by an error: 1 of 3 prompt(s) written to {output} (1 answered, 0 failed), 2 left undone" in err
    assert "the SQLite store failed: database is locked" in err
    assert len(api.requests) == 1


# The output file changed by another program


def test_batch_output_changed_during_run(api, tmp_path, prompts, capsys):
    output = tmp_path / "out.jsonl"
    answer = message("An answer.")

    def reply(request: httpx2.Request, body: dict) -> httpx2.Response:
        if "Peru" in json.dumps(body["messages"]):
            with output.open("a", encoding="utf-8") as handle:
                handle.write("appended by another program\n")
        return answer(request, body)

    api.default = reply
    code = main(["batch", "--file", str(prompts), "--output", str(output), "--concurrency", "1"])
    out, err = capsys.readouterr()
    lines = output.read_text(encoding="utf-8").splitlines()
    assert code == 0
    assert f"{output} changed during the run: line 2 is not valid JSON" in err
    assert "the report is skipped" in err
    assert "nothing was sent or written" not in err
    assert "cost and quality by tier" not in out
    assert len(lines) == 4
    assert lines[1] == "appended by another program"


# Paths


@pytest.mark.parametrize("option", ["--file", "--output"])
def test_batch_empty_path_rejected(api, tmp_path, prompts, capsys, option):
    paths = {"--file": str(prompts), "--output": str(tmp_path / "out.jsonl")} | {option: ""}
    with pytest.raises(SystemExit) as exit_info:
        main(["batch", "--file", paths["--file"], "--output", paths["--output"]])
    _, err = capsys.readouterr()
    assert exit_info.value.code == 2
    assert f"argument {option}: is empty: give a path" in err
    assert api.requests == []


@pytest.mark.parametrize(
    ("output", "kind"),
    [("fifo", "a pipe (FIFO)"), ("/dev/stdout", "a pipe (FIFO)"), ("/dev/null", "a character device")],
)
def test_batch_special_output_rejected(tmp_path, output, kind):
    os.mkfifo(tmp_path / "fifo")
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("Capital of France?\n", encoding="utf-8")
    env = {name: value for name, value in os.environ.items() if not name.startswith(("ANTHROPIC_", "LLM_ROUTER_"))}
    env.update(LLM_ROUTER_DB_PATH=str(tmp_path / "router.db"), NO_COLOR="1")
    # stdout is a pipe, so /dev/stdout is one too. A batch that reads or writes a pipe would wait past the timeout.
    finished = subprocess.run(
        [sys.executable, str(REPO_ROOT / "main.py"), "batch", "--file", str(prompts), "--output", output],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=WAIT_S,
    )
    assert finished.returncode == 2
    assert f"--output {output}: is {kind}, not a regular file" in finished.stderr
    assert not (tmp_path / "router.db").exists()
