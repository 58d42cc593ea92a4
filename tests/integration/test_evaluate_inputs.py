"""`evaluate` as a subprocess on small generated files: inputs it rejects before writing, and its table text."""

import json
import os
import subprocess
import sys

import pytest

from cli.evaluate_summary import _fmt
from tests.support.data import REPO_ROOT

TIERS = "1=s,3=l"


def write_rows(path, rows=30, **extra_rows):
    """Write `rows` scored prompts of models s (Tier 1) and l (Tier 3), then each of `extra_rows`."""
    records = [{"prompt": f"What is {n} plus {n}?", "scores": {"s": n % 2, "l": 1}} for n in range(rows)]
    records += [{"prompt": f"Question {name}", "scores": scores} for name, scores in extra_rows.items()]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return path


def evaluate(tmp_path, *args):
    env = {**os.environ, "LLM_ROUTER_DB_PATH": str(tmp_path / "router.db"), "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, str(REPO_ROOT / "main.py"), "evaluate", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("name", ["report.json", "quality_cost.png"])
def test_out_holding_data_rejected(tmp_path, name):
    data = write_rows(tmp_path / "coll" / name)
    before = data.read_bytes()
    result = evaluate(tmp_path, "--data", str(data), "--tiers", TIERS, "--out", str(tmp_path / "coll"))
    assert result.returncode == 2
    assert "--out" in result.stderr
    assert f"--data file {data}" in result.stderr
    assert data.read_bytes() == before
    assert os.listdir(tmp_path / "coll") == [name]


def test_extreme_score_rejected_before_writing(tmp_path):
    data = write_rows(tmp_path / "rows.jsonl", huge={"s": 1e308, "l": 1})
    out = tmp_path / "out"
    result = evaluate(tmp_path, "--data", str(data), "--tiers", TIERS, "--out", str(out))
    assert result.returncode == 2
    assert "--data" in result.stderr
    assert "rows.jsonl:31: 'scores' of model 's' is 1e+308: expected a number from 0 to 10" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_bootstrap_above_limit_rejected(tmp_path):
    out = tmp_path / "out"
    data = write_rows(tmp_path / "rows.jsonl")
    result = evaluate(tmp_path, "--data", str(data), "--tiers", TIERS, "--bootstrap", "99999999999", "--out", str(out))
    assert result.returncode == 2
    assert "--bootstrap 99999999999 is out of range: it must be from 0 to 100000" in result.stderr
    assert not out.exists()


def test_help_states_limits(tmp_path):
    result = evaluate(tmp_path, "--help")
    text = " ".join(result.stdout.split())
    assert "0 to 100000" in text
    assert "'scores' (0 to 10" in text


def test_summary_prints_no_negative_zero(tmp_path):
    data = write_rows(tmp_path / "rows.jsonl", rows=40)
    result = evaluate(tmp_path, "--data", str(data), "--tiers", TIERS, "--bootstrap", "50", "--out", "out")
    assert result.returncode == 0, result.stderr
    assert "USD saved" in result.stdout
    assert "-0.0" not in result.stdout


def test_fmt_rounds_negative_zero_to_zero():
    assert _fmt({"value": -0.0, "low": -0.04, "high": 0.0}, 1, "%") == "0.0% [0.0, 0.0]"
    assert _fmt({"value": -0.06, "low": -0.2, "high": 0.1}, 1) == "-0.1 [-0.2, 0.1]"
