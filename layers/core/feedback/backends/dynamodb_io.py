"""Low-level helpers of the DynamoDB backend: the number codec, expressions, errors, queries and transactions."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from feedback.exceptions import StoreError

logger = logging.getLogger(__name__)

# Standard mode retries throttling and 5xx with backoff. Three attempts in all
# (botocore's `max_attempts` would count retries only) and short timeouts bound
# how long a failing store can hold up a routing request.
CLIENT_CONFIG = Config(retries={"mode": "standard", "total_max_attempts": 3}, connect_timeout=2, read_timeout=5)

# Cancellation reasons worth another attempt. botocore retries throttled calls
# itself, but not a transaction cancelled because another transaction was
# writing the same aggregate item at that moment.
RETRYABLE_CANCEL_CODES = frozenset({"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"})
TRANSACTION_ATTEMPTS = 5
RETRY_BASE_SECONDS = 0.02

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def quality_number(value: float | None) -> Decimal:
    """Quality rounded to 1e-6, the resolution the SQLite backend keeps."""
    return Decimal(str(round(value or 0.0, 6)))


def cost_number(value: float | None) -> Decimal:
    """US dollars rounded to 1e-9, the resolution the SQLite backend keeps."""
    return Decimal(str(round(value or 0.0, 9)))


def _to_dynamo(value: Any) -> Any:
    # The serializer rejects float, so floats go in as the Decimal of their shortest repr.
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {key: _to_dynamo(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_to_dynamo(item) for item in value]
    return value


def _from_dynamo(value: Any) -> Any:
    if isinstance(value, Decimal):
        # A non-negative exponent means no fractional digits were stored.
        exponent = value.as_tuple().exponent
        return int(value) if isinstance(exponent, int) and exponent >= 0 else float(value)
    if isinstance(value, dict):
        return {key: _from_dynamo(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_from_dynamo(item) for item in value]
    return value


def encode(item: dict[str, Any]) -> dict[str, Any]:
    """Convert plain Python values (JSON-mode model dumps) to DynamoDB attribute values."""
    return {name: _serializer.serialize(_to_dynamo(value)) for name, value in item.items()}


def decode(item: dict[str, Any]) -> dict[str, Any]:
    """Convert DynamoDB attribute values to plain Python values, numbers to int or float."""
    return {name: _from_dynamo(_deserializer.deserialize(value)) for name, value in item.items()}


def sort_key_time(moment: datetime) -> str:
    """Format a time at fixed width, so string order is time order (isoformat drops zero microseconds)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def cancellation_codes(exc: ClientError) -> list[str]:
    """Return the per-item reason codes of a cancelled transaction, in request order."""
    return [reason.get("Code", "None") for reason in exc.response.get("CancellationReasons", [])]


def add_expression(counters: dict[str, Decimal], labels: dict[str, Any]) -> dict[str, Any]:
    """Build UpdateItem arguments that set descriptive attributes and ADD to counters."""
    names = {f"#{name}": name for name in (*labels, *counters)}
    values = {f":{name}": value for name, value in (*labels.items(), *counters.items())}
    expression = "SET " + ", ".join(f"#{name} = :{name}" for name in labels)
    expression += " ADD " + ", ".join(f"#{name} :{name}" for name in counters)
    return {
        "UpdateExpression": expression,
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": encode(values),
    }


@contextmanager
def store_errors(action: str, table: str) -> Iterator[None]:
    """Wrap botocore failures in StoreError, naming the action, the table and the error code."""
    try:
        yield
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", "Unknown"))
        reasons = cancellation_codes(exc)
        detail = f"{code} (cancellation reasons: {', '.join(reasons)})" if reasons else code
        raise StoreError(f"DynamoDB {action} on table {table} failed: {detail}") from exc
    except BotoCoreError as exc:
        raise StoreError(f"DynamoDB {action} on table {table} failed: {exc}") from exc


def transact(client: Any, items: list[dict[str, Any]]) -> None:
    """Run TransactWriteItems, retrying cancellations caused by conflicts or throttling.

    A failed condition is never retried: the caller decides what it means.
    """
    for attempt in range(1, TRANSACTION_ATTEMPTS + 1):
        try:
            client.transact_write_items(TransactItems=items)
            return
        except ClientError as exc:
            codes = set(cancellation_codes(exc))
            retryable = codes & RETRYABLE_CANCEL_CODES and "ConditionalCheckFailed" not in codes
            if attempt == TRANSACTION_ATTEMPTS or not retryable:
                raise
            logger.info(
                "DynamoDB transaction cancelled, retrying", extra={"reasons": sorted(codes), "attempt": attempt}
            )
            time.sleep(random.uniform(0, RETRY_BASE_SECONDS * 2**attempt))


def query_items(
    client: Any,
    table: str,
    condition: str,
    values: dict[str, Any],
    *,
    forward: bool = True,
    index: str | None = None,
    limit: int | None = None,
    names: dict[str, str] | None = None,
) -> Iterator[dict[str, Any]]:
    """Yield decoded items of a Query page by page, stopping after `limit` items when given."""
    request: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": condition,
        "ExpressionAttributeValues": encode(values),
        "ScanIndexForward": forward,
    }
    if index:
        request["IndexName"] = index
    if names:
        request["ExpressionAttributeNames"] = names
    returned = 0
    while True:
        if limit is not None:
            request["Limit"] = limit - returned
        with store_errors("Query", table):
            page = client.query(**request)
        for item in page.get("Items", []):
            returned += 1
            yield decode(item)
        if "LastEvaluatedKey" not in page or (limit is not None and returned >= limit):
            return
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
