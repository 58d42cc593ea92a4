"""`evaluate` on the public evaluation data: baselines match theory, the CLI writes its report."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from evaluation.data import RowFilter
from evaluation.runner import EvaluationConfig, run_evaluation
from evaluation.tiers import parse_tiers
from router.engine import LLMRouter
from tests.support.data import require_data_file

pytestmark = pytest.mark.data

REPO_ROOT = Path(__file__).resolve().parents[2]
ROUTELLM_TIERS = "1=mixtral-8x7b-instruct-v0.1,3=gpt-4-1106-preview"
# A seeded sample keeps the suite fast; 3,000 rows hold the random router's
# APGR within about 0.03 of 0.5.
SAMPLE_ROWS = 3000


@pytest.fixture(scope="module")
def routellm_report():
    config = EvaluationConfig(
        data=require_data_file("routellm.jsonl"),
        tier_map=parse_tiers(ROUTELLM_TIERS),
        row_filter=RowFilter(exclude_contaminated=True),
        limit=SAMPLE_ROWS,
        resamples=0,
        seed=11,
    )
    return run_evaluation(config, LLMRouter())


def apgr_of(report, curve):
    return report["analysis"]["curves"][curve]["metrics"]["apgr"]["value"]


def test_random_router_apgr_half(routellm_report):
    assert apgr_of(routellm_report, "random") == pytest.approx(0.5, abs=0.05)


def test_oracle_apgr_maximum(routellm_report):
    others = [name for name in routellm_report["analysis"]["curves"] if name != "oracle"]
    oracle = apgr_of(routellm_report, "oracle")
    for name in others:
        assert oracle > apgr_of(routellm_report, name), name


def test_sample_excludes_contaminated(routellm_report):
    assert routellm_report["run"]["rows_evaluated"] == SAMPLE_ROWS
    assert routellm_report["run"]["skipped"]["contaminated"] == 25


def evaluate(*args, tmp_path):
    env = {**os.environ, "LLM_ROUTER_DB_PATH": str(tmp_path / "router.db"), "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, str(REPO_ROOT / "main.py"), "evaluate", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_cli_writes_report_and_plots(tmp_path):
    data = require_data_file("routerbench_subset.jsonl")
    out = tmp_path / "out"
    result = evaluate(
        "--data",
        str(data),
        "--tiers",
        "1=mistralai/mistral-7b-chat,2=mistralai/mixtral-8x7b-chat,3=gpt-4-1106-preview",
        "--cost-field",
        "cost_usd",
        "--limit",
        "150",
        "--bootstrap",
        "50",
        "--replay",
        "--retrain-every",
        "50",
        "--out",
        str(out),
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["run"]["rows_evaluated"] == 150
    assert report["run"]["mode"] == "three-tier"
    assert len(report["replay"]["retrains"]) == 3
    for name in ("quality_cost.png", "replay.png"):
        assert (out / name).read_bytes()[:4] == b"\x89PNG", name


@pytest.mark.parametrize(
    ("tiers", "message"),
    [
        ("1=mixtral-8x7b-instruct-v0.1,3=gpt-5", "model 'gpt-5' not found"),
        ("1=mixtral-8x7b-instruct-v0.1", "at least two tiers"),
        ("one=mixtral-8x7b-instruct-v0.1,3=gpt-4-1106-preview", "expected TIER=MODEL"),
    ],
)
def test_cli_rejects_bad_tiers(tmp_path, tiers, message):
    data = require_data_file("routellm.jsonl")
    result = evaluate("--data", str(data), "--tiers", tiers, "--out", str(tmp_path), tmp_path=tmp_path)
    assert result.returncode == 2
    assert "--tiers" in result.stderr
    assert message in result.stderr


def test_cli_unknown_model_lists_models(tmp_path):
    data = require_data_file("routellm.jsonl")
    result = evaluate("--data", str(data), "--tiers", "1=a,3=b", "--out", str(tmp_path), tmp_path=tmp_path)
    assert "gpt-4-1106-preview" in result.stderr


def test_cli_missing_file(tmp_path):
    result = evaluate("--data", str(tmp_path / "none.jsonl"), "--tiers", ROUTELLM_TIERS, tmp_path=tmp_path)
    assert result.returncode == 2
    assert "--data" in result.stderr
    assert "not found" in result.stderr


def test_cli_no_rows_after_filters(tmp_path):
    data = require_data_file("routellm.jsonl")
    result = evaluate(
        "--data",
        str(data),
        "--tiers",
        ROUTELLM_TIERS,
        "--subset",
        "nonexistent",
        "--out",
        str(tmp_path),
        tmp_path=tmp_path,
    )
    assert result.returncode == 2
    assert "no rows left after filters" in result.stderr
    assert "mt_bench" in result.stderr
