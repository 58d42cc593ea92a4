"""SQLite backend: the local default, one file in WAL mode.

Counters are stored as integers in millionths (quality) and billionths of a
dollar (cost) so sums stay exact however many samples are added.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

from feedback.backends.base import StoreBackend
from feedback.exceptions import DuplicateDecisionError, StoreOpenError, VersionConflictError
from feedback.records import CellAggregate, CellCheckpoint, FeedbackRecord, TierDayAggregate
from router.models import RoutingDecision, Tier
from router.table import RoutingTable

logger = logging.getLogger(__name__)

QUALITY_UNIT = 1_000_000
COST_UNIT = 1_000_000_000

# A SQLite file with tables but none of these belongs to another application.
STORE_MARKER_TABLES = frozenset({"decisions", "meta"})

SCHEMA = """
CREATE TABLE IF NOT EXISTS decisions (
    decision_id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    tier INTEGER NOT NULL,
    model TEXT NOT NULL,
    cell TEXT NOT NULL,
    status TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS decisions_created_at ON decisions (created_at);
CREATE TABLE IF NOT EXISTS feedback (
    decision_id TEXT NOT NULL REFERENCES decisions (decision_id),
    source TEXT NOT NULL,
    created_at TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (decision_id, source)
);
CREATE TABLE IF NOT EXISTS cell_aggregates (
    cell TEXT NOT NULL,
    tier INTEGER NOT NULL,
    samples INTEGER NOT NULL DEFAULT 0,
    low_quality INTEGER NOT NULL DEFAULT 0,
    quality_micros INTEGER NOT NULL DEFAULT 0,
    ratings INTEGER NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (cell, tier)
);
CREATE TABLE IF NOT EXISTS tier_daily (
    day TEXT NOT NULL,
    tier INTEGER NOT NULL,
    decisions INTEGER NOT NULL DEFAULT 0,
    estimated_nanos INTEGER NOT NULL DEFAULT 0,
    baseline_nanos INTEGER NOT NULL DEFAULT 0,
    actual_nanos INTEGER NOT NULL DEFAULT 0,
    completed INTEGER NOT NULL DEFAULT 0,
    samples INTEGER NOT NULL DEFAULT 0,
    quality_micros INTEGER NOT NULL DEFAULT 0,
    low_quality INTEGER NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, tier)
);
CREATE TABLE IF NOT EXISTS routing_tables (
    version INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS retrain_checkpoints (
    run INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
"""

TIER_DAILY_UPSERT = """
INSERT INTO tier_daily (day, tier, {columns}) VALUES (?, ?, {marks})
ON CONFLICT (day, tier) DO UPDATE SET {updates}
"""


def _nanos(usd: float | None) -> int:
    return round((usd or 0.0) * COST_UNIT)


def _micros(quality: float | None) -> int:
    return round((quality or 0.0) * QUALITY_UNIT)


def _foreign_tables(path: Path) -> list[str]:
    """Return the tables of an existing SQLite file that has tables but none of the store's, else [].

    It opens the file read-only, because the store's own connection would
    switch it to WAL mode before any check could run.
    """
    if str(path) == ":memory:" or not path.is_file() or path.stat().st_size == 0:
        return []
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        names = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    finally:
        connection.close()
    return [] if not names or STORE_MARKER_TABLES & set(names) else sorted(names)


def _open_error(path: Path, error: OSError | sqlite3.Error) -> StoreOpenError:
    """Build the error for a store file that cannot be opened: what failed and what the user can do."""
    if path.is_dir():
        return StoreOpenError(path, "is a directory", f"point {{setting}} at a file, such as {path / 'router.db'}")
    if isinstance(error, OSError):
        return StoreOpenError(
            path,
            f"cannot create the folder {path.parent} ({error.strerror})",
            "point {setting} at a file in a writable folder",
        )
    code = getattr(error, "sqlite_errorname", None)
    if code == "SQLITE_NOTADB":
        return StoreOpenError(path, "not a SQLite database", "point {setting} at a new file")
    if code in {"SQLITE_CANTOPEN", "SQLITE_READONLY", "SQLITE_PERM", "SQLITE_AUTH"}:
        return StoreOpenError(
            path, f"cannot be opened for writing ({error})", "make it writable or point {setting} at another file"
        )
    # For example a SQLite database of another program, whose tables clash with the store's.
    return StoreOpenError(path, f"cannot be used as the store ({error})", "point {setting} at a new file")


class SQLiteBackend(StoreBackend):
    """Store backend on one SQLite file; safe to share between threads."""

    def __init__(self, path: Path | str) -> None:
        """Open (or create) the store file; raise `StoreOpenError` naming the file when it cannot be used."""
        self.path = Path(path)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        try:
            if str(path) != ":memory:":
                self.path.parent.mkdir(parents=True, exist_ok=True)
            foreign = _foreign_tables(self.path)
            if foreign:
                raise StoreOpenError(
                    self.path,
                    f"is the SQLite database of another application (tables: {', '.join(foreign[:5])})",
                    "point {setting} at a new file or at an llm-router store",
                )
            # executescript commits on its own, so it runs outside _transaction().
            self._connection().executescript(SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            self.close()
            raise _open_error(self.path, exc) from exc

    def _connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            # One connection per thread: sqlite3 connections must not be shared
            # across threads, and WAL lets readers run beside the single writer.
            conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.row_factory = sqlite3.Row
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self._connection()
        # IMMEDIATE takes the write lock up front, so two writers never both
        # read a counter and then race to update it.
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()

    # Decisions

    def put_decision(self, decision: RoutingDecision) -> None:
        with self._transaction() as conn:
            try:
                conn.execute(
                    "INSERT INTO decisions (decision_id, created_at, tier, model, cell, status, body)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        decision.decision_id,
                        decision.created_at.astimezone(UTC).isoformat(),
                        decision.selected_tier.value,
                        decision.selected_model,
                        decision.cell.key,
                        decision.status,
                        decision.model_dump_json(),
                    ),
                )
            except sqlite3.IntegrityError as exc:
                # The transaction rolls back, so the daily counts stay as they were.
                raise DuplicateDecisionError(decision.decision_id) from exc
            self._add_tier_daily(
                conn,
                decision.created_at.astimezone(UTC).date(),
                decision.selected_tier,
                decisions=1,
                estimated_nanos=_nanos(decision.estimated_cost_usd),
                baseline_nanos=_nanos(decision.baseline_cost_usd),
            )

    def get_decision(self, decision_id: str) -> RoutingDecision | None:
        row = self._connection().execute("SELECT body FROM decisions WHERE decision_id = ?", (decision_id,)).fetchone()
        return RoutingDecision.model_validate_json(row["body"]) if row else None

    def recent_decisions(self, limit: int, before: datetime | None = None) -> list[RoutingDecision]:
        if before is None:
            rows = self._connection().execute("SELECT body FROM decisions ORDER BY created_at DESC LIMIT ?", (limit,))
        else:
            rows = self._connection().execute(
                "SELECT body FROM decisions WHERE created_at < ? ORDER BY created_at DESC LIMIT ?",
                (before.astimezone(UTC).isoformat(), limit),
            )
        return [RoutingDecision.model_validate_json(row["body"]) for row in rows]

    def record_outcome(self, decision: RoutingDecision, previous_actual_cost: float | None) -> None:
        with self._transaction() as conn:
            conn.execute(
                "UPDATE decisions SET tier = ?, model = ?, status = ?, body = ? WHERE decision_id = ?",
                (
                    decision.selected_tier.value,
                    decision.selected_model,
                    decision.status,
                    decision.model_dump_json(),
                    decision.decision_id,
                ),
            )
            added = _nanos(decision.actual_cost_usd) - _nanos(previous_actual_cost)
            completed = 1 if previous_actual_cost is None and decision.actual_cost_usd is not None else 0
            self._add_tier_daily(
                conn,
                decision.created_at.astimezone(UTC).date(),
                decision.selected_tier,
                actual_nanos=added,
                completed=completed,
            )

    # Feedback and aggregates

    def put_feedback(self, record: FeedbackRecord) -> bool:
        with self._transaction() as conn:
            inserted = conn.execute(
                "INSERT OR IGNORE INTO feedback (decision_id, source, created_at, body) VALUES (?, ?, ?, ?)",
                (record.decision_id, record.source, record.created_at.isoformat(), record.model_dump_json()),
            ).rowcount
            if not inserted:
                return False
            sample = 0 if record.failure else 1
            failure = 1 if record.failure else 0
            low = 1 if sample and record.low_quality else 0
            rated = 1 if sample and record.rating is not None else 0
            conn.execute(
                "INSERT INTO cell_aggregates (cell, tier, samples, low_quality, quality_micros, ratings, failures)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (cell, tier) DO UPDATE SET samples = samples + excluded.samples,"
                " low_quality = low_quality + excluded.low_quality,"
                " quality_micros = quality_micros + excluded.quality_micros,"
                " ratings = ratings + excluded.ratings, failures = failures + excluded.failures",
                (record.cell, record.tier.value, sample, low, _micros(record.quality) * sample, rated, failure),
            )
            self._add_tier_daily(
                conn,
                record.day,
                record.tier,
                samples=sample,
                quality_micros=_micros(record.quality) * sample,
                low_quality=low,
                failures=failure,
            )
            return True

    def get_feedback(self, decision_id: str) -> list[FeedbackRecord]:
        rows = self._connection().execute(
            "SELECT body FROM feedback WHERE decision_id = ? ORDER BY created_at", (decision_id,)
        )
        return [FeedbackRecord.model_validate_json(row["body"]) for row in rows]

    def cell_aggregates(self) -> list[CellAggregate]:
        rows = self._connection().execute("SELECT * FROM cell_aggregates ORDER BY cell, tier")
        return [
            CellAggregate(
                cell=row["cell"],
                tier=Tier(row["tier"]),
                samples=row["samples"],
                low_quality=row["low_quality"],
                quality_sum=row["quality_micros"] / QUALITY_UNIT,
                ratings=row["ratings"],
                failures=row["failures"],
            )
            for row in rows
        ]

    def tier_day_aggregates(self, since: date | None = None) -> list[TierDayAggregate]:
        rows = self._connection().execute(
            "SELECT * FROM tier_daily WHERE day >= ? ORDER BY day, tier", ((since or date.min).isoformat(),)
        )
        return [
            TierDayAggregate(
                day=date.fromisoformat(row["day"]),
                tier=Tier(row["tier"]),
                decisions=row["decisions"],
                estimated_cost_usd=row["estimated_nanos"] / COST_UNIT,
                baseline_cost_usd=row["baseline_nanos"] / COST_UNIT,
                actual_cost_usd=row["actual_nanos"] / COST_UNIT,
                completed=row["completed"],
                samples=row["samples"],
                quality_sum=row["quality_micros"] / QUALITY_UNIT,
                low_quality=row["low_quality"],
                failures=row["failures"],
            )
            for row in rows
        ]

    @staticmethod
    def _add_tier_daily(conn: sqlite3.Connection, day: date, tier: Tier, **counters: int) -> None:
        columns = list(counters)
        sql = TIER_DAILY_UPSERT.format(
            columns=", ".join(columns),
            marks=", ".join("?" for _ in columns),
            updates=", ".join(f"{name} = {name} + excluded.{name}" for name in columns),
        )
        conn.execute(sql, (day.isoformat(), tier.value, *counters.values()))

    # Routing-table versions

    def get_table(self, version: int) -> RoutingTable | None:
        row = self._connection().execute("SELECT body FROM routing_tables WHERE version = ?", (version,)).fetchone()
        return RoutingTable.model_validate_json(row["body"]) if row else None

    def current_table_version(self) -> int | None:
        row = self._connection().execute("SELECT value FROM meta WHERE key = 'current_table'").fetchone()
        return row["value"] if row else None

    def list_tables(self, limit: int = 50) -> list[RoutingTable]:
        rows = self._connection().execute("SELECT body FROM routing_tables ORDER BY version DESC LIMIT ?", (limit,))
        return [RoutingTable.model_validate_json(row["body"]) for row in rows]

    def publish_table(self, table: RoutingTable, expected_current: int | None) -> None:
        with self._transaction() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'current_table'").fetchone()
            current = row["value"] if row else None
            if current != expected_current:
                raise VersionConflictError(expected_current, current)
            conn.execute(
                "INSERT INTO routing_tables (version, created_at, body) VALUES (?, ?, ?)",
                (table.version, table.created_at.isoformat(), table.model_dump_json()),
            )
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('current_table', ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (table.version,),
            )

    def next_retrain_run(self) -> int:
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('retrain_runs', 1)"
                " ON CONFLICT (key) DO UPDATE SET value = value + 1"
            )
            row = conn.execute("SELECT value FROM meta WHERE key = 'retrain_runs'").fetchone()
            return int(row["value"])

    def save_checkpoint(self, checkpoint: CellCheckpoint, keep: int) -> None:
        with self._transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO retrain_checkpoints (run, created_at, body) VALUES (?, ?, ?)",
                (checkpoint.run, checkpoint.created_at.isoformat(), checkpoint.model_dump_json()),
            )
            conn.execute("DELETE FROM retrain_checkpoints WHERE run <= ?", (checkpoint.run - keep,))

    def recent_checkpoints(self, limit: int) -> list[CellCheckpoint]:
        rows = self._connection().execute("SELECT body FROM retrain_checkpoints ORDER BY run DESC LIMIT ?", (limit,))
        return [CellCheckpoint.model_validate_json(row["body"]) for row in rows]
