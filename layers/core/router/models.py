"""Data models shared by the classifier, the engine, the stores and the API."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from enum import Enum, IntEnum

from pydantic import BaseModel, ConfigDict, Field


class Tier(IntEnum):
    """Model tier: 1 fast and cheap, 2 balanced, 3 most capable."""

    FAST = 1
    BALANCED = 2
    CAPABLE = 3


class Domain(str, Enum):
    """Domains the classifier names; each is a row of the routing table's floors."""

    CODING = "coding"
    MATH = "math"
    SCIENCE = "science"
    ANALYSIS = "analysis"
    MEDICAL = "medical"
    LEGAL = "legal"
    FINANCE = "finance"
    CREATIVE = "creative"
    CONVERSATIONAL = "conversational"
    FACTUAL = "factual"
    GENERAL = "general"


# Upper edges of the complexity buckets; a cell is (domain, bucket index).
BUCKET_EDGES: tuple[float, ...] = (0.2, 0.4, 0.6, 0.8)
BUCKET_COUNT = len(BUCKET_EDGES) + 1


def complexity_bucket(score: float) -> int:
    """Map a complexity score in [0, 1] to its bucket index 0..4."""
    for index, edge in enumerate(BUCKET_EDGES):
        if score < edge:
            return index
    return len(BUCKET_EDGES)


SUBDOMAIN_PATTERN = r"^[a-z][a-z0-9_]{0,31}$"
_SUBDOMAIN = re.compile(SUBDOMAIN_PATTERN)


class Cell(BaseModel):
    """A (domain, subdomain, complexity bucket) triple: the unit the retrainer learns on.

    The key is "domain/subdomain:bucket" ("science/physics:2"), or "domain:bucket"
    when the classifier named no subdomain. Keys written before subdomains
    existed parse as cells without one.
    """

    model_config = ConfigDict(frozen=True)

    domain: Domain
    bucket: int = Field(ge=0, lt=BUCKET_COUNT)
    subdomain: str | None = Field(default=None, pattern=SUBDOMAIN_PATTERN)

    @property
    def key(self) -> str:
        if self.subdomain is None:
            return f"{self.domain.value}:{self.bucket}"
        return f"{self.domain.value}/{self.subdomain}:{self.bucket}"

    @classmethod
    def from_key(cls, key: str) -> Cell:
        """Parse "domain:bucket" or "domain/subdomain:bucket"; raise ValueError naming the key when invalid."""
        area, separator, bucket = key.partition(":")
        domain, slash, subdomain = area.partition("/")
        if not separator or not bucket.isdigit() or (slash and not _SUBDOMAIN.match(subdomain)):
            raise ValueError(f"cell key {key!r} is invalid: expected 'domain:bucket' or 'domain/subdomain:bucket'")
        return cls(domain=Domain(domain), bucket=int(bucket), subdomain=subdomain or None)


class ClassifierResult(BaseModel):
    """What the complexity classifier found in one query."""

    score: float = Field(ge=0.0, le=1.0, description="overall complexity score")
    reasoning_depth: float = Field(ge=0.0, le=1.0)
    domain_specificity: float = Field(ge=0.0, le=1.0)
    output_sensitivity: float = Field(ge=0.0, le=1.0)
    domain: Domain
    domain_confidence: float = Field(ge=0.0, le=1.0)
    subdomain: str | None = Field(
        default=None, pattern=SUBDOMAIN_PATTERN, description="subject the request draws on most, e.g. 'physics'"
    )
    high_stakes: bool = False
    high_stakes_term: str | None = None
    language: str = Field(description="ISO 639-1 code of the detected language, or 'und'")
    input_tokens: int = Field(ge=0, description="estimated input tokens of the whole request")
    features: list[str] = Field(default_factory=list, description="signals that fired")
    no_signal: bool = Field(default=False, description="no recognised signal in the text")
    ignored_parts: int = Field(default=0, ge=0, description="non-text content parts skipped")
    analysed_chars: int = Field(default=0, ge=0, description="characters the classifier read")
    truncated: bool = Field(default=False, description="input longer than the analysed window")
    latency_ms: float = Field(default=0.0, ge=0.0)


class RoutingDecision(BaseModel):
    """The router's answer for one query: tier, model, cost estimate and why."""

    decision_id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    classification: ClassifierResult
    selected_tier: Tier
    selected_model: str
    provider: str = "anthropic"
    catalog_profile: str = "current"
    estimated_input_tokens: int = Field(ge=0)
    estimated_output_tokens: int = Field(ge=0)
    estimated_cost_usd: float = Field(ge=0.0)
    baseline_cost_usd: float = Field(ge=0.0, description="the same request on Tier 3")
    estimated_savings_usd: float
    reasoning: str
    routing_table_version: int = Field(ge=0)
    cell: Cell
    explored: bool = Field(default=False, description="sent one tier below the cell's minimum")
    query_terms: list[str] = Field(
        default_factory=list, description="hashed content words for the keyword-overlap signal"
    )
    prompt: str | None = Field(default=None, description="prompt text, kept only by setting")
    # Filled by the execute path once the model has answered.
    actual_cost_usd: float | None = None
    actual_input_tokens: int | None = None
    actual_output_tokens: int | None = None
    fallback_from_tier: Tier | None = None
    fallback_reason: str | None = None
    status: str = Field(default="routed", description="routed, completed, failed or interrupted")
    actual_cache_write_5m_tokens: int | None = None
    actual_cache_write_1h_tokens: int | None = None
    actual_cache_read_tokens: int | None = None
    latency_ms: float | None = Field(default=None, ge=0.0, description="execution wall time, retries included")
    stop_reason: str | None = Field(default=None, description="the provider's stop reason of the answer")
    attempts: int | None = Field(default=None, ge=0, description="provider calls made, fallback included")
    provider_request_id: str | None = Field(default=None, description="the provider's id of the answering call")
    error_kind: str | None = Field(default=None, description="why execution failed: timeout, overloaded, ...")

    @property
    def domain(self) -> Domain:
        return self.classification.domain

    @property
    def score(self) -> float:
        return self.classification.score
