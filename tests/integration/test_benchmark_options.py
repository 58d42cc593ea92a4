"""Bad options of the benchmark scripts fail with a message naming the option, before any work."""

import subprocess
import sys

import pytest

from tests.support.handlers import REPO_ROOT

TIERS = "1=weak,3=strong"


def run(script: str, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, str(REPO_ROOT / "benchmarks" / script), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--retrain-every", "0"], "--retrain-every 0 is invalid"),
        (["--rows", "-5"], "--rows -5 is invalid"),
        (["--seed", "-1"], "--seed -1 is invalid"),
        (["--plot", "/nonexistent-folder/drift.png"], "--plot /nonexistent-folder/drift.png"),
        (["--drop-at", "900", "--recover-at", "100"], "--drop-at 900 and --recover-at 100 are invalid"),
        (["--json", "/tmp"], "--json /tmp: is a folder"),
        (["--plot", "drift.txt"], "expected a .png file name"),
    ],
)
def test_drift_bad_option(args, message):
    result = run("drift.py", *args)
    assert result.returncode == 2
    assert message in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seed", "-5"], "--seed -5 is out of range"),
        (["--data", str(REPO_ROOT)], "is a folder"),
    ],
)
def test_ceiling_bad_option(args, message):
    result = run("cell_ceiling.py", "--data", str(REPO_ROOT / "README.md"), "--tiers", TIERS, *args)
    assert result.returncode == 2
    assert message in result.stderr


@pytest.mark.parametrize(("option", "value"), [("--requests", "0"), ("--moto-requests", "-5")])
def test_route_function_bad_counts(option, value):
    result = run("route_function.py", option, value)
    assert result.returncode == 2
    assert f"{option} {value} is invalid: expected at least 1" in result.stderr


@pytest.mark.parametrize("value", ["0", "-1", "2000"])
def test_classifier_latency_bad_max_prompts(value):
    result = run("classifier_latency.py", "--max-prompts", value)
    assert result.returncode == 2
    assert f"--max-prompts {value} is invalid: use 5000 or more" in result.stderr


def test_library_floor_bad_runs():
    result = run("library_floor.py", "--runs", "0")
    assert result.returncode == 2
    assert "--runs 0 is invalid" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--runs", "0"], "--runs 0 is invalid"),
        (["--sam", "/nonexistent/sam"], "--sam /nonexistent/sam not found"),
        (["--python", "/nonexistent/python3.12"], "--python /nonexistent/python3.12 could not be run"),
        (["--python", sys.executable, "--build-dir", "/nonexistent"], "but CoreLayer runs python3.12"),
        (["--python", sys.executable, "--build-dir", str(REPO_ROOT)], "but CoreLayer runs python3.12"),
    ],
)
def test_package_cold_start_bad_option(args, message):
    result = run("package_cold_start.py", *args)
    assert result.returncode == 2
    assert message in result.stderr
