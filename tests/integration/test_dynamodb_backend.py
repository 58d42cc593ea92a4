"""What only the DynamoDB backend does: item layout, TTL, Query-only reads, retries and error wrapping."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError

from feedback.backends.dynamodb import DynamoDBBackend
from feedback.backends.dynamodb_io import TRANSACTION_ATTEMPTS
from feedback.exceptions import DuplicateDecisionError, StoreError
from router.settings import Settings
from tests.integration.test_store_contract import T0, make_decision, make_feedback


def record_operations(client: Any) -> list[str]:
    """Return a list that fills with the name of every DynamoDB API call the client makes."""
    operations: list[str] = []

    def record(model: Any, **_: Any) -> None:
        operations.append(model.name)

    client.meta.events.register("before-call.dynamodb", record)
    return operations


def cancel_transactions(client: Any, reasons: list[str], times: int) -> list[int]:
    """Make the next `times` TransactWriteItems calls fail as cancelled with `reasons`, before they reach moto."""
    calls = [0]

    def cancel(**_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        calls[0] += 1
        if calls[0] > times:
            return None
        parsed = {
            "Error": {"Code": "TransactionCanceledException", "Message": "Transaction cancelled"},
            "CancellationReasons": [{"Code": code} for code in reasons],
            "ResponseMetadata": {"HTTPStatusCode": 400},
        }
        return AWSResponse("", 400, {}, None), parsed

    client.meta.events.register("before-call.dynamodb.TransactWriteItems", cancel)
    return calls


def raw_item(client: Any, table: str, key: dict[str, Any]) -> dict[str, Any]:
    return client.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"]


def test_decision_item_has_ttl(dynamodb_client, dynamodb_tables):
    backend = DynamoDBBackend.from_settings(
        Settings(
            decisions_table=dynamodb_tables["DecisionsTable"],
            aggregates_table=dynamodb_tables["AggregatesTable"],
            decision_ttl_days=7,
        ),
        client=dynamodb_client,
    )
    decision = make_decision()

    backend.put_decision(decision)
    item = raw_item(dynamodb_client, dynamodb_tables["DecisionsTable"], {"decision_id": {"S": decision.decision_id}})

    assert int(item["expires_at"]["N"]) == int((T0 + timedelta(days=7)).timestamp())


def test_decision_item_index_keys(dynamodb_client, dynamodb_tables, dynamodb_backend):
    decision = make_decision()

    dynamodb_backend.put_decision(decision)
    item = raw_item(dynamodb_client, dynamodb_tables["DecisionsTable"], {"decision_id": {"S": decision.decision_id}})

    assert item["day"] == {"S": "2025-03-01"}
    assert item["created_at"] == {"S": "2025-03-01T20:30:00.000000Z"}


def test_numbers_stored_as_decimal_text(dynamodb_client, dynamodb_tables, dynamodb_backend):
    decision = make_decision(cost=0.001)

    dynamodb_backend.put_decision(decision)
    item = raw_item(dynamodb_client, dynamodb_tables["DecisionsTable"], {"decision_id": {"S": decision.decision_id}})

    assert item["body"]["M"]["estimated_cost_usd"] == {"N": "0.001"}


def test_recent_decisions_never_scans(dynamodb_client, dynamodb_backend):
    for hours in range(0, 60, 7):
        dynamodb_backend.put_decision(make_decision(T0 + timedelta(hours=hours)))
    operations = record_operations(dynamodb_client)

    dynamodb_backend.recent_decisions(limit=5)
    dynamodb_backend.recent_decisions(limit=50, before=T0 + timedelta(hours=30))

    assert "Scan" not in operations
    assert set(operations) == {"Query"}


def test_aggregate_reads_never_scan(dynamodb_client, dynamodb_backend):
    decision = make_decision()
    dynamodb_backend.put_decision(decision)
    dynamodb_backend.put_feedback(make_feedback(decision))
    operations = record_operations(dynamodb_client)

    dynamodb_backend.cell_aggregates()
    dynamodb_backend.tier_day_aggregates()
    dynamodb_backend.list_tables()

    assert set(operations) == {"Query"}


def test_feedback_retries_conflict(dynamodb_client, dynamodb_backend):
    decision = make_decision()
    dynamodb_backend.put_decision(decision)
    calls = cancel_transactions(dynamodb_client, ["None", "TransactionConflict", "None"], times=2)

    inserted = dynamodb_backend.put_feedback(make_feedback(decision))

    assert inserted is True
    assert calls[0] == 3
    assert dynamodb_backend.cell_aggregates()[0].samples == 1


def test_feedback_conflict_gives_up(dynamodb_client, dynamodb_backend):
    decision = make_decision()
    dynamodb_backend.put_decision(decision)
    calls = cancel_transactions(dynamodb_client, ["None", "TransactionConflict", "None"], times=TRANSACTION_ATTEMPTS)

    with pytest.raises(StoreError, match="TransactionConflict"):
        dynamodb_backend.put_feedback(make_feedback(decision))

    assert calls[0] == TRANSACTION_ATTEMPTS
    assert dynamodb_backend.cell_aggregates() == []


def test_failed_condition_not_retried(dynamodb_client, dynamodb_backend):
    decision = make_decision()
    dynamodb_backend.put_decision(decision)
    dynamodb_backend.put_feedback(make_feedback(decision))
    operations = record_operations(dynamodb_client)

    inserted = dynamodb_backend.put_feedback(make_feedback(decision))

    assert inserted is False
    assert operations == ["TransactWriteItems"]


def test_missing_table_raises_store_error(dynamodb_client):
    backend = DynamoDBBackend.from_settings(Settings(decisions_table="no-such-table"), client=dynamodb_client)

    with pytest.raises(StoreError, match="no-such-table") as raised:
        backend.get_decision("any")

    assert isinstance(raised.value.__cause__, ClientError)
    assert raised.value.__cause__.response["Error"]["Code"] == "ResourceNotFoundException"


def test_duplicate_decision_keeps_cause(dynamodb_backend):
    decision = make_decision()
    dynamodb_backend.put_decision(decision)

    with pytest.raises(DuplicateDecisionError) as raised:
        dynamodb_backend.put_decision(decision)

    assert "ConditionalCheckFailed" in str(raised.value.__cause__)


def test_default_client_uses_standard_retries(aws_environment):
    backend = DynamoDBBackend.from_settings(Settings())

    retries = backend._client.meta.config.retries

    assert retries["mode"] == "standard"
    assert retries["total_max_attempts"] == 3
