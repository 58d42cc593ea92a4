"""Routing-table cache for warm Lambda functions, built on Powertools Parameters.

Reading the table from the store on every request would add a DynamoDB round
trip to each routing call. So the route function keeps it for a TTL
(`LLM_ROUTER_TABLE_CACHE_TTL`, seconds), and a new version reaches a warm
function within that time. When the store fails, routing goes on with the last
good table, or the built-in default if none was ever loaded, and the store is
asked again only after another TTL.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, cast

from aws_lambda_powertools.utilities.parameters import BaseProvider, GetParameterError
from aws_lambda_powertools.utilities.parameters.base import ExpirableValue

from feedback.store import FeedbackStore
from router.models import Tier
from router.table import RoutingTable

logger = logging.getLogger(__name__)

CURRENT = "current"


class RoutingTableProvider(BaseProvider):
    """A Parameters provider whose one parameter, `current`, is the store's current routing table.

    `now` replaces the wall clock of Powertools' cache expiry, so tests can step time.
    """

    def __init__(self, store: FeedbackStore, *, now: Callable[[], datetime] = datetime.now) -> None:
        super().__init__()
        self.feedback_store = store
        self._now = now

    def _get(self, name: str, **sdk_options: Any) -> RoutingTable:  # type: ignore[override]
        if name != CURRENT:
            raise ValueError(f"parameter {name!r} is unknown: only {CURRENT!r} exists")
        return self.feedback_store.active_routing_table()

    def _get_multiple(self, path: str, **sdk_options: Any) -> dict[str, str]:
        raise NotImplementedError("the routing-table provider has a single parameter")

    # Powertools computes expiry with datetime.now(); these two use the injected clock.
    def has_not_expired_in_cache(self, key: tuple) -> bool:
        return key in self.store and self.store[key].ttl >= self._now()

    def add_to_cache(self, key: tuple, value: Any, max_age: int) -> None:
        if max_age <= 0:
            return
        self.store[key] = ExpirableValue(value, self._now() + timedelta(seconds=max_age))

    def cached(self, name: str) -> Any | None:
        """Return the value cached for `name`, expired or not, or None."""
        entry = self.store.get(self._build_cache_key(name=name))
        return entry.value if entry else None

    def keep(self, name: str, value: Any, max_age: int) -> None:
        """Cache `value` for `name` for `max_age` seconds, as a successful `get` would."""
        self.add_to_cache(self._build_cache_key(name=name), value, max_age)


class RoutingTableCache:
    """A callable returning the current routing table, for `LLMRouter(routing_table=...)`."""

    def __init__(
        self,
        store: FeedbackStore,
        ttl_seconds: int,
        *,
        default: RoutingTable | None = None,
        now: Callable[[], datetime] = datetime.now,
    ) -> None:
        self.ttl_seconds = ttl_seconds
        self.provider = RoutingTableProvider(store, now=now)
        self._default = default or RoutingTable(default_tier=Tier(store.settings.default_tier))

    def __call__(self) -> RoutingTable:
        try:
            table = self.provider.get(CURRENT, max_age=self.ttl_seconds)
        except GetParameterError as exc:
            return self._fallback(exc)
        return cast(RoutingTable, table)

    def _fallback(self, exc: GetParameterError) -> RoutingTable:
        last_good = self.provider.cached(CURRENT)
        table = last_good if isinstance(last_good, RoutingTable) else self._default
        logger.warning(
            "routing table load failed; serving version %s until the next retry in %s s",
            table.version,
            self.ttl_seconds,
            extra={"error": str(exc), "routing_table_version": table.version},
        )
        # Caching the fallback makes the next attempt wait one TTL, so a store
        # outage costs one failed read per TTL instead of one per request.
        self.provider.keep(CURRENT, table, self.ttl_seconds)
        return table

    def clear(self) -> None:
        """Forget the cached table so the next call reads the store."""
        self.provider.clear_cache()
