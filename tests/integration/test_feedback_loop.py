"""The feedback loop end to end: real router, SQLite store, retrainer and the next route."""

import random
import threading

import pytest

from feedback.retrainer import Retrainer
from router.engine import LLMRouter
from router.models import Tier
from router.settings import Settings
from tests.support.feedback_loop import GOOD_RATING, LOW_RATING, make_decision, open_store

QUERY = "What is the capital of Australia?"


@pytest.fixture
def store(tmp_path):
    opened = open_store(tmp_path)
    yield opened
    opened.close()


def make_router(store, exploration_rate=0.0, seed=1):
    settings = Settings(exploration_rate=exploration_rate)
    return LLMRouter(routing_table=store.current_routing_table, settings=settings, rng=random.Random(seed))


def route_and_rate(router, store, rating_for):
    """Route QUERY, log the decision and rate it with `rating_for(decision)`."""
    decision = router.route(QUERY)
    store.log_decision(decision)
    store.record_feedback(decision.decision_id, rating=rating_for(decision))
    return decision


def test_query_starts_on_tier_one(store):
    assert make_router(store).route(QUERY).selected_tier == Tier.FAST


def test_low_quality_promotes_next_route(store):
    router = make_router(store)
    for _ in range(5):
        route_and_rate(router, store, lambda decision: LOW_RATING)
    result = Retrainer(store).run()
    decision = router.route(QUERY)
    assert result.published_version == 1
    assert decision.selected_tier == Tier.BALANCED
    assert decision.routing_table_version == 1
    assert "routing table v1" in decision.reasoning


def test_noise_does_not_promote(store):
    router = make_router(store)
    ratings = iter([LOW_RATING, GOOD_RATING, GOOD_RATING, GOOD_RATING, GOOD_RATING])
    for _ in range(5):
        route_and_rate(router, store, lambda decision: next(ratings))
    assert Retrainer(store).run().changes == []
    assert router.route(QUERY).selected_tier == Tier.FAST


def test_failures_and_repeats_do_not_promote(store):
    router = make_router(store)
    for _ in range(10):
        decision = router.route(QUERY)
        store.log_decision(decision)
        store.record_feedback(decision.decision_id, signals={"status_code": 503})
    repeated = route_and_rate(router, store, lambda decision: LOW_RATING)
    for _ in range(10):
        store.record_feedback(repeated.decision_id, rating=LOW_RATING)
    assert Retrainer(store).run().changes == []
    assert router.route(QUERY).selected_tier == Tier.FAST


def run_stream(store, low_rate_by_tier, *, runs, per_run, exploration_rate=0.05, seed=7):
    """Route a stationary stream through the real router and retrain after every batch.

    Returns each run's changes and the count of explored decisions.
    """
    router = make_router(store, exploration_rate=exploration_rate, seed=seed)
    quality_rng = random.Random(seed + 1)
    retrainer = Retrainer(store, settings=Settings(exploration_rate=exploration_rate))
    history, explored = [], 0
    for _ in range(runs):
        for _ in range(per_run):
            decision = route_and_rate(
                router,
                store,
                lambda d: LOW_RATING if quality_rng.random() < low_rate_by_tier[d.selected_tier] else GOOD_RATING,
            )
            explored += decision.explored
        history.append(retrainer.run().changes)
    return history, explored


def actions(history):
    return [change.action for changes in history for change in changes]


def test_stream_bad_tier_one_promotes_once(store):
    history, explored = run_stream(store, {Tier.FAST: 0.6, Tier.BALANCED: 0.05}, runs=20, per_run=30)
    assert actions(history) == ["promote"]
    assert explored >= 10  # exploration gathered Tier 1 evidence, and it did not demote
    assert make_router(store).route(QUERY).selected_tier == Tier.BALANCED


def test_stream_good_tier_one_never_changes(store):
    history, _ = run_stream(store, {Tier.FAST: 0.05, Tier.BALANCED: 0.05}, runs=20, per_run=30)
    assert actions(history) == []


def test_stream_borderline_no_oscillation(store):
    # Between the demote bar (0.15) and the promote bar (0.30): at most one move, never back.
    history, _ = run_stream(store, {Tier.FAST: 0.22, Tier.BALANCED: 0.05}, runs=20, per_run=30)
    assert len(actions(history)) <= 1


def test_improved_tier_one_demotes_after_cooldown(store):
    promoted, _ = run_stream(store, {Tier.FAST: 1.0, Tier.BALANCED: 0.0}, runs=1, per_run=5)
    assert actions(promoted) == ["promote"]
    history, explored = run_stream(
        store, {Tier.FAST: 0.0, Tier.BALANCED: 0.0}, runs=8, per_run=20, exploration_rate=0.25, seed=11
    )
    demote_run = next(index for index, changes in enumerate(history) if changes)
    change = history[demote_run][0]
    assert change.action == "demote"
    assert demote_run >= 1  # the first run after the promotion is inside the cool-down
    assert change.samples >= 10
    assert actions(history) == ["demote"]
    assert make_router(store).route(QUERY).selected_tier == Tier.FAST


def test_mediocre_tier_one_does_not_demote(store):
    run_stream(store, {Tier.FAST: 1.0, Tier.BALANCED: 0.0}, runs=1, per_run=5)
    history, explored = run_stream(
        store, {Tier.FAST: 0.2, Tier.BALANCED: 0.0}, runs=10, per_run=20, exploration_rate=0.25, seed=11
    )
    assert explored >= 20
    assert actions(history) == []


def test_concurrent_feedback_counts_each(store):
    decisions = [make_decision("factual:0", 1) for _ in range(50)]
    for decision in decisions:
        store.log_decision(decision)
    barrier = threading.Barrier(50)

    def send(decision_id):
        barrier.wait(timeout=10)
        store.record_feedback(decision_id, rating=LOW_RATING)

    threads = [threading.Thread(target=send, args=(d.decision_id,)) for d in decisions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    [aggregate] = store.cell_aggregates()
    assert aggregate.samples == 50
    assert aggregate.low_quality == 50


def test_concurrent_repeats_count_once(store):
    decision = make_decision("factual:0", 1)
    store.log_decision(decision)
    barrier = threading.Barrier(50)
    results = []

    def send():
        barrier.wait(timeout=10)
        results.append(store.record_feedback(decision.decision_id, rating=GOOD_RATING))

    threads = [threading.Thread(target=send) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [result.repeat for result in results].count(False) == 1
    assert store.cell_aggregates()[0].samples == 1


def test_rating_round_trips_exactly(store):
    decision = make_decision("factual:0", 1)
    store.log_decision(decision)
    store.record_feedback(decision.decision_id, rating=4.7)
    [record] = store.get_feedback(decision.decision_id)
    assert record.rating == 4.7
    assert record.quality == 0.925


def test_quality_sums_exactly(store):
    for stars in (1.4, 1.8):  # qualities 0.1 and 0.2
        decision = make_decision("factual:0", 1)
        store.log_decision(decision)
        store.record_feedback(decision.decision_id, rating=stars)
    assert store.cell_aggregates()[0].quality_sum == 0.3
    assert store.tier_day_aggregates()[0].quality_sum == 0.3
