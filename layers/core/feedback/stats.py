"""Confidence bounds on a low-quality rate, for the retrainer's promote and demote rules.

The Wilson score interval (E. B. Wilson, "Probable inference, the law of
succession, and statistical inference", Journal of the American Statistical
Association 22, 1927) bounds a binomial proportion from `successes` out of
`trials`. With p = successes / trials, n = trials and z the standard normal
quantile of the confidence:

    centre     = (p + z^2 / 2n) / (1 + z^2 / n)
    half-width = z / (1 + z^2 / n) * sqrt(p (1 - p) / n + z^2 / 4n^2)

Unlike the normal approximation p +/- z sqrt(p (1 - p) / n), the interval stays
inside [0, 1] and does not collapse to a point at 0 or n successes. That matters
because the retrainer decides on as few as five samples.
"""

from __future__ import annotations

import math
from statistics import NormalDist


def one_sided_z(confidence: float) -> float:
    """Return the z for a one-sided bound at `confidence` (1.2816 for 0.90)."""
    if not 0.5 < confidence < 1.0:
        raise ValueError(f"confidence={confidence} is out of range: expected more than 0.5 and less than 1")
    return NormalDist().inv_cdf(confidence)


def _wilson(successes: int, trials: int, confidence: float) -> tuple[float, float]:
    if trials < 1:
        raise ValueError(f"trials={trials} is invalid: a bound needs at least 1 trial")
    if not 0 <= successes <= trials:
        raise ValueError(f"successes={successes} is out of range: expected 0 to trials ({trials})")
    z = one_sided_z(confidence)
    n = float(trials)
    p = successes / n
    z2 = z * z
    denominator = 1.0 + z2 / n
    centre = (p + z2 / (2.0 * n)) / denominator
    half_width = z / denominator * math.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n))
    # Clamp rounding noise: at p = 0 or 1 the bound equals 0 or 1 exactly.
    return max(0.0, centre - half_width), min(1.0, centre + half_width)


def wilson_lower_bound(successes: int, trials: int, confidence: float) -> float:
    """Return the Wilson lower bound of successes / trials at one-sided `confidence`.

    The true rate is at least this value with probability `confidence`;
    5 successes of 5 give 0.753 at 0.90 and 1 of 5 gives 0.062.
    """
    return _wilson(successes, trials, confidence)[0]


def wilson_upper_bound(successes: int, trials: int, confidence: float) -> float:
    """Return the Wilson upper bound of successes / trials at one-sided `confidence`.

    The true rate is at most this value with probability `confidence`;
    0 successes of 10 give 0.141 at 0.90.
    """
    return _wilson(successes, trials, confidence)[1]


def mean_bounds(total: float, count: int, confidence: float) -> tuple[float, float]:
    """Return Wilson bounds on the true mean of `count` scores in [0, 1] that sum to `total`.

    For 0/1 scores this is the Wilson interval of the share of 1s. A score
    in [0, 1] with a given mean varies at most as much as a 0/1 score with that
    mean, so the interval is wide enough for fractional scores too.
    """
    if count < 1:
        raise ValueError(f"count={count} is invalid: a bound needs at least 1 sample")
    z = one_sided_z(confidence)
    n = float(count)
    p = min(max(total / n, 0.0), 1.0)
    z2 = z * z
    denominator = 1.0 + z2 / n
    centre = (p + z2 / (2.0 * n)) / denominator
    half_width = z / denominator * math.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n))
    return max(0.0, centre - half_width), min(1.0, centre + half_width)


def difference_bounds(
    total_a: float, count_a: int, total_b: float, count_b: int, confidence: float
) -> tuple[float, float]:
    """Return lower and upper bounds on mean a - mean b: each side's far Wilson bound.

    The lower bound is a's lower bound minus b's upper bound, and the other way
    round. That is wider than an interval of the difference itself, so a
    decision that needs it waits for more samples. Near 0 and 1, where a few
    perfect scores prove little, it stays honest: 20 perfect scores against 60
    give an upper bound of 0.08, not 0.
    """
    low_a, high_a = mean_bounds(total_a, count_a, confidence)
    low_b, high_b = mean_bounds(total_b, count_b, confidence)
    return low_a - high_b, high_a - low_b
