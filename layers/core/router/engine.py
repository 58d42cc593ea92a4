"""`LLMRouter`: classify a query, pick its tier from the routing table, price it.

This module is the routing path of every entry point. It must stay free of the
Anthropic SDK and of any network call: importing the SDK alone costs about a
second of Lambda cold start.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from typing import Any

from router.catalog import Catalog, load_catalog
from router.classifier import ComplexityClassifier
from router.cost import estimate_cost, expected_output_tokens
from router.exceptions import InvalidQueryError
from router.models import Cell, RoutingDecision, Tier, complexity_bucket
from router.settings import Settings
from router.table import RoutingTable, load_table_file
from router.terms import query_term_hashes
from router.text import extract_text

logger = logging.getLogger(__name__)

TableProvider = Callable[[], RoutingTable]


class LLMRouter:
    """Route queries to the cheapest tier that handles them well.

    `routing_table` may be a fixed table or a callable returning the current one,
    such as a store-backed cache; the built-in default applies when neither is given.
    """

    def __init__(
        self,
        *,
        catalog: Catalog | None = None,
        profile: str | None = None,
        routing_table: RoutingTable | TableProvider | None = None,
        settings: Settings | None = None,
        classifier: ComplexityClassifier | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings or Settings.from_env()
        self.catalog = catalog or load_catalog(self.settings.catalog_path)
        self.profile = profile or self.settings.catalog_profile
        self.catalog.profile(self.profile)  # fail fast on an unknown profile
        self.classifier = classifier or ComplexityClassifier()
        self._rng = rng or random.Random()
        self._table_provider = self._make_table_provider(routing_table)
        self._warned_profiles: set[str] = set()

    def _make_table_provider(self, routing_table: RoutingTable | TableProvider | None) -> TableProvider:
        if callable(routing_table):
            return routing_table
        if routing_table is None:
            path = self.settings.routing_table_path
            default = RoutingTable(default_tier=Tier(self.settings.default_tier))
            routing_table = load_table_file(path) if path else default
        fixed = routing_table
        return lambda: fixed

    @property
    def routing_table(self) -> RoutingTable:
        return self._table_provider()

    def lifecycle_warnings(self, profile: str | None = None) -> list[str]:
        return self.catalog.lifecycle_warnings(profile or self.profile)

    def route(
        self,
        query_or_messages: str | list[dict[str, Any]] | dict[str, Any],
        *,
        system: str | None = None,
        profile: str | None = None,
        threshold_shift: float = 0.0,
        explore: bool = True,
    ) -> RoutingDecision:
        """Classify the query and return the routing decision; nothing is stored or sent.

        `threshold_shift` moves both score thresholds (positive = cheaper), from
        -1 to 1, and `explore=False` turns off exploration of promoted cells.
        Raises ValueError for a shift that is not such a number.
        """
        if isinstance(threshold_shift, bool) or not isinstance(threshold_shift, (int, float)):
            raise ValueError(f"threshold_shift {threshold_shift!r} is invalid: expected a number from -1 to 1")
        if not -1.0 <= threshold_shift <= 1.0:
            # NaN fails this comparison too.
            raise ValueError(f"threshold_shift {threshold_shift!r} is out of range: expected a number from -1 to 1")
        profile = profile or self.profile
        self._warn_once(profile)
        text = extract_text(query_or_messages, system=system)
        result = self.classifier.classify_normalised(text)
        cell = Cell(domain=result.domain, subdomain=result.subdomain, bucket=complexity_bucket(result.score))
        table = self._table_provider()
        tier, reasoning = table.decide(result, cell, threshold_shift)
        explored = False
        if explore and self._should_explore(table, result, cell, tier):
            tier = Tier(tier - 1)
            explored = True
            reasoning += f"; explored Tier {tier.value} to test whether the cheaper tier is good enough"

        output_tokens = expected_output_tokens(result.domain, result.score)
        tier, fit_reason = self._tier_that_fits(tier, result.input_tokens, profile)
        if fit_reason:
            reasoning = fit_reason
            explored = False
        model = self.catalog.model_for(tier, profile)
        baseline_model = self.catalog.model_for(Tier.CAPABLE, profile)
        cost = estimate_cost(model, result.input_tokens, output_tokens)
        baseline = estimate_cost(baseline_model, result.input_tokens, output_tokens)
        return RoutingDecision(
            classification=result,
            selected_tier=tier,
            selected_model=model.anthropic_id,
            provider=model.provider,
            catalog_profile=profile,
            estimated_input_tokens=result.input_tokens,
            estimated_output_tokens=output_tokens,
            estimated_cost_usd=cost,
            baseline_cost_usd=baseline,
            estimated_savings_usd=round(baseline - cost, 10),
            reasoning=reasoning[0].upper() + reasoning[1:] + ".",
            routing_table_version=table.version,
            cell=cell,
            explored=explored,
            query_terms=query_term_hashes(text.last_user),
            prompt=text.last_user if self.settings.store_prompts else None,
        )

    def _tier_that_fits(self, tier: Tier, input_tokens: int, profile: str) -> tuple[Tier, str | None]:
        """Return the lowest tier from `tier` up whose model's context window fits the input.

        Raises InvalidQueryError when no tier of the profile fits it; the
        tier only ever moves up, so a long input never lands on a cheaper model.
        """
        chosen = tier
        while input_tokens > self.catalog.model_for(chosen, profile).context_window:
            if chosen == Tier.CAPABLE:
                largest = max(self.catalog.model_for(t, profile).context_window for t in Tier)
                raise InvalidQueryError(
                    f"query of about {input_tokens:,} tokens exceeds the largest context window of "
                    f"profile {profile!r} ({largest:,} tokens): shorten it or split it",
                    "query",
                )
            chosen = Tier(chosen + 1)
        if chosen == tier:
            return tier, None
        window = self.catalog.model_for(tier, profile).context_window
        return chosen, (
            f"input of about {input_tokens:,} tokens exceeds the Tier {tier.value} model's "
            f"context window of {window:,} tokens, so Tier {chosen.value} serves it"
        )

    def _should_explore(self, table: RoutingTable, result: Any, cell: Cell, tier: Tier) -> bool:
        # Exploration sends a small share of a promoted cell's traffic one tier
        # down, the only way to learn that the cheaper tier has become good enough.
        # It never touches high-stakes queries and never goes below a floor.
        rate = self.settings.exploration_rate
        if rate <= 0 or result.high_stakes:
            return False
        learned = table.cell_tier(cell)
        if learned is None or learned != tier or tier == Tier.FAST:
            return False
        unlearned, _ = RoutingTable(
            thresholds=table.thresholds, domain_floors=table.domain_floors, default_tier=table.default_tier
        ).decide(result, cell)
        if Tier(tier - 1) < max(unlearned, table.floor_for(result.domain)):
            return False
        return self._rng.random() < rate

    def _warn_once(self, profile: str) -> None:
        if profile in self._warned_profiles:
            return
        self._warned_profiles.add(profile)
        for warning in self.catalog.lifecycle_warnings(profile):
            logger.warning(warning)
