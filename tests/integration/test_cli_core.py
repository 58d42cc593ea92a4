"""CLI: demo, route and models, run as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from router.table import RoutingTable
from tests.support.data import REPO_ROOT, require_data_file


def run_cli(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "LLM_ROUTER_DB_PATH": str(tmp_path / "router.db"),
        "COLUMNS": "200",
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, str(REPO_ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=tmp_path,
        timeout=300,
    )


def test_demo_shows_every_tier_and_savings(tmp_path):
    completed = run_cli(tmp_path, "demo")
    assert completed.returncode == 0, completed.stderr
    for model in ("claude-haiku-5-5", "claude-sonnet-5-5", "claude-opus-5-5"):
        assert model in completed.stdout
    assert "saved $" in completed.stdout
    assert (tmp_path / "router.db").exists()


def test_route_query_json_has_decision(tmp_path):
    completed = run_cli(tmp_path, "route", "--query", "What is the capital of Peru?", "--json")
    decision = json.loads(completed.stdout)
    assert decision["selected_tier"] == 1
    assert decision["reasoning"].endswith(".")
    assert "prompt" not in decision


def test_route_query_logs_decision(tmp_path):
    completed = run_cli(tmp_path, "route", "--query", "Explain quicksort", "--json")
    decision_id = json.loads(completed.stdout)["decision_id"]
    report = run_cli(tmp_path, "report", "--json")
    assert json.loads(report.stdout)["totals"]["decisions"] == 1
    assert decision_id


@pytest.mark.parametrize("query", ["", "   "])
def test_route_empty_query_names_option(tmp_path, query):
    completed = run_cli(tmp_path, "route", "--query", query)
    assert completed.returncode == 2
    assert "--query" in completed.stderr


def test_route_missing_file_names_option(tmp_path):
    completed = run_cli(tmp_path, "route", "--file", "nope.jsonl")
    assert completed.returncode == 2
    assert "--file nope.jsonl: file not found" in completed.stderr


def test_route_file_without_prompts(tmp_path):
    (tmp_path / "empty.jsonl").write_text('{"other": 1}\n\n')
    completed = run_cli(tmp_path, "route", "--file", "empty.jsonl")
    assert completed.returncode == 2
    assert "no prompts found" in completed.stderr


def test_route_text_file_summary(tmp_path):
    (tmp_path / "prompts.txt").write_text("hi\nWrite a Rust function that parses JSON\nWhat is 2+2?\n")
    completed = run_cli(tmp_path, "route", "--file", "prompts.txt")
    assert completed.returncode == 0, completed.stderr
    assert "tier mix of 3 prompts" in completed.stdout
    assert "saved $" in completed.stdout


def test_route_csv_json_lines(tmp_path):
    (tmp_path / "prompts.csv").write_text('id,prompt\na,"hello"\nb,"Prove that sqrt(2) is irrational"\n')
    completed = run_cli(tmp_path, "route", "--file", "prompts.csv", "--json")
    lines = completed.stdout.strip().splitlines()
    assert len(lines) == 2
    assert all(json.loads(line)["decision_id"] for line in lines)


def test_unreadable_catalog_error(tmp_path):
    (tmp_path / "catalog.json").write_text("{broken")
    completed = run_cli(tmp_path, "route", "--query", "hi", env={"LLM_ROUTER_CATALOG_PATH": "catalog.json"})
    assert completed.returncode == 1
    assert "model catalog catalog.json is not valid JSON" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_routing_table_file_overrides_store(tmp_path):
    table = RoutingTable(version=42, thresholds=(0.0, 0.0))
    (tmp_path / "table.json").write_text(table.model_dump_json())
    completed = run_cli(
        tmp_path, "route", "--query", "hi", "--json", env={"LLM_ROUTER_ROUTING_TABLE_PATH": "table.json"}
    )
    decision = json.loads(completed.stdout)
    assert decision["selected_tier"] == 3
    assert decision["routing_table_version"] == 42


def test_routing_table_file_missing_error(tmp_path):
    completed = run_cli(tmp_path, "route", "--query", "hi", env={"LLM_ROUTER_ROUTING_TABLE_PATH": "missing.json"})
    assert completed.returncode == 1
    assert "routing table missing.json cannot be read" in completed.stderr


def test_retired_profile_routes_with_warning(tmp_path):
    completed = run_cli(tmp_path, "route", "--query", "hi", "--profile", "original", "--json")
    assert completed.returncode == 0, completed.stderr
    assert "retired" in completed.stderr
    assert json.loads(completed.stdout)["selected_model"].startswith("claude-haiku-4-5")


def test_models_lists_prices_and_status(tmp_path):
    completed = run_cli(tmp_path, "models", "--profile", "original")
    assert completed.returncode == 0, completed.stderr
    assert "retired" in completed.stdout
    assert "claude-opus-4-20250514" in completed.stdout


@pytest.mark.data
@pytest.mark.slow
def test_route_real_prompts_file(tmp_path):
    data = require_data_file("routerbench_subset.jsonl")
    completed = run_cli(tmp_path, "route", "--file", str(data), "--no-store")
    assert completed.returncode == 0, completed.stderr
    assert "tier mix of 3,150 prompts" in completed.stdout
