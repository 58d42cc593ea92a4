"""One contract for every store backend: SQLite on a temporary file and DynamoDB under moto.

The DynamoDB tables come from template.yaml (tests/support/aws.py), so a key or
index that the code needs but the template lacks fails here.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from feedback.backends.base import StoreBackend
from feedback.backends.sqlite import SQLiteBackend
from feedback.exceptions import DecisionNotFoundError, DuplicateDecisionError, VersionConflictError
from feedback.records import CellCheckpoint, FeedbackRecord
from feedback.store import FeedbackStore
from router.models import Cell, ClassifierResult, Domain, RoutingDecision, Tier
from router.settings import Settings
from router.table import RoutingTable, TierCounts

T0 = datetime(2025, 3, 1, 20, 30, tzinfo=UTC)
CELL = Cell(domain=Domain.FACTUAL, bucket=1)


def make_decision(created_at: datetime = T0, *, tier: Tier = Tier.FAST, cost: float = 0.001) -> RoutingDecision:
    classification = ClassifierResult(
        score=0.25,
        reasoning_depth=0.2,
        domain_specificity=0.3,
        output_sensitivity=0.1,
        domain=CELL.domain,
        domain_confidence=0.8,
        language="en",
        input_tokens=14,
        features=["question"],
    )
    return RoutingDecision(
        created_at=created_at,
        classification=classification,
        selected_tier=tier,
        selected_model="claude-haiku-4-5",
        estimated_input_tokens=14,
        estimated_output_tokens=180,
        estimated_cost_usd=cost,
        baseline_cost_usd=cost * 5,
        estimated_savings_usd=cost * 4,
        reasoning="complexity score 0.25 maps to Tier 1",
        routing_table_version=0,
        cell=CELL,
        query_terms=["5f0a", "91c2"],
    )


def make_feedback(decision: RoutingDecision, source: str = "user", **fields: object) -> FeedbackRecord:
    values: dict[str, object] = {"quality": 0.8, "created_at": decision.created_at + timedelta(minutes=1)}
    values.update(fields)
    return FeedbackRecord(
        decision_id=decision.decision_id,
        source=source,
        cell=decision.cell.key,
        tier=decision.selected_tier,
        **values,
    )


@pytest.fixture(params=["sqlite", "dynamodb"])
def backend(request: pytest.FixtureRequest, tmp_path) -> Iterator[StoreBackend]:
    if request.param == "sqlite":
        store_backend: StoreBackend = SQLiteBackend(tmp_path / "router.db")
    else:
        store_backend = request.getfixturevalue("dynamodb_backend")
    yield store_backend
    store_backend.close()


@pytest.fixture
def store(backend: StoreBackend) -> FeedbackStore:
    return FeedbackStore(backend=backend, settings=Settings())


def log_decisions(store: FeedbackStore, count: int, step: timedelta = timedelta(hours=7)) -> list[RoutingDecision]:
    """Log `count` decisions `step` apart, crossing UTC days, oldest first."""
    decisions = [make_decision(T0 + index * step) for index in range(count)]
    for decision in decisions:
        store.log_decision(decision)
    return decisions


# Decisions


def test_decision_round_trip(store):
    decision = make_decision()
    store.log_decision(decision)

    assert store.get_decision(decision.decision_id) == decision


def test_decision_logged_twice_rejected(store):
    decision = make_decision()
    store.log_decision(decision)
    with pytest.raises(DuplicateDecisionError, match="is already logged"):
        store.log_decision(decision)
    assert len(store.recent_decisions()) == 1
    assert sum(row.decisions for row in store.tier_day_aggregates()) == 1


def test_decision_unknown_is_none(backend):
    assert backend.get_decision("no-such-decision") is None


def test_decision_unknown_raises_in_store(store):
    with pytest.raises(DecisionNotFoundError):
        store.get_decision("no-such-decision")


def test_recent_decisions_newest_first(store):
    decisions = log_decisions(store, 6)

    recent = store.recent_decisions(limit=50)

    assert [d.decision_id for d in recent] == [d.decision_id for d in reversed(decisions)]


def test_recent_decisions_limit(store):
    decisions = log_decisions(store, 6)

    recent = store.recent_decisions(limit=2)

    assert [d.decision_id for d in recent] == [decisions[5].decision_id, decisions[4].decision_id]


def test_recent_decisions_before(store):
    decisions = log_decisions(store, 6)

    recent = store.recent_decisions(limit=50, before=decisions[3].created_at)

    assert [d.decision_id for d in recent] == [d.decision_id for d in reversed(decisions[:3])]


def test_recent_decisions_before_and_limit(store):
    decisions = log_decisions(store, 6)

    recent = store.recent_decisions(limit=2, before=decisions[4].created_at)

    assert [d.decision_id for d in recent] == [decisions[3].decision_id, decisions[2].decision_id]


def test_recent_decisions_empty_store(store):
    assert store.recent_decisions(limit=10) == []


def test_decisions_counted_per_tier_day(store):
    store.log_decision(make_decision(T0, cost=0.001))
    store.log_decision(make_decision(T0 + timedelta(minutes=5), cost=0.002))
    store.log_decision(make_decision(T0, tier=Tier.CAPABLE, cost=0.03))

    rows = {(row.day, row.tier): row for row in store.tier_day_aggregates()}
    fast = rows[(T0.date(), Tier.FAST)]

    assert fast.decisions == 2
    assert fast.estimated_cost_usd == 0.003
    assert fast.baseline_cost_usd == 0.015
    assert rows[(T0.date(), Tier.CAPABLE)].decisions == 1


def test_tier_day_aggregates_since(store):
    log_decisions(store, 6)

    days = {row.day for row in store.tier_day_aggregates(since=date(2025, 3, 2))}

    assert days == {date(2025, 3, 2), date(2025, 3, 3)}


def test_record_outcome_adds_actual_cost(store):
    decision = make_decision()
    store.log_decision(decision)

    store.record_outcome(decision.model_copy(update={"actual_cost_usd": 0.0042, "status": "completed"}))
    [row] = store.tier_day_aggregates()

    assert row.actual_cost_usd == 0.0042
    assert row.completed == 1
    assert store.get_decision(decision.decision_id).status == "completed"


def test_record_outcome_twice_replaces_cost(store):
    decision = make_decision()
    store.log_decision(decision)

    store.record_outcome(decision.model_copy(update={"actual_cost_usd": 0.0042, "status": "completed"}))
    store.record_outcome(decision.model_copy(update={"actual_cost_usd": 0.005, "status": "completed"}))
    [row] = store.tier_day_aggregates()

    assert row.actual_cost_usd == 0.005
    assert row.completed == 1


# Feedback and aggregates


def test_feedback_repeat_returns_false(backend):
    decision = make_decision()
    backend.put_decision(decision)

    first = backend.put_feedback(make_feedback(decision, quality=0.9))
    repeat = backend.put_feedback(make_feedback(decision, quality=0.1))

    assert first is True
    assert repeat is False


def test_feedback_repeat_counts_once(backend):
    decision = make_decision()
    backend.put_decision(decision)

    backend.put_feedback(make_feedback(decision, quality=0.9))
    backend.put_feedback(make_feedback(decision, quality=0.1))
    [cell] = backend.cell_aggregates()

    assert cell.samples == 1
    assert cell.quality_sum == 0.9
    assert len(backend.get_feedback(decision.decision_id)) == 1


def test_feedback_other_source_counts(backend):
    decision = make_decision()
    backend.put_decision(decision)

    backend.put_feedback(make_feedback(decision, source="user"))
    backend.put_feedback(make_feedback(decision, source="auto"))

    assert backend.cell_aggregates()[0].samples == 2


def test_failure_is_not_a_sample(backend):
    decision = make_decision()
    backend.put_decision(decision)

    backend.put_feedback(make_feedback(decision, quality=None, failure="timeout"))
    [cell] = backend.cell_aggregates()
    [row] = backend.tier_day_aggregates()

    assert cell.samples == 0
    assert cell.failures == 1
    assert cell.quality_sum == 0.0
    assert row.samples == 0
    assert row.failures == 1


def test_aggregates_sum_exactly(backend):
    decision = make_decision()
    backend.put_decision(decision)

    backend.put_feedback(make_feedback(decision, source="a", quality=0.1))
    backend.put_feedback(make_feedback(decision, source="b", quality=0.2, low_quality=True))
    [cell] = backend.cell_aggregates()
    [row] = backend.tier_day_aggregates()

    assert cell.quality_sum == 0.3
    assert cell.mean_quality == 0.15
    assert cell.low_quality == 1
    assert row.quality_sum == 0.3


def test_aggregate_keyed_by_cell_and_tier(backend):
    cheap = make_decision(tier=Tier.FAST)
    capable = make_decision(tier=Tier.CAPABLE)
    for decision in (cheap, capable):
        backend.put_decision(decision)
        backend.put_feedback(make_feedback(decision))

    keys = [(cell.cell, cell.tier) for cell in backend.cell_aggregates()]

    assert keys == [(CELL.key, Tier.FAST), (CELL.key, Tier.CAPABLE)]


def test_rating_round_trip(backend):
    decision = make_decision()
    backend.put_decision(decision)

    backend.put_feedback(make_feedback(decision, rating=4.7, signals={"rating": 0.925}))
    [record] = backend.get_feedback(decision.decision_id)

    assert record.rating == 4.7
    assert record.signals == {"rating": 0.925}
    assert backend.cell_aggregates()[0].ratings == 1


def test_feedback_listed_oldest_first(backend):
    decision = make_decision()
    backend.put_decision(decision)
    later = decision.created_at + timedelta(hours=1)

    backend.put_feedback(make_feedback(decision, source="a-user", created_at=later))
    backend.put_feedback(make_feedback(decision, source="z-auto", created_at=decision.created_at))

    sources = [record.source for record in backend.get_feedback(decision.decision_id)]

    assert sources == ["z-auto", "a-user"]


# moto's in-memory DynamoDB is not thread-safe (moto 5.2 raises "dictionary
# changed size during iteration" under 50 threads), and the atomicity of ADD
# is DynamoDB's own guarantee, so the threaded case runs on SQLite only.
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_concurrent_feedback_counts_all(backend):
    decisions = [make_decision() for _ in range(50)]
    for decision in decisions:
        backend.put_decision(decision)
    results: list[bool] = []

    def send(decision: RoutingDecision) -> None:
        results.append(backend.put_feedback(make_feedback(decision, quality=0.5)))

    threads = [threading.Thread(target=send, args=(decision,)) for decision in decisions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    [cell] = backend.cell_aggregates()

    assert results.count(True) == 50
    assert cell.samples == 50
    assert cell.quality_sum == 25.0


# Routing-table versions


def test_current_table_default_when_none(store):
    assert store.current_routing_table().version == 0


def test_publish_sets_current(store):
    published = store.publish_routing_table(RoutingTable(reason="first"), expected_current=None)

    assert published.version == 1
    assert store.current_routing_table() == published


def test_publish_lists_newest_first(store):
    store.publish_routing_table(RoutingTable(reason="first"), expected_current=None)
    store.publish_routing_table(RoutingTable(reason="second"), expected_current=1)
    store.publish_routing_table(RoutingTable(reason="third"), expected_current=2)

    assert [table.version for table in store.routing_table_history()] == [3, 2, 1]
    assert [table.version for table in store.routing_table_history(limit=2)] == [3, 2]
    assert store.routing_table(2).reason == "second"


def test_publish_stale_version_conflicts(store):
    store.publish_routing_table(RoutingTable(reason="first"), expected_current=None)

    with pytest.raises(VersionConflictError) as raised:
        store.publish_routing_table(RoutingTable(reason="stale"), expected_current=None)

    assert raised.value.expected is None
    assert raised.value.actual == 1


def test_publish_conflict_changes_nothing(store):
    store.publish_routing_table(RoutingTable(reason="first"), expected_current=None)

    with pytest.raises(VersionConflictError):
        store.publish_routing_table(RoutingTable(reason="stale"), expected_current=7)

    assert store.current_routing_table().version == 1
    assert [table.version for table in store.routing_table_history()] == [1]


def test_routing_table_round_trip(store):
    table = RoutingTable(thresholds=(0.33, 0.71), domain_floors={Domain.MEDICAL: Tier.CAPABLE}, reason="tuned")

    published = store.publish_routing_table(table, expected_current=None)

    assert store.routing_table(published.version) == published


def test_next_retrain_run_increments(store):
    assert [store.next_retrain_run() for _ in range(3)] == [1, 2, 3]


# Retrainer checkpoints


def checkpoint(run: int, samples: int = 4) -> CellCheckpoint:
    counts = [TierCounts(tier=Tier.FAST, samples=samples, low_quality=1, quality_sum=2.5)]
    return CellCheckpoint(run=run, created_at=T0 + timedelta(days=run), counts={CELL.key: counts})


def test_checkpoint_round_trip(store):
    saved = checkpoint(1)
    store.save_checkpoint(saved)
    assert store.recent_checkpoints(5) == [saved]


def test_checkpoints_newest_first(store):
    for run in (1, 2, 3):
        store.save_checkpoint(checkpoint(run))
    assert [saved.run for saved in store.recent_checkpoints(2)] == [3, 2]


def test_checkpoint_same_run_replaced(store):
    store.save_checkpoint(checkpoint(1, samples=4))
    store.save_checkpoint(checkpoint(1, samples=9))
    assert [saved.counts[CELL.key][0].samples for saved in store.recent_checkpoints(5)] == [9]


def test_no_checkpoints_yet(store):
    assert store.recent_checkpoints(5) == []


def test_feedback_repeat_reports_stored_values(store):
    decision = make_decision()
    store.log_decision(decision)
    store.record_feedback(decision.decision_id, rating=4)
    repeat = store.record_feedback(decision.decision_id, rating=1)
    assert repeat.repeat
    assert repeat.quality == 0.75
    assert not repeat.low_quality


@pytest.mark.parametrize("thumbs", [True, "up"])
def test_thumbs_rating_has_no_stars(store, thumbs):
    decision = make_decision()
    store.log_decision(decision)
    store.record_feedback(decision.decision_id, rating=thumbs)
    (record,) = store.get_feedback(decision.decision_id)
    assert record.rating is None
    assert record.quality == 1.0


def test_checkpoint_of_many_cells_round_trip(store):
    # More cells than fit in one DynamoDB item (400 KB) as uncompressed JSON.
    counts = [TierCounts(tier=tier, samples=123456, low_quality=12345, quality_sum=98765.4321) for tier in Tier]
    keys = [f"science/subject{index}:{index % 5}" for index in range(3000)]
    saved = CellCheckpoint(run=1, created_at=T0, counts=dict.fromkeys(keys, counts))
    store.save_checkpoint(saved)
    assert store.recent_checkpoints(1) == [saved]


@pytest.mark.parametrize("spelling", ["API", " api ", "\uff41\uff50\uff49"])
def test_feedback_source_spellings_count_once(store, spelling):
    decision = make_decision()
    store.log_decision(decision)
    store.record_feedback(decision.decision_id, rating=4, source="api")
    assert store.record_feedback(decision.decision_id, rating=1, source=spelling).repeat


def test_feedback_source_invisible_character_rejected(store):
    decision = make_decision()
    store.log_decision(decision)
    with pytest.raises(ValueError, match="invisible character U\\+200B"):
        store.record_feedback(decision.decision_id, rating=1, source="api\u200b")
    assert store.get_feedback(decision.decision_id) == []
