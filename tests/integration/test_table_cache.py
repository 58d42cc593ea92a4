"""RoutingTableCache on a real SQLite store, with a stepped clock."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from api.table_cache import RoutingTableCache
from feedback.exceptions import StoreError
from feedback.store import FeedbackStore
from router.models import Tier
from router.settings import Settings
from router.table import RoutingTable

TTL = 60


class SteppedClock:
    def __init__(self) -> None:
        self.now = datetime(2025, 6, 1, 12, 0, 0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class CountingStore:
    """Wraps a store to count reads of the current table and to fail them on demand."""

    def __init__(self, store: FeedbackStore) -> None:
        self.store = store
        self.settings = store.settings
        self.reads = 0
        self.failing = False

    def active_routing_table(self) -> RoutingTable:
        self.reads += 1
        if self.failing:
            raise StoreError("routing table store unavailable")
        return self.store.active_routing_table()


@pytest.fixture
def store(tmp_path: Path) -> FeedbackStore:
    return FeedbackStore(db_path=tmp_path / "router.db", settings=Settings())


@pytest.fixture
def clock() -> SteppedClock:
    return SteppedClock()


def publish(store: FeedbackStore, expected: int | None) -> RoutingTable:
    return store.publish_routing_table(RoutingTable(reason="test version"), expected_current=expected)


def test_cache_reads_store_once_within_ttl(store: FeedbackStore, clock: SteppedClock) -> None:
    counting = CountingStore(store)
    cache = RoutingTableCache(counting, TTL, now=clock)  # type: ignore[arg-type]
    for _ in range(5):
        cache()
        clock.advance(TTL / 10)
    assert counting.reads == 1


def test_cache_new_version_after_ttl(store: FeedbackStore, clock: SteppedClock) -> None:
    cache = RoutingTableCache(store, TTL, now=clock)
    assert cache().version == 0
    publish(store, None)
    clock.advance(TTL - 1)
    assert cache().version == 0
    clock.advance(2)
    assert cache().version == 1


def test_cache_ttl_zero_reads_every_time(store: FeedbackStore, clock: SteppedClock) -> None:
    cache = RoutingTableCache(store, 0, now=clock)
    assert cache().version == 0
    publish(store, None)
    assert cache().version == 1


def test_cache_keeps_last_good_on_failure(
    store: FeedbackStore, clock: SteppedClock, caplog: pytest.LogCaptureFixture
) -> None:
    publish(store, None)
    counting = CountingStore(store)
    cache = RoutingTableCache(counting, TTL, now=clock)  # type: ignore[arg-type]
    assert cache().version == 1
    counting.failing = True
    clock.advance(TTL + 1)
    with caplog.at_level(logging.WARNING, logger="api.table_cache"):
        table = cache()
    assert table.version == 1
    assert "routing table load failed" in caplog.text
    assert "routing table store unavailable" in caplog.records[0].error


def test_cache_default_when_never_loaded(store: FeedbackStore, clock: SteppedClock) -> None:
    counting = CountingStore(store)
    counting.failing = True
    settings = Settings(default_tier=3)
    counting.settings = settings
    cache = RoutingTableCache(counting, TTL, now=clock)  # type: ignore[arg-type]
    table = cache()
    assert table.version == 0
    assert table.default_tier == Tier.CAPABLE


def test_cache_failure_retried_after_ttl(store: FeedbackStore, clock: SteppedClock) -> None:
    counting = CountingStore(store)
    cache = RoutingTableCache(counting, TTL, now=clock)  # type: ignore[arg-type]
    cache()
    counting.failing = True
    clock.advance(TTL + 1)
    cache()
    cache()
    assert counting.reads == 2
    counting.failing = False
    publish(store, None)
    clock.advance(TTL + 1)
    assert cache().version == 1
    assert counting.reads == 3


def test_cache_clear_forces_read(store: FeedbackStore, clock: SteppedClock) -> None:
    cache = RoutingTableCache(store, TTL, now=clock)
    cache()
    publish(store, None)
    cache.clear()
    assert cache().version == 1
