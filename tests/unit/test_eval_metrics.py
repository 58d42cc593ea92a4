"""Evaluation metrics and baselines on toy data small enough to check by hand."""

import math

import numpy as np
import pytest

from evaluation import baselines
from evaluation.analysis import Outcomes, analyse
from evaluation.data import EvaluationInputError
from evaluation.metrics import Endpoints, apgr, bootstrap_weights, cpt, pgr, savings_at_quality
from evaluation.tiers import parse_costs, parse_tiers
from router.models import Tier
from router.table import RoutingTable

TWO_TIER_LOOKUP = np.array([0, 0, 1, 1], dtype=np.int8)
THREE_TIER_LOOKUP = np.array([0, 0, 1, 2], dtype=np.int8)

# Four rows, weak and strong scores. Only row 1 gains from the strong model, so
# q_weak = 0.5 and q_strong = 0.75. The router's scores rank row 1 first, so
# its curve is (0, .5) (.25, .75) (.5, .75) (.75, .75) (1, .75).
TOY_QUALITY = np.array([[1.0, 1.0], [0.0, 1.0], [0.0, 0.0], [1.0, 1.0]])
TOY_SCORES = np.array([0.1, 0.9, 0.5, 0.2])
TOY_ENDS = Endpoints(c_weak=0.0, q_weak=0.5, c_strong=1.0, q_strong=0.75)


def toy_outcomes():
    usd = np.tile([0.001, 0.03], (4, 1))
    return Outcomes(TOY_QUALITY, usd, two_tier=True, tier_values=(1, 3))


def test_pgr_share_of_gap():
    assert pgr(0.7, 0.5, 0.75) == pytest.approx(0.8)


def test_pgr_without_gap_nan():
    assert math.isnan(pgr(0.7, 0.5, 0.5))


def test_apgr_four_row_toy():
    # Area: (.5 + .75) / 2 * .25 + .75 * .75 = .71875; APGR = (.71875 - .5) / .25.
    assert apgr(np.array([0.25, 0.5, 0.75]), np.array([0.75, 0.75, 0.75]), TOY_ENDS) == pytest.approx(0.875)


def test_apgr_straight_line_half():
    assert apgr(np.array([0.5]), np.array([0.625]), TOY_ENDS) == pytest.approx(0.5)


def test_apgr_score_curve_toy():
    curve = baselines.score_curve("toy", TOY_SCORES, (0.3, 0.65), TWO_TIER_LOOKUP)
    result = analyse(toy_outcomes(), [curve], {}, resamples=0)
    assert result.curves["toy"]["metrics"]["apgr"].value == pytest.approx(0.875)


@pytest.mark.parametrize(("share", "expected"), [(0.5, 0.125), (0.8, 0.2), (1.0, 0.25)])
def test_cpt_interpolates_first_crossing(share, expected):
    # Targets .625, .7 and .75 lie on the segment from (0, .5) to (.25, .75).
    costs, qualities = np.array([0.25, 0.5]), np.array([0.75, 0.75])
    assert cpt(costs, qualities, TOY_ENDS, share) == pytest.approx(expected)


def test_cpt_without_gap_nan():
    flat = Endpoints(0.0, 0.6, 1.0, 0.6)
    assert math.isnan(cpt(np.array([0.5]), np.array([0.6]), flat, 0.5))


def test_savings_two_tier_toy():
    # 95 % of .75 is .7125, reached at .25 * .2125 / .25 = .2125 of the strong calls.
    savings = savings_at_quality(np.array([0.25]), np.array([0.75]), TOY_ENDS)
    assert savings == pytest.approx(78.75)


def test_savings_three_tier_relative_dollars():
    # All-Tier-1 costs 10 % of all-Tier-3. Target .76 sits 16/18 of the way
    # from (.1, .6) to (.4, .78), at cost .1 + .3 * 16 / 18.
    ends = Endpoints(c_weak=0.1, q_weak=0.6, c_strong=1.0, q_strong=0.8)
    savings = savings_at_quality(np.array([0.4]), np.array([0.78]), ends)
    assert savings == pytest.approx(100 * (1 - (0.1 + 0.3 * 16 / 18)))


def test_savings_weak_good_enough():
    ends = Endpoints(c_weak=0.0, q_weak=0.96, c_strong=1.0, q_strong=1.0)
    assert savings_at_quality(np.array([]), np.array([]), ends) == pytest.approx(100.0)


def test_bootstrap_weights_count_rows():
    for weights in bootstrap_weights(rows=30, resamples=7, seed=1, chunk=3):
        assert np.all(weights.sum(axis=1) == 30)


def bootstrap_toy(seed):
    rng = np.random.default_rng(5)
    quality = rng.integers(0, 2, size=(60, 2)).astype(float)
    quality[:, 1] = np.maximum(quality[:, 1], rng.integers(0, 2, size=60))
    outcomes = Outcomes(quality, np.tile([1.0, 10.0], (60, 1)), two_tier=True, tier_values=(1, 3))
    curve = baselines.score_curve("router", rng.random(60), (0.3, 0.65), TWO_TIER_LOOKUP)
    point = baselines.constant_assignment(60, 1)
    return analyse(outcomes, [curve], {"strong": point}, resamples=300, seed=seed)


def test_bootstrap_interval_brackets_estimate():
    result = bootstrap_toy(seed=3)
    for key in ("apgr", "cpt50", "cpt80", "savings95"):
        estimate = result.curves["router"]["metrics"][key]
        assert estimate.low <= estimate.value <= estimate.high, key


def test_bootstrap_deterministic_with_seed():
    first = bootstrap_toy(seed=3).curves["router"]["metrics"]["apgr"]
    second = bootstrap_toy(seed=3).curves["router"]["metrics"]["apgr"]
    assert (first.low, first.high) == (second.low, second.high)


def test_bootstrap_seed_changes_interval():
    first = bootstrap_toy(seed=3).curves["router"]["metrics"]["apgr"]
    other = bootstrap_toy(seed=4).curves["router"]["metrics"]["apgr"]
    assert (first.low, first.high) != (other.low, other.high)


def test_oracle_picks_cheapest_best_tier():
    quality = np.array([[1, 1, 1], [0, 1, 1], [0, 0, 1], [0, 0, 0], [1, 0, 1], [0.2, 0.9, 0.9]], dtype=float)
    cost = np.tile([1.0, 2.0, 3.0], (6, 1))
    assert baselines.oracle_assignment(quality, cost).tolist() == [0, 1, 2, 0, 0, 1]


def test_oracle_curve_passes_oracle_point():
    quality = np.array([[0, 1, 1], [0, 0, 1], [1, 0, 0], [0, 1, 0]], dtype=float)
    cost = np.tile([1.0, 4.0, 10.0], (4, 1))
    curve = baselines.oracle_curve(quality, cost)
    oracle = baselines.oracle_assignment(quality, cost).tolist()
    assert any(point.tolist() == oracle for point in curve.assignments)
    assert curve.assignments[-1].tolist() == [2, 2, 2, 2]


def test_oracle_apgr_beats_router_on_toy():
    outcomes = toy_outcomes()
    curves = [
        baselines.score_curve("router", np.array([0.9, 0.1, 0.5, 0.2]), (0.3, 0.65), TWO_TIER_LOOKUP),
        baselines.oracle_curve(outcomes.quality, outcomes.axis_cost),
    ]
    metrics = analyse(outcomes, curves, {}, resamples=0).curves
    assert metrics["oracle"]["metrics"]["apgr"].value > metrics["router"]["metrics"]["apgr"].value


def test_random_same_mix_keeps_counts():
    assignment = np.array([0, 0, 1, 2, 2, 2], dtype=np.int8)
    shuffled = baselines.random_same_mix(assignment, seed=7)
    assert np.bincount(shuffled).tolist() == [2, 1, 3]


def test_length_scores_tie_equal_lengths():
    assert baselines.length_scores(["aa", "b", "cc", "dddd"]).tolist() == [0.25, 0.0, 0.25, 0.75]


@pytest.mark.parametrize("score", [0.0, 0.29, 0.3, 0.5, 0.64, 0.65, 1.0])
@pytest.mark.parametrize("shift", [-0.2, 0.0, 0.1])
def test_vectorised_tiers_match_table(score, shift):
    table = RoutingTable()
    vectorised = baselines.tiers_from_scores(np.array([score]), table.thresholds, np.array([shift]))
    assert vectorised[0, 0] == table.tier_from_score(score, shift).value


def test_score_curve_spans_every_cut():
    curve = baselines.score_curve("toy", TOY_SCORES, (0.3, 0.65), TWO_TIER_LOOKUP)
    strong_calls = sorted(int(row.sum()) for row in curve.assignments)
    assert strong_calls == [0, 1, 2, 3, 4]


def test_two_tier_sends_tier_two_to_strong():
    tier_map = parse_tiers("1=weak,3=strong")
    assert tier_map.column(Tier.BALANCED) == 1


def test_three_tier_columns_in_order():
    tier_map = parse_tiers("3=c, 1=a, 2=b")
    assert tier_map.model_names == ["a", "b", "c"]


@pytest.mark.parametrize("text", ["1=a", "1=a,1=b", "4=a,1=b", "1=a,3=a", "1a,3=b", ""])
def test_parse_tiers_rejects_invalid(text):
    with pytest.raises(EvaluationInputError, match="--tiers"):
        parse_tiers(text)


@pytest.mark.parametrize("text", ["1=0.1", "1=x,3=1", "1=-1,3=1", "1=0.1,3=0"])
def test_parse_costs_rejects_invalid(text):
    with pytest.raises(EvaluationInputError, match="--costs"):
        parse_costs(text, parse_tiers("1=a,3=b"))


def test_point_metrics_default_toy():
    point = np.array([0, 1, 0, 0], dtype=np.int8)
    metrics = analyse(toy_outcomes(), [], {"router": point}, resamples=0).points["router"]
    assert metrics["quality_pct"].value == pytest.approx(100.0)
    assert metrics["cost_saved_pct"].value == pytest.approx(75.0)
    assert metrics["tier3_pct"].value == pytest.approx(25.0)
