"""The interface every storage backend implements; one contract test suite covers all."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import date, datetime

from feedback.records import CellAggregate, CellCheckpoint, FeedbackRecord, TierDayAggregate
from router.models import RoutingDecision
from router.table import RoutingTable


class StoreBackend(ABC):
    """Persistence of decisions, feedback, aggregates and routing-table versions."""

    @abstractmethod
    def put_decision(self, decision: RoutingDecision) -> None:
        """Insert a decision and count it in its tier's daily aggregate."""

    @abstractmethod
    def get_decision(self, decision_id: str) -> RoutingDecision | None: ...

    @abstractmethod
    def recent_decisions(self, limit: int, before: datetime | None = None) -> list[RoutingDecision]:
        """Return up to `limit` decisions, newest first, created before `before` if given."""

    @abstractmethod
    def record_outcome(self, decision: RoutingDecision, previous_actual_cost: float | None) -> None:
        """Replace a decision after execution and add its actual cost to the daily aggregate."""

    @abstractmethod
    def put_feedback(self, record: FeedbackRecord) -> bool:
        """Insert feedback and update aggregates atomically; False when (decision, source) exists."""

    @abstractmethod
    def get_feedback(self, decision_id: str) -> list[FeedbackRecord]: ...

    @abstractmethod
    def cell_aggregates(self) -> list[CellAggregate]: ...

    @abstractmethod
    def tier_day_aggregates(self, since: date | None = None) -> list[TierDayAggregate]: ...

    @abstractmethod
    def get_table(self, version: int) -> RoutingTable | None: ...

    @abstractmethod
    def current_table_version(self) -> int | None: ...

    @abstractmethod
    def list_tables(self, limit: int = 50) -> list[RoutingTable]:
        """Return up to `limit` routing-table versions, newest first."""

    @abstractmethod
    def publish_table(self, table: RoutingTable, expected_current: int | None) -> None:
        """Store `table` and point `current` at it, only if `current` is still `expected_current`.

        Raises `VersionConflictError` when another writer moved the pointer first.
        """

    @abstractmethod
    def next_retrain_run(self) -> int:
        """Atomically increment and return the retrain run counter."""

    @abstractmethod
    def save_checkpoint(self, checkpoint: CellCheckpoint, keep: int) -> None:
        """Store the cell counters a retrain run read, replacing any of the same run.

        Checkpoints more than `keep` runs older than this one may be dropped.
        """

    @abstractmethod
    def recent_checkpoints(self, limit: int) -> list[CellCheckpoint]:
        """Return up to `limit` checkpoints, newest run first."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections; the default does nothing."""
