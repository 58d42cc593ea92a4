"""Routing table: thresholds, floors, learned cells and high-stakes overrides."""

from datetime import UTC, datetime

import pytest

from router.models import Cell, ClassifierResult, Domain, Tier, complexity_bucket
from router.table import CellRule, RoutingTable


def classified(score=0.1, domain=Domain.GENERAL, high_stakes=False, no_signal=False):
    return ClassifierResult(
        score=score,
        reasoning_depth=score,
        domain_specificity=score,
        output_sensitivity=score,
        domain=domain,
        domain_confidence=0.9,
        high_stakes=high_stakes,
        high_stakes_term="diagnosis" if high_stakes else None,
        language="en",
        input_tokens=20,
        no_signal=no_signal,
    )


def decide(table, result):
    return table.decide(result, Cell(domain=result.domain, bucket=complexity_bucket(result.score)))


@pytest.mark.parametrize(
    ("score", "tier"),
    [(0.0, Tier.FAST), (0.29, Tier.FAST), (0.30, Tier.BALANCED), (0.59, Tier.BALANCED), (0.60, Tier.CAPABLE)],
)
def test_thresholds_map_score(score, tier):
    assert decide(RoutingTable(), classified(score))[0] == tier


@pytest.mark.parametrize("domain", [Domain.CODING, Domain.ANALYSIS])
def test_domain_floor_lifts_tier_one(domain):
    tier, reason = decide(RoutingTable(), classified(0.05, domain))
    assert tier == Tier.BALANCED
    assert f"domain {domain.value} has a floor" in reason


def test_high_stakes_forces_tier_three():
    tier, reason = decide(RoutingTable(), classified(0.05, Domain.MEDICAL, high_stakes=True))
    assert tier == Tier.CAPABLE
    assert "diagnosis" in reason


def test_no_signal_uses_default_tier():
    tier, reason = decide(RoutingTable(default_tier=Tier.BALANCED), classified(0.05, no_signal=True))
    assert tier == Tier.BALANCED
    assert "no recognised signal" in reason


def test_learned_cell_tier_names_version():
    rule = CellRule(min_tier=Tier.CAPABLE, changed_in_run=1, changed_at=datetime.now(UTC), reason="test")
    table = RoutingTable(version=7, cell_tiers={"factual:0": rule})
    tier, reason = decide(table, classified(0.05, Domain.FACTUAL))
    assert tier == Tier.CAPABLE
    assert "v7" in reason


def test_learned_cell_never_lowers_tier():
    rule = CellRule(min_tier=Tier.FAST, changed_in_run=1, changed_at=datetime.now(UTC), reason="test")
    table = RoutingTable(cell_tiers={"coding:0": rule})
    assert decide(table, classified(0.05, Domain.CODING))[0] == Tier.BALANCED


def test_positive_shift_is_cheaper():
    result = classified(0.5)
    assert RoutingTable().decide(result, Cell(domain=Domain.GENERAL, bucket=2), shift=0.3)[0] == Tier.FAST


@pytest.mark.parametrize("thresholds", [(0.7, 0.3), (-0.1, 0.5), (0.2, 1.5)])
def test_invalid_thresholds_rejected(thresholds):
    with pytest.raises(ValueError, match="thresholds"):
        RoutingTable(thresholds=thresholds)


def test_unknown_cell_domain_rejected():
    rule = CellRule(min_tier=Tier.CAPABLE, changed_in_run=1, changed_at=datetime.now(UTC), reason="test")
    with pytest.raises(ValueError):
        RoutingTable(cell_tiers={"astrology:1": rule})


def test_table_json_round_trip():
    table = RoutingTable(version=3)
    assert RoutingTable.model_validate_json(table.model_dump_json()) == table
