"""DynamoDB backend: the store of the Lambda functions, on four on-demand tables.

Key design (the tables themselves are defined in template.yaml):

- decisions, key `decision_id`. The `by-day` index has partition key `day`
  (the UTC date) and sort key `created_at`, so recent decisions are one Query
  per day. `expires_at` is the TTL attribute.
- feedback, key `decision_id` + `source`. A conditional put keeps one item per
  pair.
- aggregates, key `pk` + `sk`. Cell counters live under `pk = "cell"` with
  `sk = "<cell>#<tier>"`, and tier-day counters under `pk = "tier-day"` with
  `sk = "<day>#<tier>"`, so each read is one Query and never a Scan. The
  tier-day items also tell `recent_decisions` which days hold decisions.
- routing table, key `kind` + `version`. Versions live under
  `kind = "version"`. The current pointer and the retrain run counter are
  single items beside them.

Counters change only through `UpdateItem ADD`, inside the same transaction as
the item they count. Numbers are written as `Decimal(str(x))` and read back as
int or float. Quality is rounded to 1e-6 and cost to 1e-9 (the SQLite units),
so both backends return the same sums.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import boto3
from botocore.exceptions import ClientError

from feedback.backends.base import StoreBackend
from feedback.backends.dynamodb_io import (
    CLIENT_CONFIG,
    add_expression,
    cancellation_codes,
    cost_number,
    decode,
    encode,
    quality_number,
    query_items,
    sort_key_time,
    store_errors,
    transact,
)
from feedback.exceptions import DuplicateDecisionError, StoreError, VersionConflictError
from feedback.records import CellAggregate, CellCheckpoint, FeedbackRecord, TierDayAggregate
from router.models import RoutingDecision, Tier
from router.settings import Settings
from router.table import RoutingTable

DAY_INDEX = "by-day"
CELL_PK = "cell"
TIER_DAY_PK = "tier-day"
VERSION_KIND = "version"
POINTER_KEY = {"kind": "current", "version": 0}
RUN_COUNTER_KEY = {"kind": "retrain-runs", "version": 0}
CHECKPOINT_KIND = "checkpoint"
# Checkpoints older than this expire through the table's TTL. The retrainer
# reads at most the newest 2 ** (evidence_windows - 1), 32 at the defaults:
# a nightly schedule needs a month of them.
CHECKPOINT_TTL_SECONDS = 90 * 86_400


class DynamoDBBackend(StoreBackend):
    """Store backend on DynamoDB.

    Pass a boto3 DynamoDB client (tests pass a moto one); without one, the
    backend builds a client with standard retries and short timeouts.
    """

    def __init__(
        self,
        *,
        decisions_table: str,
        feedback_table: str,
        aggregates_table: str,
        routing_table_table: str,
        client: Any = None,
        decision_ttl_days: int = 90,
    ) -> None:
        self.decisions_table = decisions_table
        self.feedback_table = feedback_table
        self.aggregates_table = aggregates_table
        self.routing_table_table = routing_table_table
        self.decision_ttl = timedelta(days=decision_ttl_days)
        self._owns_client = client is None
        self._client = client if client is not None else boto3.client("dynamodb", config=CLIENT_CONFIG)

    @classmethod
    def from_settings(cls, settings: Settings, client: Any = None) -> DynamoDBBackend:
        return cls(
            decisions_table=settings.decisions_table,
            feedback_table=settings.feedback_table,
            aggregates_table=settings.aggregates_table,
            routing_table_table=settings.routing_table_table,
            client=client,
            decision_ttl_days=settings.decision_ttl_days,
        )

    def close(self) -> None:
        if self._owns_client:
            self._client.close()

    def _tier_day_update(self, day: date, tier: Tier, **counters: Decimal) -> dict[str, Any]:
        key = {"pk": TIER_DAY_PK, "sk": f"{day.isoformat()}#{tier.value}"}
        labels = {"day": day.isoformat(), "tier": tier.value}
        return {"Update": {"TableName": self.aggregates_table, "Key": encode(key), **add_expression(counters, labels)}}

    def _decision_put(self, decision: RoutingDecision, condition: str) -> dict[str, Any]:
        item = {
            "decision_id": decision.decision_id,
            "day": decision.created_at.astimezone(UTC).date().isoformat(),
            "created_at": sort_key_time(decision.created_at),
            "expires_at": int((decision.created_at + self.decision_ttl).timestamp()),
            "tier": decision.selected_tier.value,
            "model": decision.selected_model,
            "status": decision.status,
            "body": decision.model_dump(mode="json"),
        }
        return {"Put": {"TableName": self.decisions_table, "Item": encode(item), "ConditionExpression": condition}}

    # Decisions

    def put_decision(self, decision: RoutingDecision) -> None:
        items = [
            self._decision_put(decision, "attribute_not_exists(decision_id)"),
            self._tier_day_update(
                decision.created_at.astimezone(UTC).date(),
                decision.selected_tier,
                decisions=Decimal(1),
                estimated_cost_usd=cost_number(decision.estimated_cost_usd),
                baseline_cost_usd=cost_number(decision.baseline_cost_usd),
            ),
        ]
        try:
            with store_errors("TransactWriteItems (log decision)", self.decisions_table):
                transact(self._client, items)
        except StoreError as exc:
            cause = exc.__cause__
            # The first item's condition (attribute_not_exists) fails only for an existing decision.
            if isinstance(cause, ClientError) and cancellation_codes(cause)[:1] == ["ConditionalCheckFailed"]:
                raise DuplicateDecisionError(decision.decision_id) from cause
            raise

    def get_decision(self, decision_id: str) -> RoutingDecision | None:
        with store_errors("GetItem", self.decisions_table):
            # Strongly consistent, because feedback may arrive right after routing.
            response = self._client.get_item(
                TableName=self.decisions_table,
                Key=encode({"decision_id": decision_id}),
                ConsistentRead=True,
            )
        item = response.get("Item")
        return RoutingDecision.model_validate(decode(item)["body"]) if item else None

    def recent_decisions(self, limit: int, before: datetime | None = None) -> list[RoutingDecision]:
        # NOTE: DynamoDB deletes expired items within days, not at once, so a
        # decision past its TTL can still be listed until it is deleted.
        decisions: list[RoutingDecision] = []
        upto = before.astimezone(UTC).date() if before else None
        for day in self._decision_days(upto):
            decisions.extend(self._decisions_on(day, limit - len(decisions), before))
            if len(decisions) >= limit:
                break
        return decisions

    def _decision_days(self, upto: date | None) -> Iterator[str]:
        """Yield the UTC days that hold decisions, newest first, from the tier-day aggregates."""
        condition = "pk = :pk"
        values: dict[str, Any] = {":pk": TIER_DAY_PK}
        if upto is not None:
            condition += " AND sk < :next"
            values[":next"] = (upto + timedelta(days=1)).isoformat()
        previous = None
        for item in query_items(self._client, self.aggregates_table, condition, values, forward=False):
            if item.get("decisions", 0) > 0 and item["day"] != previous:
                previous = item["day"]
                yield item["day"]

    def _decisions_on(self, day: str, limit: int, before: datetime | None) -> list[RoutingDecision]:
        condition = "#day = :day"
        values: dict[str, Any] = {":day": day}
        if before is not None:
            condition += " AND created_at < :before"
            values[":before"] = sort_key_time(before)
        items = query_items(
            self._client,
            self.decisions_table,
            condition,
            values,
            forward=False,
            index=DAY_INDEX,
            limit=limit,
            names={"#day": "day"},
        )
        return [RoutingDecision.model_validate(item["body"]) for item in items]

    def record_outcome(self, decision: RoutingDecision, previous_actual_cost: float | None) -> None:
        completed = 1 if previous_actual_cost is None and decision.actual_cost_usd is not None else 0
        items = [
            self._decision_put(decision, "attribute_exists(decision_id)"),
            self._tier_day_update(
                decision.created_at.astimezone(UTC).date(),
                decision.selected_tier,
                actual_cost_usd=cost_number(decision.actual_cost_usd) - cost_number(previous_actual_cost),
                completed=Decimal(completed),
            ),
        ]
        with store_errors("TransactWriteItems (record outcome)", self.decisions_table):
            transact(self._client, items)

    # Feedback and aggregates

    def put_feedback(self, record: FeedbackRecord) -> bool:
        sample = 0 if record.failure else 1
        low = 1 if sample and record.low_quality else 0
        quality = quality_number(record.quality) * sample
        feedback_item = {
            "decision_id": record.decision_id,
            "source": record.source,
            "created_at": sort_key_time(record.created_at),
            "expires_at": int((record.created_at + self.decision_ttl).timestamp()),
            "body": record.model_dump(mode="json"),
        }
        cell_key = {"pk": CELL_PK, "sk": f"{record.cell}#{record.tier.value}"}
        cell_counters = {
            "samples": Decimal(sample),
            "low_quality": Decimal(low),
            "quality_sum": quality,
            "ratings": Decimal(1 if sample and record.rating is not None else 0),
            "failures": Decimal(1 - sample),
        }
        items = [
            {
                "Put": {
                    "TableName": self.feedback_table,
                    "Item": encode(feedback_item),
                    "ConditionExpression": "attribute_not_exists(decision_id)",
                }
            },
            {
                "Update": {
                    "TableName": self.aggregates_table,
                    "Key": encode(cell_key),
                    **add_expression(cell_counters, {"cell": record.cell, "tier": record.tier.value}),
                }
            },
            self._tier_day_update(
                record.day,
                record.tier,
                samples=Decimal(sample),
                quality_sum=quality,
                low_quality=Decimal(low),
                failures=Decimal(1 - sample),
            ),
        ]
        with store_errors("TransactWriteItems (record feedback)", self.feedback_table):
            try:
                transact(self._client, items)
            except ClientError as exc:
                # The feedback Put is item 0: its condition failing means this
                # (decision, source) pair was recorded before.
                if cancellation_codes(exc)[:1] == ["ConditionalCheckFailed"]:
                    return False
                raise
        return True

    def get_feedback(self, decision_id: str) -> list[FeedbackRecord]:
        items = query_items(self._client, self.feedback_table, "decision_id = :id", {":id": decision_id})
        records = [FeedbackRecord.model_validate(item["body"]) for item in items]
        return sorted(records, key=lambda record: record.created_at)

    def cell_aggregates(self) -> list[CellAggregate]:
        aggregates = [
            CellAggregate(
                cell=item["cell"],
                tier=Tier(item["tier"]),
                samples=item.get("samples", 0),
                low_quality=item.get("low_quality", 0),
                quality_sum=item.get("quality_sum", 0),
                ratings=item.get("ratings", 0),
                failures=item.get("failures", 0),
            )
            for item in query_items(self._client, self.aggregates_table, "pk = :pk", {":pk": CELL_PK})
        ]
        return sorted(aggregates, key=lambda aggregate: (aggregate.cell, aggregate.tier))

    def tier_day_aggregates(self, since: date | None = None) -> list[TierDayAggregate]:
        condition = "pk = :pk"
        values: dict[str, Any] = {":pk": TIER_DAY_PK}
        if since is not None:
            condition += " AND sk >= :since"
            values[":since"] = since.isoformat()
        counters = TierDayAggregate.model_fields.keys() - {"day", "tier"}
        return [
            TierDayAggregate(
                day=date.fromisoformat(item["day"]),
                tier=Tier(item["tier"]),
                **{name: item[name] for name in counters if name in item},
            )
            for item in query_items(self._client, self.aggregates_table, condition, values)
        ]

    # Routing-table versions

    def get_table(self, version: int) -> RoutingTable | None:
        with store_errors("GetItem", self.routing_table_table):
            response = self._client.get_item(
                TableName=self.routing_table_table,
                Key=encode({"kind": VERSION_KIND, "version": version}),
                ConsistentRead=True,
            )
        item = response.get("Item")
        return RoutingTable.model_validate(decode(item)["body"]) if item else None

    def current_table_version(self) -> int | None:
        with store_errors("GetItem", self.routing_table_table):
            response = self._client.get_item(
                TableName=self.routing_table_table, Key=encode(POINTER_KEY), ConsistentRead=True
            )
        item = response.get("Item")
        return int(decode(item)["current_version"]) if item else None

    def list_tables(self, limit: int = 50) -> list[RoutingTable]:
        items = query_items(
            self._client, self.routing_table_table, "kind = :kind", {":kind": VERSION_KIND}, forward=False, limit=limit
        )
        return [RoutingTable.model_validate(item["body"]) for item in items]

    def publish_table(self, table: RoutingTable, expected_current: int | None) -> None:
        version_item = {
            "kind": VERSION_KIND,
            "version": table.version,
            "created_at": sort_key_time(table.created_at),
            "body": table.model_dump(mode="json"),
        }
        pointer_item = {**POINTER_KEY, "current_version": table.version, "updated_at": sort_key_time(table.created_at)}
        pointer_put: dict[str, Any] = {"TableName": self.routing_table_table, "Item": encode(pointer_item)}
        if expected_current is None:
            pointer_put["ConditionExpression"] = "attribute_not_exists(current_version)"
        else:
            pointer_put["ConditionExpression"] = "current_version = :expected"
            pointer_put["ExpressionAttributeValues"] = encode({":expected": expected_current})
        items = [
            {
                "Put": {
                    "TableName": self.routing_table_table,
                    "Item": encode(version_item),
                    "ConditionExpression": "attribute_not_exists(version)",
                }
            },
            {"Put": pointer_put},
        ]
        with store_errors("TransactWriteItems (publish routing table)", self.routing_table_table):
            try:
                transact(self._client, items)
            except ClientError as exc:
                # Either the pointer moved or another writer took this version
                # number first: both mean a concurrent publish won.
                if "ConditionalCheckFailed" in cancellation_codes(exc):
                    raise VersionConflictError(expected_current, self.current_table_version()) from exc
                raise

    def next_retrain_run(self) -> int:
        with store_errors("UpdateItem", self.routing_table_table):
            response = self._client.update_item(
                TableName=self.routing_table_table,
                Key=encode(RUN_COUNTER_KEY),
                UpdateExpression="ADD runs :one",
                ExpressionAttributeValues=encode({":one": 1}),
                ReturnValues="UPDATED_NEW",
            )
        return int(decode(response["Attributes"])["runs"])

    def save_checkpoint(self, checkpoint: CellCheckpoint, keep: int) -> None:
        # The counters go in as zlib-compressed JSON, because an item has room for at
        # most 400 KB: about 2,000 cells of JSON, and ten times that compressed.
        # Old checkpoints expire by TTL rather than by `keep`, which saves the
        # retrain function a delete.
        item = {
            "kind": CHECKPOINT_KIND,
            "version": checkpoint.run,
            "created_at": sort_key_time(checkpoint.created_at),
            "counts_zlib": zlib.compress(checkpoint.model_dump_json().encode("utf-8")),
            "expires_at": int(checkpoint.created_at.timestamp()) + CHECKPOINT_TTL_SECONDS,
        }
        with store_errors("PutItem (retrain checkpoint)", self.routing_table_table):
            self._client.put_item(TableName=self.routing_table_table, Item=encode(item))

    def recent_checkpoints(self, limit: int) -> list[CellCheckpoint]:
        items = query_items(
            self._client,
            self.routing_table_table,
            "kind = :kind",
            {":kind": CHECKPOINT_KIND},
            forward=False,
            limit=limit,
        )
        return [CellCheckpoint.model_validate_json(zlib.decompress(_bytes(item["counts_zlib"]))) for item in items]


def _bytes(value: Any) -> bytes:
    # boto3's deserializer wraps a binary attribute in `Binary`; its `value` is the bytes.
    return bytes(getattr(value, "value", value))
