"""The model of an evaluation file that serves each tier, and the cost of each tier.

An evaluation configures two or three tiers. A routing decision goes to the
cheapest configured tier at or above the tier it names. With `--tiers
"1=weak,3=strong"` a Tier 2 decision is therefore a call to the strong model,
so anything above Tier 1 is a strong call, as in RouteLLM's two-model setting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from evaluation.data import EvaluationInputError
from router.models import Tier

_PAIR = re.compile(r"^\s*([123])\s*=\s*(\S.*?)\s*$")
TIERS_EXAMPLE = '"1=mixtral-8x7b-instruct-v0.1,3=gpt-4-1106-preview"'


@dataclass(frozen=True)
class TierMap:
    """The configured tiers, cheapest first, and the model of each."""

    models: dict[Tier, str]

    @property
    def tiers(self) -> tuple[Tier, ...]:
        return tuple(sorted(self.models))

    @property
    def model_names(self) -> list[str]:
        return [self.models[tier] for tier in self.tiers]

    @property
    def two_tier(self) -> bool:
        """Two configured tiers: the cost axis is then the share of strong calls."""
        return len(self.models) == 2

    def column(self, tier: Tier) -> int:
        """Index of the configured tier that serves a decision for `tier`."""
        for index, configured in enumerate(self.tiers):
            if configured >= tier:
                return index
        return len(self.models) - 1

    def column_lookup(self) -> np.ndarray:
        """Array indexed by tier value (1 to 3) giving the column that serves it."""
        lookup = np.zeros(4, dtype=np.int8)
        for tier in Tier:
            lookup[tier.value] = self.column(tier)
        return lookup


def parse_tiers(text: str) -> TierMap:
    """Parse `--tiers` such as "1=model-a,2=model-b,3=model-c" (two or three tiers)."""
    models: dict[Tier, str] = {}
    for part in text.split(","):
        match = _PAIR.match(part)
        if not match:
            raise EvaluationInputError(
                "--tiers", f"{part.strip()!r} is invalid: expected TIER=MODEL with TIER 1, 2 or 3, e.g. {TIERS_EXAMPLE}"
            )
        tier = Tier(int(match.group(1)))
        if tier in models:
            raise EvaluationInputError("--tiers", f"Tier {tier.value} is given twice")
        models[tier] = match.group(2)
    if len(models) < 2:
        raise EvaluationInputError("--tiers", f"at least two tiers are needed to route, e.g. {TIERS_EXAMPLE}")
    if len(set(models.values())) < len(models):
        raise EvaluationInputError("--tiers", "each tier needs a different model")
    return TierMap(models)


def parse_costs(text: str, tier_map: TierMap) -> tuple[float, ...]:
    """Parse `--costs` such as "1=0.0006,3=0.03": USD per call of each configured tier."""
    costs: dict[Tier, float] = {}
    for part in text.split(","):
        tier_text, _, value = part.partition("=")
        try:
            tier = Tier(int(tier_text.strip()))
            usd = float(value)
        except ValueError:
            raise EvaluationInputError(
                "--costs", f'{part.strip()!r} is invalid: expected TIER=USD, e.g. "1=0.0006,3=0.03"'
            ) from None
        if not usd >= 0:
            raise EvaluationInputError("--costs", f"Tier {tier.value} cost {value.strip()} is invalid: must be >= 0")
        costs[tier] = usd
    if set(costs) != set(tier_map.tiers):
        expected = ", ".join(str(tier.value) for tier in tier_map.tiers)
        raise EvaluationInputError("--costs", f"give one cost for each tier of --tiers ({expected})")
    values = tuple(costs[tier] for tier in tier_map.tiers)
    if values[-1] <= 0:
        raise EvaluationInputError("--costs", "the top tier's cost must be above 0: costs are shown relative to it")
    return values
