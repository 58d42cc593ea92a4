"""`execute` and `batch` through `cli.app.main`, with the provider factory pointed at a fake Anthropic API."""

from __future__ import annotations

import hashlib
import json

import httpx2
import pytest

from cli.app import FieldsFormatter, main
from providers import keys
from tests.support.execute import fake_api_for_cli
from tests.support.fake_anthropic import error, message, streamed


@pytest.fixture
def api(monkeypatch, tmp_path):
    """A fake API that every provider the CLI builds talks to, and a store in tmp_path."""
    fake = fake_api_for_cli(monkeypatch, tmp_path)
    monkeypatch.setenv("LLM_ROUTER_RETRY_BASE_DELAY", "0.01")
    monkeypatch.setenv("LLM_ROUTER_RETRY_MAX_DELAY", "0.1")
    return fake


def fails_on(marker: str):
    """A reply that rejects prompts containing `marker` with a 400 and answers the others."""
    answer = message("An answer.")
    reject = error(400, "invalid_request_error", "rejected by the test")

    def reply(request: httpx2.Request, body: dict):
        text = json.dumps(body["messages"])
        return reject(request, body) if marker in text else answer(request, body)

    return reply


def write_prompts(path, prompts: dict[str, str]) -> None:
    lines = [json.dumps({"id": key, "prompt": prompt}) for key, prompt in prompts.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def read_lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# execute


def test_execute_prints_answer_and_summary(api, capsys):
    api.default = message("Paris is the capital of France.", input_tokens=12, output_tokens=7)
    code = main(["execute", "--query", "What is the capital of France?"])
    out, err = capsys.readouterr()
    assert code == 0
    assert out == "Paris is the capital of France.\n"
    assert "Actual cost" in err
    assert "Estimated cost" in err
    assert api.requests[0].model in err


def test_execute_stream_prints_deltas(api, capsys):
    api.default = streamed(["Par", "is", "."])
    code = main(["execute", "--query", "What is the capital of France?", "--stream"])
    out, _ = capsys.readouterr()
    assert code == 0
    assert out == "Paris.\n"
    assert api.requests[0].stream is True


def test_execute_stream_failure_prints_nothing(api, capsys):
    api.default = error(529, "overloaded_error")
    code = main(["execute", "--query", "What is the capital of France?", "--stream"])
    out, _ = capsys.readouterr()
    assert code == 1
    assert out == ""


def test_execute_passes_max_tokens(api):
    main(["execute", "--query", "What is the capital of France?", "--max-tokens", "50"])
    assert api.requests[0].body["max_tokens"] == 50


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["execute", "--query", "  "], "--query"),
        (["execute", "--query", "hi", "--max-tokens", "0"], "--max-tokens"),
        (["execute", "--query", "hi", "--profile", "no-such-profile"], "--profile"),
    ],
)
def test_execute_invalid_option_names_it(api, capsys, argv, option):
    code = main(argv)
    _, err = capsys.readouterr()
    assert code == 2
    assert option in err
    assert api.requests == []


def test_execute_provider_failure_exits_1(api, capsys):
    api.default = error(529, "overloaded_error")
    code = main(["execute", "--query", "What is the capital of France?"])
    _, err = capsys.readouterr()
    assert code == 1
    assert "error:" in err
    assert "decision" in err


def test_execute_fallback_failure_names_each_tier(api, monkeypatch, capsys):
    monkeypatch.setenv("LLM_ROUTER_MAX_RETRIES", "0")
    api.default = error(529, "overloaded_error")
    code = main(["execute", "--query", "What is the capital of France?"])
    _, err = capsys.readouterr()
    first, second = (request.model for request in api.requests)
    assert code == 1
    assert (
        f"no answer after 2 attempt(s): Tier 1 model {first} failed (overloaded) after 1 attempt(s), "
        f"then Tier 2 model {second} failed after 1 attempt(s)"
    ) in " ".join(err.split())


@pytest.mark.parametrize(("message", "tier", "model"), [("falling back one tier up", 1, 0), ("execution failed", 2, 1)])
def test_execute_failure_logs_ids(api, monkeypatch, caplog, message, tier, model):
    monkeypatch.setenv("LLM_ROUTER_MAX_RETRIES", "0")
    api.default = error(529, "overloaded_error")
    main(["execute", "--query", "What is the capital of France?"])
    (record,) = [record for record in caplog.records if record.getMessage() == message]
    line = FieldsFormatter("%(message)s").format(record)
    assert len(record.decision_id) == 32
    assert record.tier == tier
    assert record.model == api.requests[model].model
    assert f"decision_id={record.decision_id} tier={tier} model={record.model}" in line
    assert "capital" not in line


def test_execute_missing_key_names_setting(monkeypatch, tmp_path, capsys):
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_SECRET_NAME", "ANTHROPIC_KEY_PARAMETER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LLM_ROUTER_DB_PATH", str(tmp_path / "router.db"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(keys, "REPO_ROOT", tmp_path)
    code = main(["execute", "--query", "What is the capital of France?"])
    _, err = capsys.readouterr()
    assert code == 1
    assert "ANTHROPIC_API_KEY" in err
    assert ".env.example" in err


# batch


def test_batch_writes_one_line_per_prompt(api, tmp_path, capsys):
    prompts = tmp_path / "prompts.jsonl"
    output = tmp_path / "out.jsonl"
    write_prompts(prompts, {"a": "Capital of France?", "b": "Capital of Spain?", "c": "Capital of Peru?"})
    code = main(["batch", "--file", str(prompts), "--output", str(output), "--concurrency", "2"])
    out, _ = capsys.readouterr()
    records = read_lines(output)
    assert code == 0
    assert sorted(record["key"] for record in records) == ["a", "b", "c"]
    assert all(record["answer"] == "Paris is the capital of France." for record in records)
    assert all(record["error"] is None for record in records)
    assert all(record["cost"]["actual_usd"] > 0 for record in records)
    assert all(record["decision_id"] for record in records)
    assert "cost and quality by tier: 3 prompts" in out


def test_batch_resume_skips_answered_keys(api, tmp_path, capsys):
    prompts = tmp_path / "prompts.jsonl"
    output = tmp_path / "out.jsonl"
    write_prompts(prompts, {"a": "Capital of France?", "b": "FAIL this one", "c": "Capital of Peru?"})
    api.default = fails_on("FAIL")
    first = main(["batch", "--file", str(prompts), "--output", str(output)])
    calls_after_first = len(api.requests)

    api.default = message("Recovered.")
    second = main(["batch", "--file", str(prompts), "--output", str(output)])
    out, err = capsys.readouterr()
    retried = api.requests[calls_after_first:]
    records = read_lines(output)
    assert first == 1
    assert second == 0
    assert len(retried) == 1
    assert "FAIL this one" in json.dumps(retried[0].body["messages"])
    assert [record["key"] for record in records].count("b") == 2
    assert "2 of 3 prompts already answered" in err
    assert "1 prompt(s) failed" in out


def test_batch_default_output_beside_input(api, tmp_path):
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("Capital of France?\n", encoding="utf-8")
    code = main(["batch", "--file", str(prompts)])
    assert code == 0
    assert (tmp_path / "prompts.txt.answers.jsonl").is_file()


def test_batch_default_outputs_differ_by_extension(api, tmp_path):
    (tmp_path / "prompts.txt").write_text("Capital of France?\n", encoding="utf-8")
    (tmp_path / "prompts.csv").write_text("prompt\nCapital of Spain?\n", encoding="utf-8")
    first = main(["batch", "--file", str(tmp_path / "prompts.txt")])
    second = main(["batch", "--file", str(tmp_path / "prompts.csv")])
    assert first == 0
    assert second == 0
    assert len(api.requests) == 2
    assert "Capital of Spain?" in json.dumps(api.requests[1].body["messages"])
    assert len(read_lines(tmp_path / "prompts.txt.answers.jsonl")) == 1
    assert len(read_lines(tmp_path / "prompts.csv.answers.jsonl")) == 1


def test_batch_record_stores_prompt_hash(api, tmp_path):
    prompts = tmp_path / "prompts.jsonl"
    output = tmp_path / "out.jsonl"
    write_prompts(prompts, {"a": "Capital of France?"})
    main(["batch", "--file", str(prompts), "--output", str(output)])
    (record,) = read_lines(output)
    assert record["prompt_sha256"] == hashlib.sha256(b"Capital of France?").hexdigest()
    assert "Capital of France?" not in output.read_text(encoding="utf-8")


def test_batch_changed_prompt_runs_again(api, tmp_path, capsys):
    prompts = tmp_path / "prompts.jsonl"
    output = tmp_path / "out.jsonl"
    write_prompts(prompts, {"a": "Capital of France?", "b": "Capital of Peru?"})
    main(["batch", "--file", str(prompts), "--output", str(output)])
    write_prompts(prompts, {"a": "Capital of Spain?", "b": "Capital of Peru?"})
    capsys.readouterr()
    code = main(["batch", "--file", str(prompts), "--output", str(output)])
    _, err = capsys.readouterr()
    assert code == 0
    assert len(api.requests) == 3
    assert "Capital of Spain?" in json.dumps(api.requests[2].body["messages"])
    assert "1 of 2 prompts already answered" in err
    assert "1 prompt(s) changed" in err
    assert [record["key"] for record in read_lines(output)].count("a") == 2


def test_batch_missing_key_writes_nothing(monkeypatch, tmp_path, capsys):
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_SECRET_NAME", "ANTHROPIC_KEY_PARAMETER", "LLM_ROUTER_PROVIDER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LLM_ROUTER_DB_PATH", str(tmp_path / "router.db"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(keys, "REPO_ROOT", tmp_path)
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("Capital of France?\n", encoding="utf-8")
    code = main(["batch", "--file", str(prompts), "--output", str(tmp_path / "answers" / "out.jsonl")])
    _, err = capsys.readouterr()
    assert code == 1
    assert "ANTHROPIC_API_KEY" in err
    assert not (tmp_path / "answers").exists()


def test_batch_ignores_cut_off_output_line(api, tmp_path, capsys):
    prompts = tmp_path / "prompts.jsonl"
    output = tmp_path / "out.jsonl"
    write_prompts(prompts, {"a": "Capital of France?"})
    output.write_text('{"key": "a", "answer": "cut', encoding="utf-8")
    code = main(["batch", "--file", str(prompts), "--output", str(output)])
    _, err = capsys.readouterr()
    assert code == 0
    assert "not valid JSON" in err
    assert len(api.requests) == 1


@pytest.mark.parametrize("concurrency", ["0", "33"])
def test_batch_concurrency_out_of_range(api, tmp_path, capsys, concurrency):
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("hello\n", encoding="utf-8")
    code = main(["batch", "--file", str(prompts), "--concurrency", concurrency])
    _, err = capsys.readouterr()
    assert code == 2
    assert "--concurrency" in err


def test_batch_duplicate_keys_rejected(api, tmp_path, capsys):
    prompts = tmp_path / "prompts.jsonl"
    prompts.write_text('{"id": "x", "prompt": "one"}\n{"id": "x", "prompt": "two"}\n', encoding="utf-8")
    code = main(["batch", "--file", str(prompts)])
    _, err = capsys.readouterr()
    assert code == 2
    assert "'x'" in err
    assert api.requests == []


@pytest.mark.parametrize("spelling", ["same", "dotted", "symlink"])
def test_batch_output_is_input_rejected(api, tmp_path, monkeypatch, capsys, spelling):
    monkeypatch.chdir(tmp_path)
    prompts = tmp_path / "prompts.jsonl"
    write_prompts(prompts, {"a": "Capital of France?"})
    before = prompts.read_bytes()
    (tmp_path / "link.jsonl").symlink_to(prompts)
    output = {"same": str(prompts), "dotted": "sub/../prompts.jsonl", "symlink": "link.jsonl"}[spelling]
    (tmp_path / "sub").mkdir()
    code = main(["batch", "--file", str(prompts), "--output", output])
    _, err = capsys.readouterr()
    assert code == 2
    assert f"--output {output}: is the same file as --file" in err
    assert prompts.read_bytes() == before
    assert api.requests == []


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ("/proc/nope/o.jsonl", "/proc/nope cannot be created as a folder: No such file or directory"),
        ("/proc/o.jsonl", "/proc is a folder where files cannot be created"),
        ("a-file/o.jsonl", "a-file is an existing file, not a folder"),
        ("folder", "is a folder, not a file: give the path of a .jsonl file"),
    ],
)
def test_batch_bad_output_before_requests(api, tmp_path, monkeypatch, capsys, output, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a-file").write_text("keep me\n", encoding="utf-8")
    (tmp_path / "folder").mkdir()
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("Capital of France?\n", encoding="utf-8")
    code = main(["batch", "--file", str(prompts), "--output", output])
    _, err = capsys.readouterr()
    assert code == 2
    assert f"--output {output}: {message}" in err
    assert "Traceback" not in err
    assert api.requests == []
