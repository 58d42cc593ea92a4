"""Every setting of the router, read from the environment in one place.

An explicit argument to a constructor always beats the environment; these
defaults apply only when the caller passes nothing. The README lists every
variable with its default.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, Field

from router.exceptions import ConfigurationError

DEFAULT_DB_PATH = Path.home() / ".llm-router" / "router.db"


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name}={raw!r} is invalid: expected true or false")


def _env_float(name: str, default: float, low: float, high: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name}={raw!r} is invalid: expected a number") from exc
    if not low <= value <= high:
        raise ConfigurationError(f"{name}={value} is out of range: allowed {low} to {high}")
    return value


def _env_int(name: str, default: int, low: int, high: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name}={raw!r} is invalid: expected an integer") from exc
    if not low <= value <= high:
        raise ConfigurationError(f"{name}={value} is out of range: allowed {low} to {high}")
    return value


class Settings(BaseModel):
    """Runtime settings; `Settings.from_env()` reads the `LLM_ROUTER_*` variables."""

    db_path: Path = Field(default=DEFAULT_DB_PATH, description="SQLite file of the local store")
    store_backend: str = Field(default="sqlite", description="sqlite or dynamodb")
    catalog_path: Path | None = Field(default=None, description="model catalog JSON; None = built-in")
    catalog_profile: str = Field(default="current", description="profile of the catalog in use")
    routing_table_path: Path | None = Field(default=None, description="routing table JSON file")
    default_tier: int = Field(default=2, ge=1, le=3, description="tier when no signal is recognised")
    store_prompts: bool = Field(default=False, description="keep prompt text on decisions")
    # Retrainer
    min_samples: int = Field(default=5, ge=1)
    confidence: float = Field(default=0.90, gt=0.5, lt=1.0)
    low_quality_threshold: float = Field(default=0.5, gt=0.0, lt=1.0)
    promote_low_rate: float = Field(default=0.30, gt=0.0, lt=1.0)
    demote_low_rate: float = Field(default=0.15, gt=0.0, lt=1.0)
    cooldown_runs: int = Field(default=2, ge=0)
    quality_margin: float = Field(default=0.05, gt=0.0, lt=1.0)
    evidence_windows: int = Field(default=6, ge=0)
    exploration_rate: float = Field(default=0.05, ge=0.0, le=0.5)
    # DynamoDB
    decisions_table: str = "llm-router-decisions"
    feedback_table: str = "llm-router-feedback"
    aggregates_table: str = "llm-router-aggregates"
    routing_table_table: str = "llm-router-routing-table"
    table_cache_ttl_seconds: int = Field(default=60, ge=0)
    decision_ttl_days: int = Field(default=90, ge=1)

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        catalog = env.get("LLM_ROUTER_CATALOG_PATH")
        table = env.get("LLM_ROUTER_ROUTING_TABLE_PATH")
        return cls(
            db_path=Path(env.get("LLM_ROUTER_DB_PATH") or DEFAULT_DB_PATH).expanduser(),
            store_backend=(env.get("LLM_ROUTER_STORE") or "sqlite").strip().lower(),
            catalog_path=Path(catalog).expanduser() if catalog else None,
            catalog_profile=env.get("LLM_ROUTER_CATALOG_PROFILE") or "current",
            routing_table_path=Path(table).expanduser() if table else None,
            default_tier=_env_int("LLM_ROUTER_DEFAULT_TIER", 2, 1, 3),
            store_prompts=_env_bool("LLM_ROUTER_STORE_PROMPTS", False),
            min_samples=_env_int("LLM_ROUTER_MIN_SAMPLES", 5, 1, 1_000_000),
            confidence=_env_float("LLM_ROUTER_CONFIDENCE", 0.90, 0.51, 0.999),
            low_quality_threshold=_env_float("LLM_ROUTER_LOW_QUALITY", 0.5, 0.01, 0.99),
            promote_low_rate=_env_float("LLM_ROUTER_PROMOTE_LOW_RATE", 0.30, 0.01, 0.99),
            demote_low_rate=_env_float("LLM_ROUTER_DEMOTE_LOW_RATE", 0.15, 0.01, 0.99),
            cooldown_runs=_env_int("LLM_ROUTER_COOLDOWN_RUNS", 2, 0, 1000),
            quality_margin=_env_float("LLM_ROUTER_QUALITY_MARGIN", 0.05, 0.001, 0.99),
            evidence_windows=_env_int("LLM_ROUTER_EVIDENCE_WINDOWS", 6, 0, 100),
            exploration_rate=_env_float("LLM_ROUTER_EXPLORATION_RATE", 0.05, 0.0, 0.5),
            decisions_table=env.get("DECISIONS_TABLE") or "llm-router-decisions",
            feedback_table=env.get("FEEDBACK_TABLE") or "llm-router-feedback",
            aggregates_table=env.get("AGGREGATES_TABLE") or "llm-router-aggregates",
            routing_table_table=env.get("ROUTING_TABLE_TABLE") or "llm-router-routing-table",
            table_cache_ttl_seconds=_env_int("LLM_ROUTER_TABLE_CACHE_TTL", 60, 0, 86_400),
            decision_ttl_days=_env_int("LLM_ROUTER_DECISION_TTL_DAYS", 90, 1, 3650),
        )
