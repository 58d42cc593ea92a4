"""Settings of the execute path (providers, retries, timeouts, POST /complete), read from the environment.

They sit apart from `router.settings` so the routing path never parses them.
An explicit constructor argument always beats these values.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, Field

from router.exceptions import ConfigurationError
from router.settings import DEFAULT_DB_PATH, _env_float, _env_int

PROVIDER_NAMES = ("anthropic", "bedrock")

# API Gateway REST APIs wait at most 29 seconds for the integration by default
# (Regional and private APIs can raise it by quota request since June 2024).
# 27 seconds leaves 2 for storing the outcome and returning the response.
DEFAULT_COMPLETE_DEADLINE_S = 27.0


class ExecutionSettings(BaseModel):
    """Settings of model calls, retries and POST /complete; `ExecutionSettings.from_env()` reads them."""

    provider: str | None = Field(
        default=None, description="anthropic or bedrock for every model; None = each model's catalog provider"
    )
    max_retries: int = Field(default=3, ge=0, le=10, description="retries per tier after the first attempt")
    request_timeout_s: float = Field(default=60.0, gt=0, le=900, description="time limit of one call")
    retry_base_delay_s: float = Field(default=0.5, gt=0, le=60, description="backoff of the first retry")
    retry_max_delay_s: float = Field(default=20.0, gt=0, le=300, description="maximum wait before a retry")
    max_tokens: int = Field(default=1024, ge=1, le=128_000, description="answer length limit when none is given")
    complete_deadline_s: float = Field(
        default=DEFAULT_COMPLETE_DEADLINE_S, gt=0, le=900, description="time budget of one POST /complete"
    )
    idempotency_table: str | None = Field(default=None, description="DynamoDB table of POST /complete's keys")
    idempotency_db_path: Path = Field(
        default=DEFAULT_DB_PATH.with_name("idempotency.db"), description="SQLite file of the keys when local"
    )
    idempotency_ttl_s: int = Field(default=3600, ge=60, le=7 * 86_400, description="how long a key is remembered")
    key_cache_ttl_s: int = Field(default=300, ge=0, le=86_400, description="cache time of the key from AWS")

    @classmethod
    def from_env(cls, *, store_db_path: Path | None = None) -> ExecutionSettings:
        """Read the settings from the environment.

        Without LLM_ROUTER_IDEMPOTENCY_DB_PATH, the idempotency file goes beside
        `store_db_path`, or beside LLM_ROUTER_DB_PATH when that is None.
        """
        env = os.environ
        provider = (env.get("LLM_ROUTER_PROVIDER") or "").strip().lower() or None
        if provider is not None and provider not in PROVIDER_NAMES:
            raise ConfigurationError(
                f"LLM_ROUTER_PROVIDER={provider!r} is invalid: allowed {', '.join(PROVIDER_NAMES)} or unset"
            )
        idempotency_db = env.get("LLM_ROUTER_IDEMPOTENCY_DB_PATH")
        return cls(
            provider=provider,
            max_retries=_env_int("LLM_ROUTER_MAX_RETRIES", 3, 0, 10),
            request_timeout_s=_env_float("LLM_ROUTER_REQUEST_TIMEOUT", 60.0, 1.0, 900.0),
            retry_base_delay_s=_env_float("LLM_ROUTER_RETRY_BASE_DELAY", 0.5, 0.01, 60.0),
            retry_max_delay_s=_env_float("LLM_ROUTER_RETRY_MAX_DELAY", 20.0, 0.1, 300.0),
            max_tokens=_env_int("LLM_ROUTER_MAX_TOKENS", 1024, 1, 128_000),
            complete_deadline_s=_env_float("LLM_ROUTER_COMPLETE_DEADLINE", DEFAULT_COMPLETE_DEADLINE_S, 1.0, 900.0),
            idempotency_table=(env.get("IDEMPOTENCY_TABLE") or "").strip() or None,
            idempotency_db_path=(
                Path(idempotency_db).expanduser() if idempotency_db else _beside_store_db(env, store_db_path)
            ),
            idempotency_ttl_s=_env_int("LLM_ROUTER_IDEMPOTENCY_TTL", 3600, 60, 7 * 86_400),
            key_cache_ttl_s=_env_int("LLM_ROUTER_KEY_CACHE_TTL", 300, 0, 86_400),
        )


def _beside_store_db(env: Mapping[str, str], store_db_path: Path | None) -> Path:
    store_db = store_db_path or Path(env.get("LLM_ROUTER_DB_PATH") or DEFAULT_DB_PATH).expanduser()
    return store_db.with_name("idempotency.db")
