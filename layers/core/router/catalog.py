"""Model catalog: which model serves each tier, its lifecycle status and its prices.

The built-in catalog is `router/data/models.json`. Every price carries the page
it was read from and the date it was checked, because prices change and a
stale figure silently skews every savings report.
"""

from __future__ import annotations

import json
import logging
from datetime import date
from enum import Enum
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError, model_validator

from router.exceptions import ConfigurationError, RetiredModelError
from router.models import Tier

logger = logging.getLogger(__name__)

BUILTIN_CATALOG = Path(__file__).parent / "data" / "models.json"


class Lifecycle(str, Enum):
    ACTIVE = "active"
    LEGACY = "legacy"
    DEPRECATED = "deprecated"
    RETIRED = "retired"


class PriceBand(BaseModel):
    """Prices in USD per million tokens, valid while the prompt stays within `max_prompt_tokens`."""

    max_prompt_tokens: int | None = Field(
        default=None, description="upper bound of the prompt (input + cache reads + writes); None = no bound"
    )
    input: float = Field(ge=0)
    output: float = Field(ge=0)
    cache_write_5m: float = Field(ge=0)
    cache_write_1h: float = Field(ge=0)
    cache_read: float = Field(ge=0)


class Pricing(BaseModel):
    """Prompt-length price bands, ascending; a model with one price has one band."""

    bands: list[PriceBand] = Field(min_length=1)
    source: str = Field(description="page the prices were read from")
    checked: date = Field(description="day the prices were checked against the source")

    @model_validator(mode="after")
    def _bands_ascending(self) -> Pricing:
        bounds = [band.max_prompt_tokens for band in self.bands]
        if any(bound is None for bound in bounds[:-1]):
            raise ValueError("only the last price band may have no max_prompt_tokens")
        finite = [bound for bound in bounds if bound is not None]
        if finite != sorted(finite):
            raise ValueError("price bands must be in ascending order of max_prompt_tokens")
        return self

    def band_for(self, prompt_tokens: int) -> PriceBand:
        """Return the band that bills a request whose whole prompt has `prompt_tokens` tokens."""
        for band in self.bands:
            if band.max_prompt_tokens is None or prompt_tokens <= band.max_prompt_tokens:
                return band
        return self.bands[-1]


class ModelEntry(BaseModel):
    """One model of the catalog."""

    name: str = Field(description="display name, e.g. Claude Haiku 4.5")
    provider: str = Field(default="anthropic", description="provider module: anthropic or bedrock")
    anthropic_id: str
    bedrock_id: str | None = None
    context_window: int = Field(gt=0)
    max_output_tokens: int = Field(gt=0)
    status: Lifecycle
    released: date | None = None
    deprecated_on: date | None = None
    retires_on: date | None = Field(default=None, description="retirement date, past or planned")
    replacement: str | None = Field(default=None, description="model id to use instead")
    lifecycle_source: str | None = None
    pricing: Pricing

    def is_retired(self, today: date | None = None) -> bool:
        if self.status is Lifecycle.RETIRED:
            return True
        today = today or date.today()
        return self.retires_on is not None and self.retires_on <= today

    def ensure_callable(self, today: date | None = None) -> None:
        """Raise `RetiredModelError` before any network call to a retired model."""
        if self.is_retired(today):
            raise RetiredModelError(self.anthropic_id, self.replacement)


class Profile(BaseModel):
    """A named mapping of tiers to model ids."""

    description: str
    tiers: dict[Tier, str]

    @model_validator(mode="after")
    def _all_tiers(self) -> Profile:
        missing = [tier.value for tier in Tier if tier not in self.tiers]
        if missing:
            raise ValueError(f"profile has no model for tier(s) {missing}")
        return self


class Catalog(BaseModel):
    """All models and the profiles that assign them to tiers."""

    default_profile: str
    models: dict[str, ModelEntry]
    profiles: dict[str, Profile]

    @model_validator(mode="after")
    def _profiles_reference_models(self) -> Catalog:
        for name, profile in self.profiles.items():
            for tier, model_id in profile.tiers.items():
                if model_id not in self.models:
                    raise ValueError(f"profile {name!r} tier {tier.value} names unknown model {model_id!r}")
        if self.default_profile not in self.profiles:
            raise ValueError(f"default_profile {self.default_profile!r} is not a profile")
        return self

    def profile(self, name: str | None = None) -> Profile:
        key = name or self.default_profile
        try:
            return self.profiles[key]
        except KeyError:
            allowed = ", ".join(sorted(self.profiles))
            raise ConfigurationError(f"catalog profile {key!r} not found: allowed {allowed}") from None

    def model_for(self, tier: Tier, profile: str | None = None) -> ModelEntry:
        return self.models[self.profile(profile).tiers[tier]]

    def lifecycle_warnings(self, profile: str | None = None, today: date | None = None) -> list[str]:
        """Describe each retired or deprecated model of a profile, one line per model."""
        today = today or date.today()
        warnings = []
        for tier, model_id in sorted(self.profile(profile).tiers.items()):
            entry = self.models[model_id]
            if entry.is_retired(today):
                hint = f"; replacement: {entry.replacement}" if entry.replacement else ""
                warnings.append(
                    f"Tier {tier.value} model {model_id} is retired (since {entry.retires_on}): "
                    f"routing works, but requests to it would fail{hint}"
                )
            elif entry.status is Lifecycle.DEPRECATED:
                when = entry.retires_on.isoformat() if entry.retires_on else "a date not yet announced"
                warnings.append(f"Tier {tier.value} model {model_id} is deprecated and retires on {when}")
        return warnings


def load_catalog(path: Path | None = None) -> Catalog:
    """Read and validate a catalog file; the built-in one when `path` is None."""
    return _load_catalog_cached(str(path or BUILTIN_CATALOG))


@lru_cache(maxsize=8)
def _load_catalog_cached(path: str) -> Catalog:
    file = Path(path)
    try:
        raw = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"model catalog {file} cannot be read: {exc.strerror}") from exc
    try:
        return Catalog.model_validate(json.loads(raw))
    except json.JSONDecodeError as exc:
        raise ConfigurationError(
            f"model catalog {file} is not valid JSON: line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ConfigurationError(f"model catalog {file} is invalid at {where}: {first['msg']}") from exc
