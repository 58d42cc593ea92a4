"""CLI errors and output outside a terminal: bad store files, bad options, warnings, width and closed pipes.

Most cases run `main.py` as a subprocess, because output width, closed pipes
and logging set-up depend on the real process and its file descriptors.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from cli.app import VERSION, build_parser, main
from tests.support.data import REPO_ROOT

RETIRED_SONNET = "claude-sonnet-4-20250514 is retired"


def cli_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    # No COLUMNS: the width rich picks outside a terminal is part of what is tested.
    env = {name: value for name, value in os.environ.items() if name != "COLUMNS"}
    env.update({"LLM_ROUTER_DB_PATH": str(tmp_path / "router.db"), "NO_COLOR": "1", **overrides})
    return env


def run_cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO_ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        env=cli_env(tmp_path, **env),
        cwd=tmp_path,
        timeout=120,
        check=False,
    )


# Store files that cannot be opened


@pytest.fixture
def not_a_database(tmp_path: Path) -> Path:
    path = tmp_path / "bin.dat"
    path.write_bytes(bytes(range(256)) * 4)
    return path


@pytest.mark.parametrize("args", [["route", "--query", "hi"], ["report"], ["retrain", "--dry-run"], ["demo"]])
def test_store_not_database_names_setting(tmp_path, not_a_database, args):
    result = run_cli(tmp_path, *args, LLM_ROUTER_DB_PATH=str(not_a_database))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: ")
    assert f"LLM_ROUTER_DB_PATH {not_a_database}: not a SQLite database" in result.stderr
    assert "point LLM_ROUTER_DB_PATH at a new file" in result.stderr


@pytest.mark.parametrize("args", [["route", "--query", "hi"], ["report"]])
def test_foreign_database_left_alone(tmp_path, args):
    foreign = tmp_path / "customers.db"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE customers (id INTEGER, name TEXT)")
    before = foreign.read_bytes()

    result = run_cli(tmp_path, *args, LLM_ROUTER_DB_PATH=str(foreign))

    assert result.returncode == 1
    assert f"LLM_ROUTER_DB_PATH {foreign}: is the SQLite database of another application (tables: customers)" in (
        result.stderr
    )
    assert foreign.read_bytes() == before
    assert not (tmp_path / "customers.db-wal").exists()


def test_store_directory_names_setting(tmp_path):
    result = run_cli(tmp_path, "report", LLM_ROUTER_DB_PATH=str(tmp_path))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"LLM_ROUTER_DB_PATH {tmp_path}: is a directory" in result.stderr


def test_dashboard_db_directory_names_option(tmp_path):
    result = run_cli(tmp_path, "dashboard", "--db", str(tmp_path), "--port", "0")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"--db {tmp_path}: is a directory: point --db at a file" in result.stderr


# Options


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["models", "--profile", "nope"], "--profile nope: catalog profile not found: allowed current"),
        (["models", "--profile", "current", "--all"], "argument --all: not allowed with argument --profile"),
        (["route", "--query", "hi", "--profile", "nope"], "--profile nope: catalog profile 'nope' not found"),
        (["feedback", "--decision", "d1", "--rating", "3", "--source", ""], "--source '' is invalid"),
        (["feedback", "--decision", "d1", "--rating", "3", "--source", "x" * 65], "expected 1 to 64 characters"),
        (["retrain", "--rollback", str(2**63)], f"--rollback {2**63} is invalid: expected a version number"),
        (["route", "--file", ""], "argument --file: is empty: give a path"),
        (["route", "--query", "hi", "--profile", ""], "--profile is empty"),
        (["route", "--query", "\u200b\u200b"], "has no visible character"),
        (["dashboard", "--host", ""], "--host is empty"),
        (["dashboard", "--db", ""], "argument --db: is empty: give a path"),
        (
            ["feedback", "--decision", "d1", "--rating", "3", "--response-file", ""],
            "argument --response-file: is empty",
        ),
        (["report", "--since", "20261205"], "--since '20261205' is invalid: expected a date as YYYY-MM-DD"),
        (["retrain", "--rollback", "5"], "retrain: no store at"),
        (["evaluate", "--data", "", "--tiers", "1=a,3=b"], "argument --data: is empty: give a path"),
    ],
)
def test_invalid_option_exits_2(tmp_path, args, message):
    result = run_cli(tmp_path, *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert not (tmp_path / "router.db").exists()


def test_route_file_with_system_rejected(tmp_path):
    (tmp_path / "prompts.txt").write_text("hi\n")
    result = run_cli(tmp_path, "route", "--file", "prompts.txt", "--system", "Be brief.")
    assert result.returncode == 2
    assert "--system applies to --query only" in result.stderr


def test_long_decision_id_message_cut(tmp_path):
    result = run_cli(tmp_path, "feedback", "--decision", "d" * 100_000, "--rating", "3")
    assert result.returncode == 2
    assert "longer than 128 characters" in result.stderr
    assert len(result.stderr) < 400


def test_long_source_message_cut(tmp_path):
    result = run_cli(tmp_path, "feedback", "--decision", "d1", "--rating", "3", "--source", "x" * 100_000)
    assert result.returncode == 2
    assert len(result.stderr) < 400


@pytest.mark.parametrize(
    "args",
    [["report"], ["retrain", "--history"], ["retrain", "--dry-run"], ["feedback", "--decision", "d1", "--rating", "3"]],
)
def test_missing_store_not_created(tmp_path, args):
    result = run_cli(tmp_path, *args, LLM_ROUTER_DB_PATH=str(tmp_path / "typo" / "router.db"))
    assert result.returncode == 2
    assert "no store at" in result.stderr
    assert not (tmp_path / "typo").exists()


def test_damaged_store_clear_error(tmp_path):
    assert run_cli(tmp_path, "route", "--query", "hi").returncode == 0
    database = tmp_path / "router.db"
    with sqlite3.connect(database) as connection:
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    # Page 1 (the header and schema) stays, so the store opens; every table page after it is garbage.
    data = bytearray(database.read_bytes())
    data[page_size:] = b"\xa5" * (len(data) - page_size)
    database.write_bytes(bytes(data))

    result = run_cli(tmp_path, "route", "--query", "hi")

    assert result.returncode == 1
    assert "the SQLite store failed" in result.stderr
    assert "Traceback" not in result.stderr


def test_version_flag(tmp_path):
    result = run_cli(tmp_path, "--version")
    assert result.returncode == 0
    assert result.stdout.strip() == "llm-router 0.1.0"


@pytest.mark.parametrize(
    ("argv", "verbose"),
    [
        (["route", "--query", "hi", "-v"], True),
        (["-v", "route", "--query", "hi"], True),
        (["route", "--query", "hi"], False),
    ],
)
def test_verbose_before_or_after_command(argv, verbose):
    assert build_parser().parse_args(argv).verbose is verbose


def test_version_matches_project():
    assert f'version = "{VERSION}"' in (REPO_ROOT / "pyproject.toml").read_text()


# Lifecycle warnings


def test_route_warns_once_per_model(tmp_path):
    result = run_cli(tmp_path, "route", "--profile", "original", "--query", "hi")
    assert result.returncode == 0
    assert result.stderr.count(RETIRED_SONNET) == 1
    assert f"warning: Tier 2 model {RETIRED_SONNET}" in result.stderr


def test_python_api_warns_once(tmp_path):
    script = (
        "from router.engine import LLMRouter\n"
        "router = LLMRouter(profile='original')\n"
        "router.route('hi')\n"
        "router.route('hello')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**cli_env(tmp_path), "PYTHONPATH": str(REPO_ROOT / "layers" / "core")},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.count(RETIRED_SONNET) == 1


# Output width outside a terminal


def test_models_ids_whole_outside_terminal(tmp_path):
    result = run_cli(tmp_path, "models", "--all")
    assert result.returncode == 0
    for model_id in ("claude-haiku-5-5", "claude-sonnet-4-20250514", "claude-opus-4-20250514"):
        assert model_id in result.stdout
    assert "claude-…" not in result.stdout


def test_demo_ids_whole_at_narrow_width(tmp_path):
    result = run_cli(tmp_path, "demo", "--no-store", COLUMNS="70")
    assert result.returncode == 0
    assert "claude-sonnet-5-5" in result.stdout


def test_error_message_on_one_line(tmp_path):
    result = run_cli(tmp_path, "models", "--profile", "nope")
    expected = "error: --profile nope: catalog profile not found: allowed current, haiku-4-5, original"
    assert expected in result.stderr.splitlines()


# Closed pipes


@pytest.mark.parametrize("args", [["report"], ["report", "--json"], ["route", "--query", "hi"], ["models"]])
def test_closed_stdout_exits_141(tmp_path, args):
    assert run_cli(tmp_path, "route", "--query", "create the store").returncode == 0
    # The read end is closed before the command prints, so its first write fails.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run(
            [sys.executable, str(REPO_ROOT / "main.py"), *args],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            env=cli_env(tmp_path),
            cwd=tmp_path,
            timeout=120,
            check=False,
        )
    finally:
        os.close(write_end)
    assert result.returncode == 141
    assert result.stderr == ""


# route --file


def test_route_file_all_invalid_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LLM_ROUTER_DB_PATH", str(tmp_path / "router.db"))
    path = tmp_path / "chats.jsonl"
    chats = [{"messages": [{"role": "assistant", "content": "hi"}]}, {"messages": []}]
    path.write_text("".join(json.dumps(chat) + "\n" for chat in chats), encoding="utf-8")
    code = main(["route", "--file", str(path), "--no-store"])
    err = capsys.readouterr().err
    assert code == 2
    assert f"--file {path}: no prompt could be routed: all 2 were invalid" in err


def test_route_file_skipped_rows_summary(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LLM_ROUTER_DB_PATH", str(tmp_path / "router.db"))
    path = tmp_path / "rows.jsonl"
    path.write_text('{"question_id": 1}\n{"prompt": "What is 2+2?"}\n{"id": 3}\n', encoding="utf-8")
    code = main(["route", "--file", str(path), "--no-store", "--json"])
    out, err = capsys.readouterr()
    assert code == 0
    assert len(out.splitlines()) == 1
    assert "2 row(s) skipped: no prompt field (2)" in err


# evaluate --data


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty.jsonl: no rows"),
        (b"\xff\xfe\x00\x01binary", "empty.jsonl:1 is not UTF-8 text"),
        (b'{"prompt": "a", "scores": {"s": "high", "l": 1}}\n', "empty.jsonl:1: 'scores' of model 's' is 'high'"),
    ],
)
def test_evaluate_bad_data_names_option(tmp_path, monkeypatch, capsys, content, message):
    monkeypatch.setenv("LLM_ROUTER_DB_PATH", str(tmp_path / "router.db"))
    path = tmp_path / "empty.jsonl"
    path.write_bytes(content)
    code = main(["evaluate", "--data", str(path), "--tiers", "1=s,3=l", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert "--data" in err
    assert message in err


# evaluate options


def write_eval_rows(path: Path, rows: int, **extra_rows: dict) -> Path:
    """Write `rows` scored prompts of models s (Tier 1) and l (Tier 3), then each of `extra_rows`."""
    records = [{"prompt": f"What is {n} plus {n}?", "scores": {"s": n % 2, "l": 1}} for n in range(rows)]
    records += [{"prompt": f"Question {name}", **fields} for name, fields in extra_rows.items()]
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return path


def evaluate_args(tmp_path: Path, *args: str) -> list[str]:
    data = write_eval_rows(tmp_path / "rows.jsonl", 30)
    return ["evaluate", "--data", str(data), "--tiers", "1=s,3=l", "--bootstrap", "0", *args]


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("LLM_ROUTER_DB_PATH", str(tmp_path / "router.db"))


@pytest.mark.parametrize(
    ("out", "message"),
    [
        ("a-file", "a-file: is an existing file, not a folder"),
        ("a-file/sub", "a-file/sub: cannot be created as a folder: Not a directory"),
        ("/proc/forbidden", "/proc/forbidden: cannot be created as a folder: No such file or directory"),
        ("/proc", "/proc: is a folder where files cannot be created"),
    ],
)
def test_evaluate_bad_out_before_run(tmp_path, monkeypatch, capsys, store, out, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a-file").write_text("keep me\n", encoding="utf-8")
    # A bad score makes the evaluation itself fail, so the --out error shows the folder is checked first.
    data = write_eval_rows(tmp_path / "rows.jsonl", 3, bad={"scores": {"s": "high", "l": 1}})
    code = main(["evaluate", "--data", str(data), "--tiers", "1=s,3=l", "--out", out])
    err = capsys.readouterr().err
    assert code == 2
    assert f"--out {message}" in err
    assert "Traceback" not in err
    assert (tmp_path / "a-file").read_text(encoding="utf-8") == "keep me\n"


def test_evaluate_empty_out_rejected(tmp_path, monkeypatch, capsys, store):
    monkeypatch.chdir(tmp_path)
    data = write_eval_rows(tmp_path / "rows.jsonl", 3)
    with pytest.raises(SystemExit) as exit_info:
        main(["evaluate", "--data", str(data), "--tiers", "1=s,3=l", "--out", ""])
    assert exit_info.value.code == 2
    assert "argument --out: is empty" in capsys.readouterr().err
    assert not (tmp_path / "report.json").exists()


def test_evaluate_failure_removes_new_out(tmp_path, capsys, store):
    data = write_eval_rows(tmp_path / "rows.jsonl", 3, bad={"scores": {"s": "high", "l": 1}})
    code = main(["evaluate", "--data", str(data), "--tiers", "1=s,3=l", "--out", str(tmp_path / "new" / "out")])
    assert code == 2
    assert "--data" in capsys.readouterr().err
    assert not (tmp_path / "new").exists()


def test_evaluate_creates_nested_out(tmp_path, capsys, store):
    out = tmp_path / "new" / "out"
    code = main(evaluate_args(tmp_path, "--out", str(out)))
    assert code == 0, capsys.readouterr().err
    assert (out / "report.json").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seed", "-1"], "--seed -1 is out of range: it must be from 0 to 4294967295"),
        (["--seed", str(2**32)], f"--seed {2**32} is out of range: it must be from 0 to 4294967295"),
        (["--limit", "0"], "--limit 0 is out of range: it must be at least 1"),
        (["--bootstrap", "-1"], "--bootstrap -1 is out of range: it must be from 0 to 100000"),
        (["--replay", "--retrain-every", "0"], "--retrain-every 0 is out of range: it must be at least 1"),
        (["--shuffle"], "--shuffle requires --replay"),
        (["--retrain-every", "50"], "--retrain-every 50 requires --replay"),
    ],
)
def test_evaluate_invalid_option_exits_2(tmp_path, capsys, store, args, message):
    out = tmp_path / "out"
    code = main(evaluate_args(tmp_path, "--out", str(out), *args))
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert not out.exists()


def test_evaluate_seed_maximum_accepted(tmp_path, capsys, store):
    code = main(evaluate_args(tmp_path, "--out", str(tmp_path / "out"), "--seed", str(2**32 - 1)))
    assert code == 0, capsys.readouterr().err


def test_evaluate_summary_lists_skipped(tmp_path, capsys, store):
    data = write_eval_rows(
        tmp_path / "rows.jsonl",
        30,
        seen={"scores": {"s": 1, "l": 1}, "contaminated": True},
        unscored={"scores": {"s": None, "l": 1}},
    )
    code = main(["evaluate", "--data", str(data), "--tiers", "1=s,3=l", "--bootstrap", "0", "--out", str(tmp_path)])
    # rich wraps the summary at the console width, so words are compared, not lines.
    out = " ".join(capsys.readouterr().out.split())
    assert code == 0
    assert "skipped: 1 contaminated, 1 with a null score" in out
    assert "{" not in out


def test_evaluate_no_rows_lists_skipped(tmp_path, capsys, store):
    data = write_eval_rows(tmp_path / "rows.jsonl", 3, seen={"scores": {"s": 1, "l": 1}, "contaminated": True})
    code = main(["evaluate", "--data", str(data), "--tiers", "1=s,3=l", "--subset", "x", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert "no rows left after filters: 4 read, skipped: 4 not matching --subset or --category;" in err
    assert "{" not in err
