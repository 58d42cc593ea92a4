"""API models that POST /route never uses are built on first use, not in the route function's init."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[2] / "layers" / "core"

# Prints whether each model has its validator and serializer after `create_app`
# mounts one function's routes. A fresh interpreter, because tests that ran
# earlier in this process have used these models.
SCRIPT = """
import json, sys
from api import app, complete_models, models
from api.routes import stats

app.create_app(lambda: None, lambda: None, routes=getattr(app, sys.argv[1]))
classes = [
    models.RouteRequest, models.RouteResponse, models.DecisionView, models.DecisionList,
    models.FeedbackRequest, models.RetrainRequest, stats.CostStats, stats.QualityStats,
    complete_models.CompleteRequest, complete_models.CompleteResponse,
]
print(json.dumps({cls.__name__: cls.__pydantic_complete__ for cls in classes}))
"""


def built_models(routes: str) -> dict[str, bool]:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, routes],
        env={**os.environ, "PYTHONPATH": str(CORE)},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def route_function() -> dict[str, bool]:
    return built_models("ROUTE_FUNCTION_ROUTES")


@pytest.mark.parametrize("name", ["RouteRequest", "RouteResponse", "DecisionView"])
def test_route_models_built_at_init(route_function, name):
    assert route_function[name] is True


@pytest.mark.parametrize(
    "name",
    [
        "DecisionList",
        "FeedbackRequest",
        "RetrainRequest",
        "CostStats",
        "QualityStats",
        "CompleteRequest",
        "CompleteResponse",
    ],
)
def test_other_models_deferred(route_function, name):
    assert route_function[name] is False


def test_feedback_function_builds_request():
    assert built_models("FEEDBACK_FUNCTION_ROUTES")["FeedbackRequest"] is True


def test_retrain_function_builds_request():
    assert built_models("RETRAIN_FUNCTION_ROUTES")["RetrainRequest"] is True
