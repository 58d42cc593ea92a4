"""Idempotency of POST /complete: Powertools Idempotency keyed on the `Idempotency-Key` header.

Lambda keeps the records in DynamoDB with Powertools' `DynamoDBPersistenceLayer`.
The local server and the tests use `SQLitePersistenceLayer`, which implements
the same record rules on one SQLite file (or `:memory:`). A record may be
replaced only when it has expired, or when it is still in progress past its
in-progress expiry (the invocation that wrote it died).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aws_lambda_powertools.utilities.idempotency import BasePersistenceLayer, IdempotencyConfig, idempotent_function
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyItemAlreadyExistsError,
    IdempotencyItemNotFoundError,
)
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import STATUS_CONSTANTS, DataRecord

from providers.settings import ExecutionSettings

SCHEMA = """
CREATE TABLE IF NOT EXISTS idempotency (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    expiration INTEGER,
    in_progress_expiration INTEGER,
    data TEXT NOT NULL DEFAULT '',
    validation TEXT NOT NULL DEFAULT ''
)
"""


class SQLitePersistenceLayer(BasePersistenceLayer):
    """Powertools idempotency records in a SQLite table; `path=":memory:"` keeps them in this process.

    One connection behind a lock serves every thread, because the check and
    the write of `_put_record` must be one step.
    """

    def __init__(self, path: Path | str = ":memory:") -> None:
        super().__init__()
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=30.0)
        self._lock = threading.Lock()
        with self._lock:
            self._conn.execute(SCHEMA)

    def close(self) -> None:
        self._conn.close()

    def _get_record(self, idempotency_key: str) -> DataRecord:
        with self._lock:
            row = self._select(idempotency_key)
        if row is None:
            raise IdempotencyItemNotFoundError
        return row

    def _put_record(self, data_record: DataRecord) -> None:
        now = time.time()
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                existing = self._select(data_record.idempotency_key)
                if existing is not None and not _replaceable(existing, now):
                    raise IdempotencyItemAlreadyExistsError
                self._conn.execute(
                    "INSERT OR REPLACE INTO idempotency"
                    " (id, status, expiration, in_progress_expiration, data, validation) VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        data_record.idempotency_key,
                        data_record.status,
                        data_record.expiry_timestamp,
                        data_record.in_progress_expiry_timestamp,
                        data_record.response_data or "",
                        data_record.payload_hash or "",
                    ),
                )
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _update_record(self, data_record: DataRecord) -> None:
        with self._lock:
            self._conn.execute(
                "UPDATE idempotency SET status = ?, expiration = ?, data = ?, validation = ? WHERE id = ?",
                (
                    data_record.status,
                    data_record.expiry_timestamp,
                    data_record.response_data or "",
                    data_record.payload_hash or "",
                    data_record.idempotency_key,
                ),
            )

    def _delete_record(self, data_record: DataRecord) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM idempotency WHERE id = ?", (data_record.idempotency_key,))

    def _select(self, idempotency_key: str) -> DataRecord | None:
        row = self._conn.execute(
            "SELECT id, status, expiration, in_progress_expiration, data, validation FROM idempotency WHERE id = ?",
            (idempotency_key,),
        ).fetchone()
        if row is None:
            return None
        key, status, expiration, in_progress_expiration, data, validation = row
        return DataRecord(
            idempotency_key=key,
            status=status,
            expiry_timestamp=expiration,
            in_progress_expiry_timestamp=in_progress_expiration,
            response_data=data,
            payload_hash=validation,
        )


def _replaceable(record: DataRecord, now: float) -> bool:
    # The same conditions as DynamoDBPersistenceLayer's conditional put:
    # expiry in seconds, in-progress expiry in milliseconds.
    if record.expiry_timestamp is not None and record.expiry_timestamp < int(now):
        return True
    in_progress = record.status == STATUS_CONSTANTS["INPROGRESS"]
    expiry_ms = record.in_progress_expiry_timestamp
    return in_progress and expiry_ms is not None and expiry_ms < int(now * 1000)


def default_persistence_layer(settings: ExecutionSettings) -> BasePersistenceLayer:
    """Return DynamoDB persistence when IDEMPOTENCY_TABLE is set, else the SQLite file of the settings."""
    if settings.idempotency_table:
        from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

        return DynamoDBPersistenceLayer(table_name=settings.idempotency_table)
    return SQLitePersistenceLayer(settings.idempotency_db_path)


class IdempotentRunner:
    """Run a function at most once per idempotency key and request body, replaying its stored result.

    The persistence layer and the decorated function are built on the first
    keyed request, so registering the route (or rendering the OpenAPI
    document) opens no table and creates no file. A replayed result gets
    `"idempotent_replay": true`. Raises Powertools' `IdempotencyValidationError`
    for a known key with another body, and `IdempotencyAlreadyInProgressError`
    while the first request runs.
    """

    def __init__(
        self,
        function: Callable[..., dict[str, Any]],
        *,
        ttl_s: int,
        persistence_factory: Callable[[], BasePersistenceLayer],
        key_prefix: str = "complete",
    ) -> None:
        self._function = function
        self._key_prefix = key_prefix
        self._persistence_factory = persistence_factory
        self.config = IdempotencyConfig(
            event_key_jmespath="idempotency_key",
            payload_validation_jmespath="body",
            expires_after_seconds=ttl_s,
            response_hook=_mark_replay,
        )
        self._wrapped: Callable[..., dict[str, Any]] | None = None
        self._lock = threading.Lock()

    def run(self, key: str, body: dict[str, Any], lambda_context: Any = None, **arguments: Any) -> dict[str, Any]:
        """Call the function with `body` and `arguments`, or return the stored result of `key`."""
        if lambda_context is not None:
            # The in-progress record then expires with this invocation, so a retry
            # after a crash is not locked out until the record's full expiry.
            self.config.register_lambda_context(lambda_context)
        return self._decorated()(request_data={"idempotency_key": key, "body": body}, **arguments)

    def _decorated(self) -> Callable[..., dict[str, Any]]:
        with self._lock:
            if self._wrapped is None:
                function = self._function

                def call_once(request_data: dict[str, Any], **arguments: Any) -> dict[str, Any]:
                    return function(request_data["body"], **arguments)

                self._wrapped = idempotent_function(
                    call_once,
                    data_keyword_argument="request_data",
                    persistence_store=self._persistence_factory(),
                    config=self.config,
                    key_prefix=self._key_prefix,
                )
            return self._wrapped


def _mark_replay(response: Any, idempotent_data: DataRecord) -> Any:
    if isinstance(response, dict):
        return {**response, "idempotent_replay": True}
    return response
