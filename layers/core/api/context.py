"""What every route needs: the store, the router and a metrics sink."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from api.telemetry import MetricsSink, NullMetrics

if TYPE_CHECKING:
    from feedback.store import FeedbackStore
    from providers.settings import ExecutionSettings
    from router.engine import LLMRouter


@dataclass(frozen=True)
class ApiContext:
    """The routes' dependencies.

    Both factories are called on every request that needs them: return one
    shared instance to reuse connections across requests, as the Lambda
    functions do, or a new one per call where sharing is unsafe.
    """

    store_factory: Callable[[], FeedbackStore]
    router_factory: Callable[[], LLMRouter]
    metrics: MetricsSink = field(default_factory=NullMetrics)
    # POST /complete's settings; None reads them from the environment.
    execution_settings: ExecutionSettings | None = None
