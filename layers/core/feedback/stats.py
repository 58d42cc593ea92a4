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
