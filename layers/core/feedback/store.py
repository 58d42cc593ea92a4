"""`FeedbackStore`: the decision log, feedback intake and routing-table versions.

The store is a facade over one backend (SQLite by default, DynamoDB in Lambda).
Validation, quality scoring and the rules of idempotency live here, so every
backend behaves the same and the backends only persist.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from feedback.backends.base import StoreBackend
from feedback.exceptions import DecisionNotFoundError, StoreError, VersionNotFoundError
from feedback.quality import derive_format_expectations, is_provider_failure, score_quality
from feedback.records import (
    CellAggregate,
    CellCheckpoint,
    FeedbackRecord,
    FeedbackResult,
    TierDayAggregate,
    normalize_source,
)
from router.models import RoutingDecision, Tier
from router.settings import Settings
from router.table import RoutingTable, load_table_file

logger = logging.getLogger(__name__)

MAX_RECENT = 1000


def _backend_from_settings(settings: Settings) -> StoreBackend:
    if settings.store_backend == "sqlite":
        from feedback.backends.sqlite import SQLiteBackend

        return SQLiteBackend(settings.db_path)
    if settings.store_backend == "dynamodb":
        from feedback.backends.dynamodb import DynamoDBBackend

        return DynamoDBBackend.from_settings(settings)
    raise ValueError(f"LLM_ROUTER_STORE={settings.store_backend!r} is invalid: allowed sqlite or dynamodb")


class FeedbackStore:
    """Decisions, feedback, aggregates and routing tables on one backend.

    `FeedbackStore()` opens the SQLite file named by `LLM_ROUTER_DB_PATH`;
    pass `db_path` for another file or `backend` for any other backend.
    """

    def __init__(
        self,
        db_path: Path | str | None = None,
        *,
        backend: StoreBackend | None = None,
        settings: Settings | None = None,
    ) -> None:
        self.settings = settings or Settings.from_env()
        if backend is not None:
            self.backend = backend
        elif db_path is not None:
            from feedback.backends.sqlite import SQLiteBackend

            self.backend = SQLiteBackend(db_path)
        else:
            self.backend = _backend_from_settings(self.settings)

    def close(self) -> None:
        self.backend.close()

    # Decisions

    def log_decision(self, decision: RoutingDecision) -> None:
        """Store a decision; its prompt text is dropped unless `LLM_ROUTER_STORE_PROMPTS` is on."""
        if decision.prompt is not None and not self.settings.store_prompts:
            decision = decision.model_copy(update={"prompt": None})
        self.backend.put_decision(decision)

    def get_decision(self, decision_id: str) -> RoutingDecision:
        decision = self.backend.get_decision(decision_id)
        if decision is None:
            raise DecisionNotFoundError(decision_id)
        return decision

    def recent_decisions(self, limit: int = 50, before: datetime | None = None) -> list[RoutingDecision]:
        if not 1 <= limit <= MAX_RECENT:
            raise ValueError(f"limit={limit} is out of range: allowed 1 to {MAX_RECENT}")
        return self.backend.recent_decisions(limit, before)

    def record_outcome(self, decision: RoutingDecision) -> None:
        """Save what execution added to a logged decision (actual tokens, cost, fallback)."""
        with _sqlite_errors_as_store_errors(f"save the outcome of decision {decision.decision_id}"):
            previous = self.get_decision(decision.decision_id)
            self.backend.record_outcome(decision, previous.actual_cost_usd)

    # Feedback

    def record_feedback(
        self,
        decision_id: str,
        *,
        rating: float | str | None = None,
        response: str | None = None,
        signals: dict[str, Any] | None = None,
        source: str = "user",
    ) -> FeedbackResult:
        """Score a response or rating and add it to the decision's cell, once per (decision, source).

        `signals` may carry `stop_reason`, and provider-failure facts (`status_code`,
        `error`, `timed_out`); a failure is recorded as a failure, never as a quality sample.
        Raises `DecisionNotFoundError` or `InvalidRatingError` before anything is written,
        and `StoreError` when the store fails.
        """
        with _sqlite_errors_as_store_errors(f"save feedback on decision {decision_id}"):
            return self._record_feedback(decision_id, rating, response, signals, source)

    def _record_feedback(
        self,
        decision_id: str,
        rating: float | str | None,
        response: str | None,
        signals: dict[str, Any] | None,
        source: str,
    ) -> FeedbackResult:
        source = normalize_source(source)
        signals = dict(signals or {})
        decision = self.get_decision(decision_id)
        failure = is_provider_failure(
            status_code=signals.get("status_code"),
            error=signals.get("error"),
            response=response,
            timed_out=bool(signals.get("timed_out")),
        )
        if rating is None and response is None and failure is None:
            raise ValueError("feedback needs a rating, a response or a provider failure: none was given")
        record = self._build_record(decision, source, failure, rating, response, signals)
        inserted = self.backend.put_feedback(record)
        if not inserted:
            logger.info("feedback repeat ignored", extra={"decision_id": decision_id, "source": source})
            # A repeat reports what the first submission recorded, not the values it was refused with.
            stored = next((kept for kept in self.backend.get_feedback(decision_id) if kept.source == source), None)
            record = stored or record
        return FeedbackResult(
            decision_id=decision_id,
            source=source,
            quality=record.quality,
            low_quality=record.low_quality,
            signals=record.signals,
            failure=record.failure,
            repeat=not inserted,
        )

    def _build_record(
        self,
        decision: RoutingDecision,
        source: str,
        failure: str | None,
        rating: float | str | None,
        response: str | None,
        signals: dict[str, Any],
    ) -> FeedbackRecord:
        if failure is not None and rating is None:
            return FeedbackRecord(
                decision_id=decision.decision_id,
                source=source,
                cell=decision.cell.key,
                tier=decision.selected_tier,
                failure=failure,
            )
        asks_code, asks_list = derive_format_expectations(decision)
        quality = score_quality(
            response=response if failure is None else None,
            query_terms=decision.query_terms,
            domain=decision.classification.domain,
            expected_tokens=decision.estimated_output_tokens,
            stop_reason=signals.get("stop_reason"),
            rating=rating,
            asks_code=asks_code,
            asks_list=asks_list,
            low_threshold=self.settings.low_quality_threshold,
        )
        # Thumbs (a string, or True and False) have no star count.
        numeric_rating = None if rating is None or isinstance(rating, (str, bool)) else float(rating)
        return FeedbackRecord(
            decision_id=decision.decision_id,
            source=source,
            cell=decision.cell.key,
            tier=decision.selected_tier,
            quality=quality.score,
            low_quality=quality.low_quality,
            rating=numeric_rating,
            signals=quality.signals,
        )

    def get_feedback(self, decision_id: str) -> list[FeedbackRecord]:
        self.get_decision(decision_id)
        return self.backend.get_feedback(decision_id)

    # Aggregates

    def cell_aggregates(self) -> list[CellAggregate]:
        return self.backend.cell_aggregates()

    def tier_day_aggregates(self, since: date | None = None) -> list[TierDayAggregate]:
        return self.backend.tier_day_aggregates(since)

    # Routing tables

    def current_routing_table(self) -> RoutingTable:
        """Return the current version, or the built-in default when none was ever published."""
        version = self.backend.current_table_version()
        if version is None:
            return RoutingTable(default_tier=Tier(self.settings.default_tier))
        table = self.backend.get_table(version)
        if table is None:
            raise VersionNotFoundError(version)
        return table

    def active_routing_table(self) -> RoutingTable:
        """Return the table routing uses: the `LLM_ROUTER_ROUTING_TABLE_PATH` file if set, else the current version.

        A configured file pins routing to a hand-written table; `retrain` still
        publishes versions to the store, and they take effect once the file
        setting is removed.
        """
        if self.settings.routing_table_path is not None:
            return load_table_file(self.settings.routing_table_path)
        return self.current_routing_table()

    def routing_table(self, version: int) -> RoutingTable:
        table = self.backend.get_table(version)
        if table is None:
            raise VersionNotFoundError(version)
        return table

    def routing_table_history(self, limit: int = 50) -> list[RoutingTable]:
        return self.backend.list_tables(limit)

    def publish_routing_table(self, table: RoutingTable, expected_current: int | None) -> RoutingTable:
        """Store `table` as the next version if the current pointer is still `expected_current`."""
        newest = self.backend.list_tables(1)
        next_version = (newest[0].version if newest else 0) + 1
        stamped = table.model_copy(
            update={"version": next_version, "parent_version": expected_current, "created_at": datetime.now(UTC)}
        )
        self.backend.publish_table(stamped, expected_current)
        return stamped

    def next_retrain_run(self) -> int:
        return self.backend.next_retrain_run()

    # Retrainer checkpoints

    def save_checkpoint(self, checkpoint: CellCheckpoint, keep: int = 50) -> None:
        """Store the cell counters a retrain run read; runs more than `keep` back may be dropped."""
        self.backend.save_checkpoint(checkpoint, keep)

    def recent_checkpoints(self, limit: int) -> list[CellCheckpoint]:
        """Return up to `limit` retrain checkpoints, newest run first."""
        return self.backend.recent_checkpoints(limit) if limit > 0 else []


@contextmanager
def _sqlite_errors_as_store_errors(action: str) -> Iterator[None]:
    """Raise `StoreError` for a SQLite error, as the DynamoDB backend does for its own.

    Callers that keep a paid answer when recording its outcome fails, such as
    the executor, then catch one type. "database is locked" after the busy
    timeout is the usual case.
    """
    try:
        yield
    except Exception as exc:
        # Looked up, not imported: the route function on DynamoDB never loads sqlite3, and must not at init.
        sqlite3 = sys.modules.get("sqlite3")
        if sqlite3 is None or not isinstance(exc, sqlite3.Error):
            raise
        raise StoreError(
            f"the SQLite store failed to {action}: {exc}: check that its file is writable and intact"
        ) from exc
