"""Report: totals, savings against Tier 3, tiers, cells and table versions, from aggregates."""

import json
from datetime import date, timedelta

import pytest

from feedback.report import build_report
from feedback.retrainer import Retrainer
from tests.support.feedback_loop import add_samples, make_decision, open_store


@pytest.fixture
def store(tmp_path):
    opened = open_store(tmp_path)
    yield opened
    opened.close()


def test_empty_store_report(store):
    report = build_report(store)
    assert report.totals.decisions == 0
    assert report.totals.savings_percent is None
    assert report.tiers == []
    assert report.cells == []
    assert report.versions == []
    assert report.current_version == 0


def test_totals_and_savings(store):
    for cost in (0.001, 0.002, 0.003):
        store.log_decision(make_decision("general:0", 1, cost=cost))
    totals = build_report(store).totals
    assert totals.decisions == 3
    assert totals.estimated_cost_usd == 0.006
    assert totals.baseline_cost_usd == 0.03
    assert totals.savings_usd == 0.024
    assert totals.savings_percent == 80.0


def test_tier_quality(store):
    add_samples(store, "general:0", 1, low=1, good=3)
    add_samples(store, "general:2", 2, good=2)
    tiers = {tier.tier: tier for tier in build_report(store).tiers}
    assert tiers[1].decisions == 4
    assert tiers[1].samples == 4
    assert tiers[1].mean_quality == 0.75
    assert tiers[1].low_quality_rate == 0.25
    assert tiers[2].low_quality_rate == 0.0


def test_tier_failures(store):
    decision = make_decision("general:0", 1)
    store.log_decision(decision)
    store.record_feedback(decision.decision_id, signals={"status_code": 500})
    tier = build_report(store).tiers[0]
    assert tier.failures == 1
    assert tier.samples == 0
    assert tier.mean_quality is None


def test_cells_show_learned_tier(store):
    add_samples(store, "general:0", 1, low=5)
    Retrainer(store).run()
    cell = build_report(store).cells[0]
    assert (cell.domain, cell.bucket, cell.tier) == ("general", 0, 1)
    assert cell.samples == 5
    assert cell.low_quality_rate == 1.0
    assert cell.learned_tier == 2


def test_versions_list_changes(store):
    add_samples(store, "general:0", 1, low=5)
    Retrainer(store).run()
    report = build_report(store)
    assert report.current_version == 1
    assert report.versions[0].created_by == "retrainer run 1"
    assert report.versions[0].changes[0].action == "promote"


def test_since_skips_older_days(store):
    add_samples(store, "general:0", 1, low=5)
    Retrainer(store).run()
    report = build_report(store, since=date.today() + timedelta(days=2))
    assert report.totals.decisions == 0
    assert report.versions == []
    assert len(report.cells) == 1  # cell counters are cumulative


def test_report_is_json(store):
    add_samples(store, "general:0", 1, low=5)
    Retrainer(store).run()
    dumped = json.loads(json.dumps(build_report(store).model_dump(mode="json")))
    assert dumped["totals"]["decisions"] == 5
    assert dumped["versions"][0]["changes"][0]["cell"] == "general:0"
