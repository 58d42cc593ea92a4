"""Init of the Lambda handlers in a fresh interpreter: the collector pause, and what the route function loads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]

# Loads one handler with the DynamoDB store, whose client is built without a
# network call, and prints the collector's state and the top-level packages loaded.
INIT_SCRIPT = """
import gc, json, sys
from tests.support.handlers import load_handler
load_handler(sys.argv[1])
packages = sorted({name.split(".")[0] for name in sys.modules})
print(json.dumps({"enabled": gc.isenabled(), "frozen": gc.get_freeze_count(), "packages": packages}))
"""


def load_in_subprocess(function: str, tmp_path: Path) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("LLM_ROUTER_", "AWS_", "LAMBDA_", "IDEMPOTENCY_"))
    }
    env.update(
        {
            "PYTHONPATH": os.pathsep.join([str(REPO_ROOT / "layers" / "core"), str(REPO_ROOT)]),
            "LLM_ROUTER_STORE": "dynamodb",
            "LLM_ROUTER_DB_PATH": str(tmp_path / "router.db"),
            "POWERTOOLS_METRICS_NAMESPACE": "LLMRouter",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
        }
    )
    result = subprocess.run(
        [sys.executable, "-c", INIT_SCRIPT, function],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("function", ["route", "feedback", "retrain"])
def test_init_freezes_and_reenables_collector(function: str, tmp_path: Path) -> None:
    state = load_in_subprocess(function, tmp_path)
    assert state["enabled"]
    # Without the pause nothing is frozen. A handler's init builds tens of thousands of objects.
    assert state["frozen"] > 10_000


@pytest.fixture(scope="module")
def route_packages(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    return load_in_subprocess("route", tmp_path_factory.mktemp("route"))["packages"]


@pytest.mark.parametrize("package", ["anthropic", "httpx", "evaluation"])
def test_route_init_skips_package(package: str, route_packages: list[str]) -> None:
    assert package not in route_packages
