"""Route every row once, then replay the routing table's decision at each threshold shift.

`LLMRouter.route(q, threshold_shift=s)` classifies the prompt again for every
shift. Classification does not depend on the shift, so the sweep classifies
each row once through `route` and calls `RoutingTable.decide` for the tier at
each shift, which returns what `route` would with `explore=False`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from evaluation.analysis import Curve
from evaluation.tiers import TierMap
from router.cost import estimate_cost
from router.engine import LLMRouter
from router.exceptions import InvalidQueryError
from router.models import RoutingDecision
from router.table import RoutingTable

# 41 shifts from -1 to +1 in steps of 0.05: -1 sends every row the table lets
# go up to Tier 3, +1 sends every row it lets go down to Tier 1.
DEFAULT_SHIFTS = np.round(np.linspace(-1.0, 1.0, 41), 3)


@dataclass
class RoutedRows:
    """Decisions of the rows the router accepted, and the indexes of those rows."""

    decisions: list[RoutingDecision]
    kept: np.ndarray
    invalid: int
    seconds: float

    @property
    def scores(self) -> np.ndarray:
        return np.array([decision.classification.score for decision in self.decisions])


def route_rows(router: LLMRouter, prompts: list[str], progress: Callable[[], None] | None = None) -> RoutedRows:
    """Route each prompt without exploration; a prompt the router rejects is skipped and counted."""
    started = time.perf_counter()
    decisions, kept = [], []
    for index, prompt in enumerate(prompts):
        try:
            decisions.append(router.route(prompt, explore=False))
            kept.append(index)
        except InvalidQueryError:
            pass
        if progress is not None:
            progress()
    seconds = time.perf_counter() - started
    return RoutedRows(decisions, np.array(kept, dtype=int), len(prompts) - len(kept), seconds)


def catalog_costs(router: LLMRouter, decisions: list[RoutingDecision], tier_map: TierMap) -> np.ndarray:
    """USD per row and configured tier: the profile's model for that tier at the decision's token estimates."""
    models = [router.catalog.model_for(tier, router.profile) for tier in tier_map.tiers]
    costs = np.empty((len(decisions), len(models)))
    for row, decision in enumerate(decisions):
        for column, model in enumerate(models):
            costs[row, column] = estimate_cost(model, decision.estimated_input_tokens, decision.estimated_output_tokens)
    return costs


def decided_tiers(table: RoutingTable, decisions: list[RoutingDecision], shift: float = 0.0) -> np.ndarray:
    """Tier value (1 to 3) the table gives each decision's classification at `shift`."""
    return np.array([table.decide(d.classification, d.cell, shift)[0].value for d in decisions], dtype=np.int8)


def table_curve(
    table: RoutingTable,
    decisions: list[RoutingDecision],
    lookup: np.ndarray,
    shifts: np.ndarray = DEFAULT_SHIFTS,
) -> Curve:
    """Build the curve of the routing table's decisions across `shifts`, floors and overrides included."""
    assignments = np.stack([lookup[decided_tiers(table, decisions, float(shift))] for shift in shifts])
    return Curve("router (table)", assignments, [float(shift) for shift in shifts])
