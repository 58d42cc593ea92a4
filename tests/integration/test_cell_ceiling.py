"""benchmarks/cell_ceiling.py on a small file written by the test."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROMPTS = [
    "hi there",
    "What is the capital of France?",
    "Prove that the square root of 2 is irrational, step by step.",
    "Write a Python function that merges two sorted lists.",
]


def write_rows(path: Path) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for index in range(40):
            weak = 1.0 if index % 4 < 2 else 0.0
            scores = {"weak": weak, "mid": 1.0, "strong": 1.0}
            row = {"id": str(index), "prompt": PROMPTS[index % 4], "scores": scores}
            handle.write(json.dumps(row) + "\n")
    return path


def run(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, str(ROOT / "benchmarks" / "cell_ceiling.py"), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def test_ceiling_prints_each_granularity(tmp_path):
    result = run("--data", str(write_rows(tmp_path / "rows.jsonl")), "--tiers", "1=weak,3=strong")
    assert result.returncode == 0, result.stderr
    assert "40 rows of rows.jsonl" in result.stdout
    for granularity in ("domain ", "domain/subdomain", "cell key"):
        assert granularity in result.stdout


def test_ceiling_rejects_three_tiers(tmp_path):
    data = write_rows(tmp_path / "rows.jsonl")
    result = run("--data", str(data), "--tiers", "1=weak,2=mid,3=strong")
    assert result.returncode == 2
    assert "names three tiers" in result.stderr


def test_ceiling_missing_file(tmp_path):
    result = run("--data", str(tmp_path / "absent.jsonl"), "--tiers", "1=weak,3=strong")
    assert result.returncode == 2
    assert "absent.jsonl" in result.stderr
