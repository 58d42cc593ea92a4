"""Retrainer evidence windows and tier comparisons."""

from datetime import UTC, datetime

import pytest

from feedback.retrainer import Retrainer
from router.models import Cell, Tier
from router.settings import Settings
from tests.support.feedback_loop import add_samples, open_store

FIXED_NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
CELL = "general:0"  # bucket 0 of a domain without a floor: served at Tier 1


@pytest.fixture
def store(tmp_path):
    opened = open_store(tmp_path)
    yield opened
    opened.close()


def retrain(store, **settings):
    return Retrainer(store, settings=Settings(**settings), now=lambda: FIXED_NOW).run()


def learned(store, cell_key=CELL):
    return store.current_routing_table().cell_tier(Cell.from_key(cell_key))


def drop_after_good_history(store, **settings):
    add_samples(store, CELL, 1, good=200)
    retrain(store, **settings)  # changes nothing but saves a checkpoint
    add_samples(store, CELL, 1, low=7, good=3)
    return retrain(store, **settings)


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
    # holds the 5 samples since the change: 3 low give a bound above 0.30.
    change = retrain(store).changes[0]
    assert change.samples == 5
    assert change.new_tier == 3


def test_tier_above_no_better_vetoes_promotion(store):
    add_samples(store, CELL, 2, low=40, good=60)
    add_samples(store, CELL, 1, low=40, good=60)
    assert retrain(store, quality_margin=0.15).changes == []


def test_low_rate_promotes_without_tier_above(store):
    add_samples(store, CELL, 1, low=40, good=60)
    assert retrain(store, quality_margin=0.15).changes[0].basis == "low_quality_rate"


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
    retrain(store, quality_margin=0.15)  # run 1: Tier 2
    add_samples(store, CELL, 2, low=30, good=70)
    add_samples(store, CELL, 1, low=30, good=70, explored=True)
    retrain(store, quality_margin=0.15)  # run 2: cool-down
    change = retrain(store, quality_margin=0.15).changes[0]
    assert change.action == "demote"
    assert change.basis == "comparison"


def test_worse_tier_below_stays(store):
    add_samples(store, CELL, 1, low=5)
    retrain(store)
    add_samples(store, CELL, 2, low=5, good=95)
    add_samples(store, CELL, 1, low=30, good=70, explored=True)
    retrain(store)
    assert retrain(store).changes == []
