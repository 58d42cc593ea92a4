"""Executors wired to a fake Anthropic API, a fixed classifier score and a fake clock."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from feedback.store import FeedbackStore
from providers.anthropic_api import AnthropicProvider
from providers.executor import Executor
from providers.settings import ExecutionSettings
from router.engine import LLMRouter
from router.models import ClassifierResult, Domain
from router.settings import Settings
from tests.support.fake_anthropic import TEST_API_KEY, FakeAnthropicApi

# Scores on each side of the default thresholds (0.30 and 0.65).
TIER_SCORES = {1: 0.1, 2: 0.5, 3: 0.9}
TIER_MODELS = {1: "claude-haiku-5-5", 2: "claude-sonnet-5-5", 3: "claude-opus-5-5"}


@dataclass
class FixedClassifier:
    """A classifier that gives every query the same score, so each test picks its tier."""

    score: float = 0.1
    domain: Domain = Domain.GENERAL

    def classify(self, query_or_messages: Any, *, system: Any = None) -> ClassifierResult:
        return self.classify_normalised(None)

    def classify_normalised(self, query: Any, *, started_ns: int | None = None) -> ClassifierResult:
        return ClassifierResult(
            score=self.score,
            reasoning_depth=self.score,
            domain_specificity=0.0,
            output_sensitivity=0.0,
            domain=self.domain,
            domain_confidence=1.0,
            language="en",
            input_tokens=40,
        )


@dataclass
class FakeClock:
    """A monotonic clock that only `sleep` moves; the sleeps are recorded."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def open_store(tmp_path: Path) -> FeedbackStore:
    settings = Settings(db_path=tmp_path / "router.db")
    return FeedbackStore(tmp_path / "router.db", settings=settings)


def make_router(tier: int = 1, profile: str | None = None) -> LLMRouter:
    settings = Settings(exploration_rate=0.0)
    return LLMRouter(settings=settings, classifier=FixedClassifier(TIER_SCORES[tier]), profile=profile)


def make_executor(
    store: FeedbackStore,
    api: FakeAnthropicApi,
    *,
    tier: int = 1,
    profile: str | None = None,
    clock: FakeClock | None = None,
    settings: ExecutionSettings | None = None,
) -> tuple[Executor, FakeClock]:
    """Build an executor whose providers all talk to `api`; the returned clock records the retry sleeps."""
    clock = clock or FakeClock()
    executor = Executor(
        make_router(tier, profile),
        store,
        provider_factory=lambda name: AnthropicProvider(api_key=TEST_API_KEY, http_client=api.client()),
        settings=settings or ExecutionSettings(),
        sleep=clock.sleep,
        rng=random.Random(11),
        clock=clock,
    )
    return executor, clock


def fake_api_for_cli(monkeypatch: Any, tmp_path: Path) -> FakeAnthropicApi:
    """Return a fake API that every provider the CLI builds talks to, with the store in `tmp_path`."""
    from cli import execute_cmd

    fake = FakeAnthropicApi()
    monkeypatch.setenv("LLM_ROUTER_DB_PATH", str(tmp_path / "router.db"))
    monkeypatch.setenv("LLM_ROUTER_EXPLORATION_RATE", "0")
    monkeypatch.setattr(
        execute_cmd,
        "provider_factory",
        lambda: lambda name: AnthropicProvider(api_key=TEST_API_KEY, http_client=fake.client()),
    )
    return fake
