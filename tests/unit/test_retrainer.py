"""Retrainer rules: promote, demote, cool-down, evidence baselines, dry run, rollback."""

import threading
from datetime import UTC, datetime

import pytest

from feedback.exceptions import StoreError, VersionConflictError, VersionNotFoundError
from feedback.retrainer import Retrainer
from feedback.store import FeedbackStore
from router.exceptions import ConfigurationError
from router.models import Cell, Tier
from router.settings import Settings
from tests.support.feedback_loop import add_samples, make_decision, open_store

FIXED_NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
CELL = "general:0"  # bucket 0 of a domain without a floor: served at Tier 1


@pytest.fixture
def store(tmp_path):
    opened = open_store(tmp_path)
    yield opened
    opened.close()


def retrain(store, **kwargs):
    return Retrainer(store, now=lambda: FIXED_NOW, **kwargs).run()


def learned(store, cell_key=CELL):
    return store.current_routing_table().cell_tier(Cell.from_key(cell_key))


def promote_once(store):
    add_samples(store, CELL, 1, low=5)
    return retrain(store)


def test_promote_five_of_five_low(store):
    result = promote_once(store)
    assert result.published_version == 1
    assert learned(store) == Tier.BALANCED


def test_promote_change_record(store):
    change = promote_once(store).changes[0]
    assert change.cell == CELL
    assert change.action == "promote"
    assert change.old_tier is None
    assert change.new_tier == 2
    assert change.evidence_tier == 1
    assert change.samples == 5
    assert change.low_quality_rate == 1.0
    assert change.bound == pytest.approx(0.752743, abs=1e-6)


def test_promote_version_metadata(store):
    promote_once(store)
    table = store.current_routing_table()
    rule = table.cell_tiers[CELL]
    assert table.created_by == "retrainer run 1"
    assert table.reason == "retrain run 1: promote general:0 to Tier 2"
    assert table.parent_version is None
    assert table.retrain_runs == 1
    assert rule.changed_in_run == 1
    assert rule.changed_at == FIXED_NOW
    assert "5 of 5 samples at Tier 1 were low quality" in rule.reason


@pytest.mark.parametrize(
    ("low", "good"),
    [(1, 4), (2, 3), (4, 0), (0, 20)],
    ids=["noise-one-of-five", "two-of-five", "below-min-samples", "all-good"],
)
def test_no_promote_without_clear_evidence(store, low, good):
    add_samples(store, CELL, 1, low=low, good=good)
    result = retrain(store)
    assert result.changes == []
    assert result.published_version is None
    assert store.routing_table_history() == []


def test_three_of_five_low_promotes(store):
    add_samples(store, CELL, 1, low=3, good=2)
    assert retrain(store).changes[0].action == "promote"


def test_failures_are_not_samples(store):
    for _ in range(10):
        decision = make_decision(CELL, 1)
        store.log_decision(decision)
        store.record_feedback(decision.decision_id, signals={"status_code": 529})
    assert retrain(store).changes == []


def test_duplicate_feedback_counts_once(store):
    decision = make_decision(CELL, 1)
    store.log_decision(decision)
    for _ in range(6):
        store.record_feedback(decision.decision_id, rating=1)
    add_samples(store, CELL, 1, good=4)
    assert retrain(store).changes == []


def test_tier_three_cannot_promote(store):
    add_samples(store, "general:4", 3, low=10)
    assert retrain(store).changes == []


def test_old_evidence_does_not_promote_again(store):
    promote_once(store)
    # Late feedback for Tier 1 decisions routed before the promotion.
    add_samples(store, CELL, 1, low=5)
    assert retrain(store).changes == []
    assert learned(store) == Tier.BALANCED


def test_fresh_evidence_promotes_again(store):
    promote_once(store)
    add_samples(store, CELL, 2, low=5)
    change = retrain(store).changes[0]
    assert change.old_tier == 2
    assert change.new_tier == 3
    assert learned(store) == Tier.CAPABLE


def test_floor_cell_promotes_from_floor(store):
    add_samples(store, "coding:0", 2, low=5)
    change = retrain(store).changes[0]
    assert change.evidence_tier == 2
    assert change.new_tier == 3


def test_demote_waits_for_cooldown(store):
    promote_once(store)  # run 1
    add_samples(store, CELL, 1, good=10, explored=True)
    assert retrain(store).changes == []  # run 2: one run since the change
    change = retrain(store).changes[0]  # run 3: two runs since the change
    assert change.action == "demote"
    assert change.old_tier == 2
    assert change.new_tier is None
    assert change.evidence_tier == 1


def test_demote_restores_unlearned_routing(store):
    promote_once(store)
    add_samples(store, CELL, 1, good=10, explored=True)
    retrain(store)
    retrain(store)
    rule = store.current_routing_table().cell_tiers[CELL]
    assert rule.min_tier is None
    assert rule.changed_in_run == 3
    assert learned(store) is None


@pytest.mark.parametrize(
    ("low", "good", "demotes"),
    [(0, 9, False), (0, 10, True), (1, 19, False), (1, 20, True), (2, 10, False)],
)
def test_demote_needs_strong_evidence(store, low, good, demotes):
    promote_once(store)
    add_samples(store, CELL, 1, low=low, good=good, explored=True)
    retrain(store)
    changes = retrain(store).changes
    assert bool(changes) is demotes


def test_demote_zero_cooldown(store):
    promote_once(store)
    add_samples(store, CELL, 1, good=10, explored=True)
    store.settings = Settings(cooldown_runs=0)
    assert Retrainer(store).run().changes[0].action == "demote"


def test_demote_steps_one_tier(store):
    promote_once(store)
    add_samples(store, CELL, 2, low=5)
    retrain(store)  # run 2: Tier 3
    add_samples(store, CELL, 2, good=10, explored=True)
    add_samples(store, CELL, 1, good=10)  # Tier 1 samples are no evidence for leaving Tier 3
    retrain(store)
    change = retrain(store).changes[0]
    assert change.old_tier == 3
    assert change.new_tier == 2
    assert learned(store) == Tier.BALANCED


def test_demote_never_below_floor(store):
    add_samples(store, "coding:0", 2, low=5)
    retrain(store)  # coding:0 to Tier 3
    add_samples(store, "coding:0", 2, good=10, explored=True)
    retrain(store)
    assert retrain(store).changes[0].new_tier is None  # back at the Tier 2 floor
    add_samples(store, "coding:0", 1, good=50)
    retrain(store)
    assert retrain(store).changes == []
    assert learned(store, "coding:0") is None


def test_after_demote_old_evidence_ignored(store):
    promote_once(store)
    add_samples(store, CELL, 1, good=10, explored=True)
    retrain(store)
    retrain(store)  # demoted
    add_samples(store, CELL, 1, low=2, good=3)
    assert retrain(store).changes == []


def test_no_change_publishes_nothing(store):
    promote_once(store)
    result = retrain(store)
    assert result.changes == []
    assert result.published_version is None
    assert result.previous_version == 1
    assert [table.version for table in store.routing_table_history()] == [1]


def test_dry_run_writes_nothing(store):
    add_samples(store, CELL, 1, low=5)
    result = Retrainer(store).run(dry_run=True)
    assert result.dry_run
    assert result.changes[0].action == "promote"
    assert result.published_version is None
    assert store.routing_table_history() == []


def test_dry_run_consumes_no_run(store):
    add_samples(store, CELL, 1, low=5)
    assert Retrainer(store).run(dry_run=True).run == 1
    assert Retrainer(store).run().run == 1


def test_runs_are_numbered(store):
    assert [retrain(store).run for _ in range(3)] == [1, 2, 3]


def test_demote_rate_must_be_below_promote_rate(store):
    with pytest.raises(ConfigurationError, match="LLM_ROUTER_DEMOTE_LOW_RATE=0.3"):
        Retrainer(store, settings=Settings(demote_low_rate=0.3, promote_low_rate=0.3))


class PausingStore(FeedbackStore):
    """Waits at a barrier before publishing, so two retrainers read the same version."""

    barrier: threading.Barrier

    def publish_routing_table(self, table, expected_current):
        self.barrier.wait(timeout=10)
        return super().publish_routing_table(table, expected_current)


def test_concurrent_retrains_conflict(tmp_path):
    seed = open_store(tmp_path)
    add_samples(seed, CELL, 1, low=5)
    add_samples(seed, "creative:0", 1, low=5)
    seed.close()
    PausingStore.barrier = threading.Barrier(2)
    stores = [PausingStore(db_path=tmp_path / "router.db", settings=Settings()) for _ in range(2)]
    outcomes = []

    def run(store):
        try:
            outcomes.append(Retrainer(store).run().published_version)
        except VersionConflictError as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=run, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    conflicts = [outcome for outcome in outcomes if isinstance(outcome, VersionConflictError)]
    assert sorted(outcomes, key=lambda o: isinstance(o, VersionConflictError))[0] == 1
    assert len(conflicts) == 1
    assert conflicts[0].expected is None
    assert conflicts[0].actual == 1
    assert [table.version for table in stores[0].routing_table_history()] == [1]


def test_conflict_keeps_winner(store):
    add_samples(store, CELL, 1, low=5)
    stale = store.current_routing_table()
    retrain(store)
    with pytest.raises(VersionConflictError):
        store.publish_routing_table(stale, expected_current=None)
    assert learned(store) == Tier.BALANCED


def test_rollback_restores_cells(store):
    promote_once(store)  # v1: general:0 at Tier 2
    add_samples(store, "creative:0", 1, low=5)
    retrain(store)  # v2: creative:0 at Tier 2 too
    restored = Retrainer(store).rollback(1)
    assert restored.version == 3
    assert restored.parent_version == 2
    assert learned(store) == Tier.BALANCED
    assert learned(store, "creative:0") is None


def test_rollback_change_log(store):
    promote_once(store)
    add_samples(store, "creative:0", 1, low=5)
    retrain(store)
    restored = Retrainer(store).rollback(1)
    assert restored.created_by == "rollback"
    assert restored.reason == "rollback to v1"
    assert [(c.cell, c.action, c.old_tier, c.new_tier) for c in restored.changes] == [
        ("creative:0", "rollback", 2, None)
    ]


def test_rollback_to_built_in_default(store):
    promote_once(store)
    restored = Retrainer(store).rollback(0)
    assert restored.version == 2
    assert learned(store) is None


def test_rollback_needs_new_evidence(store):
    promote_once(store)
    Retrainer(store).rollback(0)
    assert retrain(store).changes == []  # the five low samples predate the rollback
    add_samples(store, CELL, 1, low=5)
    assert retrain(store).changes[0].action == "promote"


@pytest.mark.parametrize("version", [7, -1])
def test_rollback_unknown_version(store, version):
    promote_once(store)
    with pytest.raises(VersionNotFoundError, match=f"version {version} not found"):
        Retrainer(store).rollback(version)
    assert [table.version for table in store.routing_table_history()] == [1]


# Evidence windows and tier comparisons


def retrain_with(store, **settings):
    return Retrainer(store, settings=Settings(**settings), now=lambda: FIXED_NOW).run()


def drop_after_good_history(store, **settings):
    add_samples(store, CELL, 1, good=200)
    retrain_with(store, **settings)  # changes nothing but saves a checkpoint
    add_samples(store, CELL, 1, low=7, good=3)
    return retrain_with(store, **settings)


def test_recent_drop_promotes(store):
    change = drop_after_good_history(store).changes[0]
    assert change.action == "promote"
    assert change.samples == 10


def test_recent_drop_hidden_without_windows(store):
    assert drop_after_good_history(store, evidence_windows=0).changes == []


def test_every_run_saves_checkpoint(store):
    add_samples(store, CELL, 1, good=3)
    retrain(store)
    retrain(store)
    checkpoints = store.recent_checkpoints(10)
    assert [checkpoint.run for checkpoint in checkpoints] == [2, 1]
    assert checkpoints[0].counts[CELL][0].samples == 3


def test_dry_run_saves_no_checkpoint(store):
    add_samples(store, CELL, 1, good=3)
    Retrainer(store).run(dry_run=True)
    assert store.recent_checkpoints(10) == []


def test_checkpoint_before_change_not_a_window(store):
    add_samples(store, CELL, 1, low=5)
    retrain(store)  # run 1 promotes to Tier 2
    add_samples(store, CELL, 2, low=3, good=2)
    # Run 1's checkpoint equals the change's own baseline, so the only window
    # contains the 5 samples since the change: 3 low give a bound above 0.30.
    change = retrain(store).changes[0]
    assert change.samples == 5
    assert change.new_tier == 3


def test_tier_above_no_better_vetoes_promotion(store):
    add_samples(store, CELL, 2, low=40, good=60)
    add_samples(store, CELL, 1, low=40, good=60)
    assert retrain_with(store, quality_margin=0.15).changes == []


def test_low_rate_promotes_without_tier_above(store):
    add_samples(store, CELL, 1, low=40, good=60)
    assert retrain_with(store, quality_margin=0.15).changes[0].basis == "low_quality_rate"


def test_clearly_better_tier_above_promotes(store):
    add_samples(store, CELL, 1, low=20, good=80)  # 20 % low: under the 0.30 bar
    add_samples(store, CELL, 2, good=100)
    change = retrain(store).changes[0]
    assert change.basis == "comparison"
    assert change.compared_tier == 2
    assert change.bound > 0.05
    assert learned(store) == Tier.BALANCED


def test_comparison_reason_names_margin(store):
    add_samples(store, CELL, 1, low=20, good=80)
    add_samples(store, CELL, 2, good=100)
    retrain(store)
    assert "margin 0.05" in store.current_routing_table().cell_tiers[CELL].reason


def test_equal_tier_below_demotes(store):
    add_samples(store, CELL, 1, low=5)
    retrain_with(store, quality_margin=0.15)  # run 1: Tier 2
    add_samples(store, CELL, 2, low=30, good=70)
    add_samples(store, CELL, 1, low=30, good=70, explored=True)
    retrain_with(store, quality_margin=0.15)  # run 2: cool-down
    change = retrain_with(store, quality_margin=0.15).changes[0]
    assert change.action == "demote"
    assert change.basis == "comparison"


def test_worse_tier_below_stays(store):
    add_samples(store, CELL, 1, low=5)
    retrain(store)
    add_samples(store, CELL, 2, low=5, good=95)
    add_samples(store, CELL, 1, low=30, good=70, explored=True)
    retrain(store)
    assert retrain(store).changes == []


def test_dry_run_counts_runs_without_changes(store):
    retrain(store)
    retrain(store)  # two runs that changed nothing
    add_samples(store, CELL, 1, low=5)
    assert Retrainer(store).run(dry_run=True).run == 3


def test_checkpoint_failure_still_publishes(store, monkeypatch, caplog):
    def fail(checkpoint, keep):
        raise StoreError("PutItem (retrain checkpoint) failed: item too large")

    monkeypatch.setattr(store, "save_checkpoint", fail)
    result = promote_once(store)
    assert result.published_version == 1
    assert "retrain checkpoint not saved" in caplog.text
