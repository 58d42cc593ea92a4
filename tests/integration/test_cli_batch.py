"""`batch` answers files, their lock, and Ctrl-C, SIGTERM and SIGHUP.

The checks of an existing --output call `cli.app.main` in this process with the
fake API at the HTTP transport. Signals and two runs at once need real
processes: they run `main.py batch` as subprocesses against an HTTP server on
127.0.0.1 that holds each request until the test releases it, so no assertion
depends on timing.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from cli.app import main
from tests.support.data import REPO_ROOT
from tests.support.execute import fake_api_for_cli
from tests.support.fake_anthropic import TEST_API_KEY

# Generous bound in seconds for a subprocess to start, reach a point or exit. No test expects to come near it.
WAIT_S = 60


def write_prompts(path: Path, prompts: dict[str, str]) -> None:
    lines = [json.dumps({"id": key, "prompt": prompt}) for key, prompt in prompts.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def read_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def answer_line(key: str, prompt: str) -> str:
    """Return an answers-file line for `prompt`, as an earlier batch would have written it."""
    digest = hashlib.sha256(prompt.encode("utf-8")).hexdigest()
    return json.dumps({"key": key, "prompt_sha256": digest, "answer": "Earlier.", "cost": None, "error": None})


# An existing --output, checked in this process


@pytest.fixture
def api(monkeypatch, tmp_path):
    """A fake API that every provider the CLI builds talks to, and a store in tmp_path."""
    return fake_api_for_cli(monkeypatch, tmp_path)


@pytest.fixture
def prompts(tmp_path: Path) -> Path:
    path = tmp_path / "prompts.jsonl"
    write_prompts(path, {"a": "Capital of France?", "b": "Capital of Peru?"})
    return path


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"id,prompt\n1,Capital of France?\n", "line 1 is not valid JSON (Expecting value at column 1)"),
        (b'{"key": "a", "answer": "x", "error": null}\n\xf8\xff\n', "line 2 is not UTF-8 text"),
        (b"[1, 2]\n", "line 1 is a JSON list, not an object"),
        (b'{"key": "a", "error": null}\n', "line 1 has no field 'answer' of type string or null"),
        (b'{"key": 7, "answer": "x", "error": null}\n', "line 1 has no field 'key' of type string"),
        (b'{"key": "a", "answer": null, "error": null}\n', "line 1 has neither an 'answer' nor an 'error'"),
        (b'{"key": "a", "answer": "x", "error": null, "cost": 3}\n', "line 1 has a field 'cost' that is not"),
        (b"notes without a newline", "line 1 is not valid JSON"),
        (b'{"key": "a\x01"}\n', "line 1 is not valid JSON (Invalid control character at column 11)"),
        (b'{"id": "a', "line 1 is not valid JSON (Unterminated string starting at column 8)"),
    ],
)
def test_batch_foreign_output_rejected(api, tmp_path, prompts, capsys, content, problem):
    output = tmp_path / "victim.csv"
    output.write_bytes(content)
    code = main(["batch", "--file", str(prompts), "--output", str(output)])
    _, err = capsys.readouterr()
    assert code == 2
    assert f"--output {output}: {problem}" in err
    assert "not a batch answers file" in err
    assert output.read_bytes() == content
    assert api.requests == []


def test_batch_sqlite_output_rejected(api, tmp_path, prompts, capsys):
    output = tmp_path / "router.db"
    with sqlite3.connect(output) as connection:
        connection.execute("CREATE TABLE decisions (id TEXT, cost REAL)")
        connection.executemany("INSERT INTO decisions VALUES (?, ?)", [(str(n), n / 7) for n in range(500)])
    connection.close()
    before = output.read_bytes()
    code = main(["batch", "--file", str(prompts), "--output", str(output)])
    _, err = capsys.readouterr()
    assert code == 2
    assert f"--output {output}: line 1 " in err
    assert "Traceback" not in err
    assert output.read_bytes() == before
    assert api.requests == []


def test_batch_cut_off_line_removed(api, tmp_path, prompts, capsys):
    output = tmp_path / "out.jsonl"
    output.write_text(answer_line("a", "Capital of France?") + '\n{"key": "b", "answer": "Li', encoding="utf-8")
    first = main(["batch", "--file", str(prompts), "--output", str(output)])
    _, first_err = capsys.readouterr()
    second = main(["batch", "--file", str(prompts), "--output", str(output)])
    _, second_err = capsys.readouterr()
    assert first == 0
    assert f"{output}:2 is a record cut off by an interrupted write" in first_err
    assert [record["key"] for record in read_lines(output)] == ["a", "b"]
    assert second == 0
    assert "warning" not in second_err
    assert len(api.requests) == 1


def test_batch_last_record_without_newline(api, tmp_path, prompts):
    output = tmp_path / "out.jsonl"
    output.write_text(answer_line("a", "Capital of France?"), encoding="utf-8")
    code = main(["batch", "--file", str(prompts), "--output", str(output)])
    records = read_lines(output)
    assert code == 0
    assert [record["key"] for record in records] == ["a", "b"]
    assert records[0]["answer"] == "Earlier."
    assert len(api.requests) == 1


def test_batch_locked_output_rejected(api, tmp_path, prompts, capsys):
    output = tmp_path / "out.jsonl"
    output.write_text(answer_line("a", "Capital of France?") + "\n", encoding="utf-8")
    before = output.read_bytes()
    with output.open("rb") as holder:
        fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)
        code = main(["batch", "--file", str(prompts), "--output", str(output)])
    _, err = capsys.readouterr()
    assert code == 2
    assert f"--output {output}: another batch is writing this file" in err
    assert "already answered" not in err
    assert output.read_bytes() == before
    assert api.requests == []


# Subprocesses against a held HTTP server


class HeldApi(ThreadingHTTPServer):
    """A Messages API on 127.0.0.1 that replies to a request only once `release` is set.

    `arrived` receives one item per request. With `drop` set, a released
    request gets its connection closed instead of an answer, which the client
    sees as a connection failure and would normally retry.
    """

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), HeldHandler)
        self.release = threading.Event()
        self.arrived: queue.Queue[str] = queue.Queue()
        self.requests = 0
        self.drop = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class HeldHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: HeldApi

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        self.server.requests += 1
        self.server.arrived.put(body["model"])
        self.server.release.wait(WAIT_S)
        if self.server.drop:
            self.close_connection = True
            return
        payload = json.dumps(
            {
                "id": "msg_held",
                "type": "message",
                "role": "assistant",
                "model": body["model"],
                "content": [{"type": "text", "text": "A held answer."}],
                "stop_reason": "end_turn",
                "stop_sequence": None,
                "usage": {"input_tokens": 12, "output_tokens": 4},
            }
        ).encode()
        try:
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            # The batch process quit without waiting for this answer.
            self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def held_api() -> Iterator[HeldApi]:
    server = HeldApi()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


class BatchProcess:
    """`main.py batch` in a subprocess, with its stderr collected by a thread."""

    def __init__(self, tmp_path: Path, api: HeldApi, *args: str, ignore: tuple[int, ...] = (), stderr=None) -> None:
        env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("ANTHROPIC_", "LLM_ROUTER_", "AWS_")) and name != "COLUMNS"
        }
        env.update(
            ANTHROPIC_BASE_URL=api.url,
            ANTHROPIC_API_KEY=TEST_API_KEY,
            LLM_ROUTER_DB_PATH=str(tmp_path / "router.db"),
            LLM_ROUTER_EXPLORATION_RATE="0",
            NO_COLOR="1",
        )
        self.process = subprocess.Popen(
            [sys.executable, str(REPO_ROOT / "main.py"), "batch", *args],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=stderr or subprocess.PIPE,
            text=True,
            # Signals ignored here stay ignored in the child, as `nohup` ignores SIGHUP.
            preexec_fn=(lambda: [signal.signal(signum, signal.SIG_IGN) for signum in ignore]) if ignore else None,
        )
        self._chunks: queue.Queue[str] = queue.Queue()
        self._reader = threading.Thread(target=self._collect, daemon=True)
        self._reader.start()
        self.stderr = ""

    def _collect(self) -> None:
        if self.process.stderr is None:
            return
        for line in self.process.stderr:
            self._chunks.put(line)

    def wait_for_stderr(self, text: str) -> None:
        while text not in self.stderr:
            self.stderr += self._chunks.get(timeout=WAIT_S)

    def finish(self) -> int:
        """Wait for the process to exit and return its exit status, with all of its stderr collected."""
        code = self.process.wait(timeout=WAIT_S)
        self._reader.join(timeout=WAIT_S)
        while not self._chunks.empty():
            self.stderr += self._chunks.get_nowait()
        return code

    def interrupt(self, signum: int = signal.SIGINT) -> None:
        os.kill(self.process.pid, signum)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=WAIT_S)


@pytest.fixture
def start_batch(tmp_path: Path, held_api: HeldApi) -> Iterator:
    started: list[BatchProcess] = []

    def start(*args: str, **options) -> BatchProcess:
        batch = BatchProcess(tmp_path, held_api, *args, **options)
        started.append(batch)
        return batch

    yield start
    for batch in started:
        batch.kill()


INTERRUPTED = "interrupted: no new prompt, retry or fallback starts"
# pytest-socket blocks every host not named here, and the held server listens on loopback only.
loopback = pytest.mark.allow_hosts(["127.0.0.1"])


@loopback
def test_batch_ctrl_c_writes_calls_in_flight(tmp_path, held_api, start_batch):
    prompts = tmp_path / "prompts.jsonl"
    output = tmp_path / "out.jsonl"
    write_prompts(prompts, {key: f"Capital of country {key}?" for key in "abcde"})
    batch = start_batch("--file", str(prompts), "--output", str(output), "--concurrency", "2")
    held_api.arrived.get(timeout=WAIT_S)
    held_api.arrived.get(timeout=WAIT_S)
    batch.interrupt()
    batch.wait_for_stderr(INTERRUPTED)
    held_api.release.set()
    code = batch.finish()
    records = read_lines(output)
    assert code == 130
    assert len(records) == 2
    assert all(record["answer"] == "A held answer." for record in records)
    assert held_api.requests == 2
    assert f"interrupted: 2 of 5 prompt(s) written to {output} (2 answered, 0 failed), 3 left undone" in batch.stderr


@loopback
def test_batch_ctrl_c_starts_no_retry(tmp_path, held_api, start_batch):
    prompts = tmp_path / "prompts.jsonl"
    output = tmp_path / "out.jsonl"
    write_prompts(prompts, {"a": "Capital of France?"})
    held_api.drop = True
    batch = start_batch("--file", str(prompts), "--output", str(output), "--concurrency", "1")
    held_api.arrived.get(timeout=WAIT_S)
    batch.interrupt()
    batch.wait_for_stderr(INTERRUPTED)
    held_api.release.set()
    code = batch.finish()
    assert code == 130
    assert held_api.requests == 1
    assert read_lines(output) == []
    assert "call not started: the batch is stopping" in batch.stderr
    assert "0 of 1 prompt(s) written" in batch.stderr
    assert "1 left undone: rerun the same command" in batch.stderr


@loopback
def test_batch_second_ctrl_c_quits(tmp_path, held_api, start_batch):
    prompts = tmp_path / "prompts.jsonl"
    output = tmp_path / "out.jsonl"
    write_prompts(prompts, {"a": "Capital of France?"})
    batch = start_batch("--file", str(prompts), "--output", str(output))
    held_api.arrived.get(timeout=WAIT_S)
    batch.interrupt()
    batch.wait_for_stderr(INTERRUPTED)
    batch.interrupt()
    code = batch.finish()
    assert code == 130
    assert "interrupted again: quitting without waiting for 1 call(s) in flight" in batch.stderr
    assert read_lines(output) == []
    assert not held_api.release.is_set()


@loopback
def test_batch_second_run_same_output(tmp_path, held_api, start_batch):
    prompts = tmp_path / "prompts.jsonl"
    output = tmp_path / "out.jsonl"
    write_prompts(prompts, {"a": "Capital of France?"})
    first = start_batch("--file", str(prompts), "--output", str(output))
    held_api.arrived.get(timeout=WAIT_S)
    second = start_batch("--file", str(prompts), "--output", str(output))
    second_code = second.finish()
    held_api.release.set()
    first_code = first.finish()
    assert second_code == 2
    assert f"--output {output}: another batch is writing this file" in second.stderr
    assert first_code == 0
    assert held_api.requests == 1
    assert len(read_lines(output)) == 1


@loopback
@pytest.mark.parametrize(("signum", "status"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_batch_signal_writes_calls_in_flight(tmp_path, held_api, start_batch, signum, status):
    name = signal.Signals(signum).name
    prompts = tmp_path / "prompts.jsonl"
    output = tmp_path / "out.jsonl"
    write_prompts(prompts, {key: f"Capital of country {key}?" for key in "abcde"})
    batch = start_batch("--file", str(prompts), "--output", str(output), "--concurrency", "2")
    held_api.arrived.get(timeout=WAIT_S)
    held_api.arrived.get(timeout=WAIT_S)
    batch.interrupt(signum)
    batch.wait_for_stderr(f"{name} received: no new prompt, retry or fallback starts")
    held_api.release.set()
    code = batch.finish()
    records = read_lines(output)
    assert code == status
    assert len(records) == 2
    assert all(record["answer"] == "A held answer." for record in records)
    assert held_api.requests == 2
    summary = f"{name} received: 2 of 5 prompt(s) written to {output} (2 answered, 0 failed), 3 left undone"
    assert summary in batch.stderr


@loopback
@pytest.mark.parametrize(("signum", "status"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_batch_second_signal_quits(tmp_path, held_api, start_batch, signum, status):
    name = signal.Signals(signum).name
    prompts = tmp_path / "prompts.jsonl"
    output = tmp_path / "out.jsonl"
    write_prompts(prompts, {"a": "Capital of France?"})
    batch = start_batch("--file", str(prompts), "--output", str(output))
    held_api.arrived.get(timeout=WAIT_S)
    batch.interrupt(signum)
    batch.wait_for_stderr(f"Send {name} again to quit without waiting")
    batch.interrupt(signum)
    code = batch.finish()
    assert code == status
    assert f"{name} received again: quitting without waiting for 1 call(s) in flight" in batch.stderr
    assert read_lines(output) == []


@loopback
def test_batch_ignored_sighup_stays_ignored(tmp_path, held_api, start_batch):
    prompts = tmp_path / "prompts.jsonl"
    output = tmp_path / "out.jsonl"
    write_prompts(prompts, {"a": "Capital of France?", "b": "Capital of Peru?"})
    batch = start_batch("--file", str(prompts), "--output", str(output), "--concurrency", "1", ignore=(signal.SIGHUP,))
    held_api.arrived.get(timeout=WAIT_S)
    batch.interrupt(signal.SIGHUP)
    held_api.release.set()
    code = batch.finish()
    assert code == 0
    assert held_api.requests == 2
    assert len(read_lines(output)) == 2


@loopback
def test_batch_sighup_without_stderr_writes(tmp_path, held_api, start_batch):
    prompts = tmp_path / "prompts.jsonl"
    output = tmp_path / "out.jsonl"
    write_prompts(prompts, {"a": "Capital of France?", "b": "Capital of Peru?"})
    # Every write to /dev/full fails, as writes to a terminal fail once it is closed, which sends SIGHUP.
    with open("/dev/full", "w") as full:
        batch = start_batch("--file", str(prompts), "--output", str(output), "--concurrency", "1", stderr=full)
    held_api.arrived.get(timeout=WAIT_S)
    batch.interrupt(signal.SIGHUP)
    held_api.release.set()
    batch.finish()
    records = read_lines(output)
    assert [record["key"] for record in records] == ["a"]
    assert held_api.requests == 1
