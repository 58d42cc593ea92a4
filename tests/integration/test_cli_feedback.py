"""`main.py feedback`, `retrain` and `report` run as subprocesses on a temporary store."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.feedback_loop import add_samples, make_decision, open_store

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def db_dir(tmp_path):
    return tmp_path


def cli(db_dir, *args, stdin=None):
    env = {**os.environ, "LLM_ROUTER_DB_PATH": str(db_dir / "router.db"), "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, str(REPO_ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        timeout=60,
        check=False,
    )


def logged_decision(db_dir, cell_key="general:0", tier=1):
    store = open_store(db_dir)
    decision = make_decision(cell_key, tier)
    store.log_decision(decision)
    store.close()
    return decision.decision_id


def feedback_rows(db_dir, decision_id):
    store = open_store(db_dir)
    try:
        return store.get_feedback(decision_id)
    finally:
        store.close()


def test_feedback_rating_prints_quality(db_dir):
    decision_id = logged_decision(db_dir)
    result = cli(db_dir, "feedback", "--decision", decision_id, "--rating", "4.7")
    assert result.returncode == 0, result.stderr
    assert "Quality" in result.stdout
    assert "0.925" in result.stdout
    assert feedback_rows(db_dir, decision_id)[0].rating == 4.7


def test_feedback_thumbs_down_is_low(db_dir):
    decision_id = logged_decision(db_dir)
    result = cli(db_dir, "feedback", "--decision", decision_id, "--thumbs", "down")
    assert result.returncode == 0, result.stderr
    assert "Low quality" in result.stdout
    assert feedback_rows(db_dir, decision_id)[0].low_quality


def test_feedback_response_file_scores_signals(db_dir, tmp_path):
    decision_id = logged_decision(db_dir)
    response = tmp_path / "response.txt"
    response.write_text("I cannot help with that request.", encoding="utf-8")
    result = cli(db_dir, "feedback", "--decision", decision_id, "--response-file", str(response))
    assert result.returncode == 0, result.stderr
    assert "uncertainty" in result.stdout
    assert feedback_rows(db_dir, decision_id)[0].low_quality


def test_feedback_repeat_is_reported(db_dir):
    decision_id = logged_decision(db_dir)
    cli(db_dir, "feedback", "--decision", decision_id, "--rating", "5")
    result = cli(db_dir, "feedback", "--decision", decision_id, "--rating", "1")
    assert result.returncode == 0, result.stderr
    assert "repeat" in result.stdout
    assert "1.000" in result.stdout  # the recorded first rating, not the ignored one
    assert len(feedback_rows(db_dir, decision_id)) == 1


def test_feedback_unknown_decision(db_dir):
    logged_decision(db_dir)
    result = cli(db_dir, "feedback", "--decision", "no-such-id", "--rating", "3")
    assert result.returncode == 1
    assert "decision 'no-such-id' not found" in result.stderr
    store = open_store(db_dir)
    assert store.cell_aggregates() == []
    store.close()


@pytest.mark.parametrize("rating", ["0", "6", "-1", "nan"])
def test_feedback_rating_out_of_range(db_dir, rating):
    decision_id = logged_decision(db_dir)
    result = cli(db_dir, "feedback", "--decision", decision_id, "--rating", rating)
    assert result.returncode == 2
    assert "--rating" in result.stderr
    assert "allowed 1 to 5 stars" in result.stderr
    assert feedback_rows(db_dir, decision_id) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "--rating, --thumbs or --response-file is required"),
        (["--response-file", "missing.txt"], "--response-file missing.txt: file not found"),
        (["--rating", "abc"], "argument --rating: invalid float value"),
        (["--thumbs", "sideways"], "argument --thumbs: invalid choice"),
    ],
)
def test_feedback_invalid_options(db_dir, args, message):
    decision_id = logged_decision(db_dir)
    result = cli(db_dir, "feedback", "--decision", decision_id, *args)
    assert result.returncode == 2
    assert message in result.stderr


def seed_low_quality(db_dir):
    store = open_store(db_dir)
    add_samples(store, "general:0", 1, low=5)
    store.close()


def test_retrain_dry_run_writes_nothing(db_dir):
    seed_low_quality(db_dir)
    result = cli(db_dir, "retrain", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "dry run" in result.stdout
    assert "general:0" in result.stdout
    assert "promote" in result.stdout
    store = open_store(db_dir)
    assert store.routing_table_history() == []
    store.close()


def test_retrain_publishes_and_lists(db_dir):
    seed_low_quality(db_dir)
    published = cli(db_dir, "retrain")
    history = cli(db_dir, "retrain", "--history")
    assert "published v1" in published.stdout
    assert "retrainer run 1" in history.stdout


def test_retrain_nothing_to_change(db_dir):
    result = cli(db_dir, "retrain")
    assert result.returncode == 0, result.stderr
    assert "no cell changed" in result.stdout


def test_retrain_rollback(db_dir):
    seed_low_quality(db_dir)
    cli(db_dir, "retrain")
    result = cli(db_dir, "retrain", "--rollback", "0")
    assert result.returncode == 0, result.stderr
    assert "published v2" in result.stdout
    assert "rollback" in result.stdout


@pytest.mark.parametrize(
    ("version", "code", "message"),
    [("9", 1, "routing table version 9 not found"), ("-2", 2, "--rollback -2 is invalid")],
)
def test_retrain_rollback_invalid(db_dir, version, code, message):
    seed_low_quality(db_dir)
    result = cli(db_dir, "retrain", "--rollback", version)
    assert result.returncode == code
    assert message in result.stderr


def test_report_prints_tables(db_dir):
    seed_low_quality(db_dir)
    cli(db_dir, "retrain")
    result = cli(db_dir, "report")
    assert result.returncode == 0, result.stderr
    for heading in ("Savings vs Tier 3", "cost and quality by tier", "quality by cell", "retrainer run 1"):
        assert heading in result.stdout


def test_report_json(db_dir):
    seed_low_quality(db_dir)
    result = cli(db_dir, "report", "--json")
    report = json.loads(result.stdout)
    assert report["totals"]["decisions"] == 5
    assert report["cells"][0]["low_quality_rate"] == 1.0


def test_report_since_invalid(db_dir):
    result = cli(db_dir, "report", "--since", "2026-13-01")
    assert result.returncode == 2
    assert "--since '2026-13-01' is invalid: expected a date as YYYY-MM-DD" in result.stderr


@pytest.mark.parametrize("decision", [" ", " abc", ""])
def test_feedback_blank_decision_is_bad_input(db_dir, decision):
    result = cli(db_dir, "feedback", "--decision", decision, "--rating", "2")
    assert result.returncode == 2
    assert "--decision" in result.stderr


def test_feedback_invisible_source_is_bad_input(db_dir):
    result = cli(db_dir, "feedback", "--decision", "abc", "--rating", "2", "--source", "a\u200b")
    assert result.returncode == 2
    assert "invisible character U+200B" in result.stderr
