"""Prometheus metrics of the local server: a `MetricsSink` that the API's routes record into.

The routes name their metrics once, in CloudWatch style (`Decisions`,
`EstimatedCostUSD`, ...); in Lambda those names go out as EMF under the
LLMRouter namespace. `METRICS` maps each name to its Prometheus counter or
histogram, so a dashboard built on either side shows the same numbers.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest

from api.telemetry import COUNT

logger = logging.getLogger(__name__)

# A label fed from request data (the feedback source is free text) could
# otherwise create one time series per distinct value. Past this many values
# of one label, new values are counted under OTHER.
MAX_LABEL_VALUES = 50
OTHER = "other"
UNKNOWN = "unknown"

# CloudWatch units of durations, as factors to seconds, the Prometheus base unit.
SECONDS_PER_UNIT = {"Seconds": 1.0, "Milliseconds": 1e-3, "Microseconds": 1e-6}

QUALITY_BUCKETS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
# The rule-based classifier takes well under a millisecond on short queries
# and a few milliseconds on long ones, so the buckets are fine at the low end.
LATENCY_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25)


@dataclass(frozen=True)
class MetricSpec:
    """The Prometheus form of one metric name that the routes record."""

    name: str
    documentation: str
    kind: Literal["counter", "histogram"] = "counter"
    labels: tuple[str, ...] = ()
    buckets: tuple[float, ...] = ()
    seconds: bool = False  # the value is a duration, converted to seconds from the recorded unit


# Keys are the names the routes pass to `MetricsSink.record`, which are also the
# EMF metric names in CloudWatch. Counters get Prometheus' `_total` suffix.
METRICS: dict[str, MetricSpec] = {
    "Decisions": MetricSpec("llm_router_decisions", "Routing decisions", labels=("tier", "domain")),
    "EstimatedCostUSD": MetricSpec("llm_router_estimated_cost_usd", "Estimated cost of the routed requests, USD"),
    "BaselineCostUSD": MetricSpec(
        "llm_router_baseline_cost_usd", "Estimated cost of the same requests all on Tier 3, USD"
    ),
    "SavingsUSD": MetricSpec("llm_router_savings_usd", "Estimated savings against all on Tier 3, USD"),
    "ActualCostUSD": MetricSpec("llm_router_actual_cost_usd", "Cost of executed requests from provider usage, USD"),
    "Completions": MetricSpec("llm_router_completions", "Requests executed on a model", labels=("tier",)),
    "Fallbacks": MetricSpec("llm_router_fallbacks", "Executions answered by another tier after a failure"),
    "UpstreamTimeouts": MetricSpec("llm_router_upstream_timeouts", "Executions that ran out of their time budget"),
    "ExecutionFailures": MetricSpec("llm_router_execution_failures", "Executions that failed on every attempt"),
    "QualityScore": MetricSpec(
        "llm_router_quality_score",
        "Quality score in [0, 1] of each feedback record",
        kind="histogram",
        buckets=QUALITY_BUCKETS,
    ),
    "ClassifierLatency": MetricSpec(
        "llm_router_classifier_latency_seconds",
        "Time the complexity classifier took per routing decision",
        kind="histogram",
        buckets=LATENCY_BUCKETS,
        seconds=True,
    ),
    "FeedbackReceived": MetricSpec("llm_router_feedback", "Feedback records stored", labels=("source",)),
    "FeedbackRepeats": MetricSpec(
        "llm_router_feedback_repeats", "Feedback repeats ignored (same decision and source)", labels=("source",)
    ),
    "CellsPromoted": MetricSpec("llm_router_cells_promoted", "Cells promoted to a higher tier by retrain runs"),
    "CellsDemoted": MetricSpec("llm_router_cells_demoted", "Cells demoted to a lower tier by retrain runs"),
    "StoreErrors": MetricSpec("llm_router_store_errors", "Store operations that failed"),
}


class PrometheusMetrics:
    """A `MetricsSink` recording into its own `CollectorRegistry`.

    `tier` becomes the `tier` label, and each entry of `dimensions` the label of
    its lower-cased key (`Domain` -> `domain`). A label the caller leaves out is
    `unknown`. Names missing from `METRICS` are dropped with one warning each.
    """

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry(auto_describe=True)
        self._counters = {
            key: Counter(spec.name, spec.documentation, spec.labels, registry=self.registry)
            for key, spec in METRICS.items()
            if spec.kind == "counter"
        }
        self._histograms = {
            key: Histogram(spec.name, spec.documentation, spec.labels, registry=self.registry, buckets=spec.buckets)
            for key, spec in METRICS.items()
            if spec.kind == "histogram"
        }
        self._seen_values: dict[tuple[str, str], set[str]] = {}
        self._warned: set[str] = set()
        self._lock = threading.Lock()

    def record(
        self,
        name: str,
        value: float,
        unit: str = COUNT,
        *,
        tier: int | None = None,
        dimensions: Mapping[str, str] | None = None,
    ) -> None:
        spec = METRICS.get(name)
        if spec is None:
            self._warn_once(name, "metric %s has no Prometheus form in server.metrics.METRICS: dropped")
            return
        labels = self._label_values(spec, tier, dimensions or {})
        if name in self._histograms:
            histogram = self._histograms[name]
            observed = histogram.labels(*labels) if labels else histogram
            observed.observe(value * SECONDS_PER_UNIT.get(unit, 1.0) if spec.seconds else value)
            return
        if value < 0:
            # Prometheus counters only go up; a negative amount would raise.
            self._warn_once(name, "metric %s got a negative value: dropped, the counter only counts increases")
            return
        counter = self._counters[name]
        (counter.labels(*labels) if labels else counter).inc(value)

    def exposition(self) -> tuple[bytes, str]:
        """Return the registry in the Prometheus text format, and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST

    def _label_values(self, spec: MetricSpec, tier: int | None, dimensions: Mapping[str, str]) -> list[str]:
        given = {key.lower(): str(value) for key, value in dimensions.items()}
        if tier is not None:
            given["tier"] = str(int(tier))
        return [self._bounded(spec.name, label, given.get(label, UNKNOWN)) for label in spec.labels]

    def _bounded(self, metric: str, label: str, value: str) -> str:
        with self._lock:
            seen = self._seen_values.setdefault((metric, label), set())
            if value in seen:
                return value
            if len(seen) >= MAX_LABEL_VALUES:
                return OTHER
            seen.add(value)
            return value

    def _warn_once(self, name: str, message: str) -> None:
        with self._lock:
            if name in self._warned:
                return
            self._warned.add(name)
        logger.warning(message, name)
