"""Wilson score bounds of a low-quality rate."""

import math
from statistics import NormalDist

import pytest

from feedback.stats import difference_bounds, mean_bounds, one_sided_z, wilson_lower_bound, wilson_upper_bound


def test_z_for_ninety_percent():
    assert one_sided_z(0.90) == pytest.approx(1.281552, abs=1e-6)


@pytest.mark.parametrize(
    ("low", "samples", "expected"),
    [
        (5, 5, 0.752743),  # clear low quality: promotes at the default bar of 0.30
        (3, 5, 0.330421),  # just over the bar
        (2, 5, 0.179873),  # under the bar
        (1, 5, 0.061896),  # noise
        (0, 5, 0.0),
    ],
)
def test_lower_bound_values(low, samples, expected):
    assert wilson_lower_bound(low, samples, 0.90) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize(
    ("low", "samples", "expected"),
    [
        (0, 9, 0.154324),  # nine clean samples stay above the demote bar of 0.15
        (0, 10, 0.141069),  # ten clean samples fall under it
        (1, 20, 0.153220),  # one low sample needs 21 in all
        (1, 21, 0.146511),
        (5, 5, 1.0),
    ],
)
def test_upper_bound_values(low, samples, expected):
    assert wilson_upper_bound(low, samples, 0.90) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("samples", [1, 5, 10, 100])
@pytest.mark.parametrize("confidence", [0.8, 0.9, 0.975])
def test_bounds_closed_form_at_extremes(samples, confidence):
    # At 0 or n successes the interval reduces to z^2 / (n + z^2) and n / (n + z^2).
    z2 = NormalDist().inv_cdf(confidence) ** 2
    assert wilson_upper_bound(0, samples, confidence) == pytest.approx(z2 / (samples + z2), abs=1e-12)
    assert wilson_lower_bound(samples, samples, confidence) == pytest.approx(samples / (samples + z2), abs=1e-12)


def test_upper_bound_zero_of_ten_at_975():
    # 1.96^2 / (10 + 1.96^2): the upper end of the two-sided 95 % Wilson interval.
    assert wilson_upper_bound(0, 10, 0.975) == pytest.approx(0.2775, abs=1e-4)


@pytest.mark.parametrize("samples", [1, 2, 7, 30])
def test_bounds_enclose_rate(samples):
    for low in range(samples + 1):
        rate = low / samples
        lower = wilson_lower_bound(low, samples, 0.9)
        upper = wilson_upper_bound(low, samples, 0.9)
        assert 0.0 <= lower <= rate
        assert rate <= upper <= 1.0


@pytest.mark.parametrize(("low", "samples"), [(0, 4), (1, 5), (3, 8), (10, 10)])
def test_bounds_mirror(low, samples):
    mirrored = 1.0 - wilson_upper_bound(samples - low, samples, 0.9)
    assert math.isclose(wilson_lower_bound(low, samples, 0.9), mirrored, abs_tol=1e-12)


def test_more_samples_narrow_bound():
    assert wilson_lower_bound(50, 50, 0.9) > wilson_lower_bound(5, 5, 0.9)


@pytest.mark.parametrize(
    ("low", "samples", "confidence", "message"),
    [
        (0, 0, 0.9, "trials=0"),
        (6, 5, 0.9, "successes=6"),
        (-1, 5, 0.9, "successes=-1"),
        (1, 5, 0.5, "confidence=0.5"),
        (1, 5, 1.0, "confidence=1.0"),
    ],
)
def test_invalid_arguments_raise(low, samples, confidence, message):
    with pytest.raises(ValueError, match=message):
        wilson_lower_bound(low, samples, confidence)


@pytest.mark.parametrize(
    ("sums", "expected"),
    [
        ((90.0, 100, 80.0, 100), (0.008629, 0.188139)),
        ((200.0, 400, 200.0, 400), (-0.063946, 0.063946)),
        ((60.0, 60, 20.0, 20), (-0.026644, 0.075887)),  # perfect scores still leave doubt
    ],
)
def test_difference_bounds_values(sums, expected):
    assert difference_bounds(*sums, 0.90) == pytest.approx(expected, abs=1e-5)


def test_mean_bounds_of_zero_one_scores_are_wilson():
    expected = (wilson_lower_bound(6, 10, 0.90), wilson_upper_bound(6, 10, 0.90))
    assert mean_bounds(6.0, 10, 0.90) == pytest.approx(expected)


def test_mean_bounds_fractional_between_neighbours():
    lower, _ = mean_bounds(7.5, 10, 0.90)
    assert mean_bounds(7.0, 10, 0.90)[0] < lower < mean_bounds(8.0, 10, 0.90)[0]


def test_difference_bounds_need_samples():
    with pytest.raises(ValueError, match="at least 1 sample"):
        difference_bounds(5.0, 10, 0.0, 0, 0.90)
