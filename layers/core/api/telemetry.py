"""Metrics sinks of the routes: CloudWatch EMF in Lambda, none by default.

The routes count through the small `MetricsSink` interface, so the local server
can plug in another sink (Prometheus, say) without the routes knowing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from aws_lambda_powertools import Metrics

# CloudWatch unit names.
COUNT = "Count"
MILLISECONDS = "Milliseconds"
NO_UNIT = "None"


class MetricsSink(Protocol):
    """Receiver of the API's metrics."""

    def record(
        self,
        name: str,
        value: float,
        unit: str = COUNT,
        *,
        tier: int | None = None,
        dimensions: Mapping[str, str] | None = None,
    ) -> None:
        """Add `value` to metric `name`.

        `tier` and `dimensions` (such as Domain or Source) describe the value;
        each sink keeps the ones its backend can afford.
        """


class NullMetrics:
    """A sink that drops every metric."""

    def record(
        self,
        name: str,
        value: float,
        unit: str = COUNT,
        *,
        tier: int | None = None,
        dimensions: Mapping[str, str] | None = None,
    ) -> None:
        return None


class PowertoolsMetrics:
    """A sink writing CloudWatch embedded-metric-format records through Powertools `Metrics`.

    Metrics without a tier go into the handler's batch, flushed by `log_metrics`.
    A metric with a tier is written at once as its own record, because EMF
    dimensions apply to every metric of a record and only Decisions needs Tier.
    Tier has three values, so the dimension stays cheap. Other `dimensions`
    are dropped: CloudWatch bills every dimension combination as its own
    custom metric, and Domain or a free-text Source would multiply them.
    """

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def record(
        self,
        name: str,
        value: float,
        unit: str = COUNT,
        *,
        tier: int | None = None,
        dimensions: Mapping[str, str] | None = None,
    ) -> None:
        if tier is None:
            self.metrics.add_metric(name=name, unit=unit, value=value)
            return
        from aws_lambda_powertools.metrics import MetricUnit, single_metric

        with single_metric(
            name=name,
            unit=MetricUnit(unit),
            value=value,
            namespace=self.metrics.namespace,
            default_dimensions={"service": self.metrics.service or "llm-router"},
        ) as metric:
            metric.add_dimension(name="Tier", value=str(tier))
