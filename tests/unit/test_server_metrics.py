"""The Prometheus sink of the local server, and its names against the routes and the CloudWatch dashboard."""

from __future__ import annotations

import ast
import logging
import re
from pathlib import Path

import pytest

from server.metrics import MAX_LABEL_VALUES, METRICS, OTHER, UNKNOWN, PrometheusMetrics
from tests.support.aws import load_template

REPO_ROOT = Path(__file__).resolve().parents[2]
API_DIR = REPO_ROOT / "layers" / "core" / "api"
SEARCH_METRIC = re.compile(r'MetricName="(\w+)"')


def recorded_names() -> set[str]:
    """Collect every metric name the API passes to `<sink>.record(...)`, both branches of a conditional included."""
    names: set[str] = set()
    for path in API_DIR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args):
                continue
            if node.func.attr == "record":
                names.update(
                    sub.value
                    for sub in ast.walk(node.args[0])
                    if isinstance(sub, ast.Constant) and isinstance(sub.value, str)
                )
    return names


def dashboard_names() -> set[str]:
    """Collect the LLMRouter metric names that template.yaml's dashboard widgets plot."""
    body = load_template()["Resources"]["RouterDashboard"]["Properties"]["DashboardBody"]["Fn::ToJsonString"]
    names: set[str] = set()
    for widget in body["widgets"]:
        for metric in widget["properties"].get("metrics", []):
            if metric[0] == "LLMRouter":
                names.add(metric[1])
            elif isinstance(metric[0], dict) and "expression" in metric[0]:
                names.update(SEARCH_METRIC.findall(metric[0]["expression"]))
    return names


def value(sink: PrometheusMetrics, name: str, **labels: str) -> float | None:
    return sink.registry.get_sample_value(name, labels)


def test_decisions_labelled_by_tier_and_domain():
    sink = PrometheusMetrics()
    sink.record("Decisions", 1, tier=2, dimensions={"Domain": "coding"})
    sink.record("Decisions", 1, tier=2, dimensions={"Domain": "coding"})
    assert value(sink, "llm_router_decisions_total", tier="2", domain="coding") == 2.0


def test_missing_label_is_unknown():
    sink = PrometheusMetrics()
    sink.record("Decisions", 1, tier=1)
    assert value(sink, "llm_router_decisions_total", tier="1", domain=UNKNOWN) == 1.0


def test_cost_counter_adds_usd():
    sink = PrometheusMetrics()
    sink.record("EstimatedCostUSD", 0.0025, "None")
    sink.record("EstimatedCostUSD", 0.0005, "None")
    assert value(sink, "llm_router_estimated_cost_usd_total") == pytest.approx(0.003)


@pytest.mark.parametrize(
    ("amount", "unit", "seconds"),
    [(2.5, "Milliseconds", 0.0025), (0.004, "Seconds", 0.004), (750.0, "Microseconds", 0.00075)],
)
def test_latency_converted_to_seconds(amount, unit, seconds):
    sink = PrometheusMetrics()
    sink.record("ClassifierLatency", amount, unit)
    assert value(sink, "llm_router_classifier_latency_seconds_sum") == pytest.approx(seconds)


def test_quality_histogram_buckets():
    sink = PrometheusMetrics()
    for score in (0.25, 0.75, 0.8):
        sink.record("QualityScore", score, "None")
    assert value(sink, "llm_router_quality_score_count") == 3.0
    assert value(sink, "llm_router_quality_score_bucket", le="0.5") == 1.0
    assert value(sink, "llm_router_quality_score_bucket", le="0.8") == 3.0


def test_negative_counter_value_dropped(caplog):
    sink = PrometheusMetrics()
    sink.record("SavingsUSD", 0.01, "None")
    with caplog.at_level(logging.WARNING, logger="server.metrics"):
        sink.record("SavingsUSD", -0.002, "None")
    assert value(sink, "llm_router_savings_usd_total") == pytest.approx(0.01)
    assert "negative value" in caplog.text


def test_label_values_capped():
    sink = PrometheusMetrics()
    for index in range(MAX_LABEL_VALUES + 5):
        sink.record("FeedbackReceived", 1, dimensions={"Source": f"client-{index}"})
    assert value(sink, "llm_router_feedback_total", source="client-0") == 1.0
    assert value(sink, "llm_router_feedback_total", source=OTHER) == 5.0
    assert value(sink, "llm_router_feedback_total", source=f"client-{MAX_LABEL_VALUES}") is None


def test_unknown_name_warns_once(caplog):
    sink = PrometheusMetrics()
    with caplog.at_level(logging.WARNING, logger="server.metrics"):
        sink.record("NoSuchMetric", 1)
        sink.record("NoSuchMetric", 1)
    assert caplog.text.count("NoSuchMetric") == 1


def test_registries_independent():
    first, second = PrometheusMetrics(), PrometheusMetrics()
    first.record("StoreErrors", 1)
    assert value(second, "llm_router_store_errors_total") == 0.0


def test_exposition_text_format():
    sink = PrometheusMetrics()
    sink.record("CellsPromoted", 2)
    body, content_type = sink.exposition()
    assert content_type.startswith("text/plain")
    assert b"llm_router_cells_promoted_total 2.0" in body


def test_route_names_have_prometheus_form():
    assert recorded_names() - set(METRICS) == set()


def test_dashboard_names_have_prometheus_form():
    assert dashboard_names() - set(METRICS) == set()


def test_dashboard_names_recorded_by_routes():
    # A widget on a name no route records stays empty in CloudWatch.
    assert dashboard_names() - recorded_names() == set()
