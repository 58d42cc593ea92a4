"""Cost of a request from token counts and catalog prices.

Anthropic's `usage.input_tokens` excludes cache reads and cache writes, which are
billed at their own prices. A model with prompt-length price bands bills every
token of a request, output included, at the band its whole prompt falls in.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from router.catalog import ModelEntry
from router.models import Domain

PER_MILLION = 1_000_000

# Expected output tokens per domain, used before the model has answered. They are
# rough medians of chat answers of each kind; the execute path records the real
# count, so `report` shows how far estimates drift from reality.
EXPECTED_OUTPUT_TOKENS: dict[Domain, int] = {
    Domain.CODING: 600,
    Domain.MATH: 400,
    Domain.SCIENCE: 450,
    Domain.ANALYSIS: 700,
    Domain.MEDICAL: 450,
    Domain.LEGAL: 600,
    Domain.FINANCE: 500,
    Domain.CREATIVE: 600,
    Domain.CONVERSATIONAL: 80,
    Domain.FACTUAL: 150,
    Domain.GENERAL: 300,
}


class Usage(BaseModel):
    """Token counts of one response, in the Anthropic API's terms."""

    input_tokens: int = Field(default=0, ge=0, description="uncached input tokens")
    output_tokens: int = Field(default=0, ge=0, description="output tokens, thinking included")
    cache_write_5m_tokens: int = Field(default=0, ge=0)
    cache_write_1h_tokens: int = Field(default=0, ge=0)
    cache_read_tokens: int = Field(default=0, ge=0)

    @property
    def prompt_tokens(self) -> int:
        return self.input_tokens + self.cache_read_tokens + self.cache_write_5m_tokens + self.cache_write_1h_tokens


def expected_output_tokens(domain: Domain, score: float) -> int:
    """Expected answer length: the domain's median scaled from 0.6x (score 0) to 1.4x (score 1)."""
    return round(EXPECTED_OUTPUT_TOKENS[domain] * (0.6 + 0.8 * score))


def request_cost(model: ModelEntry, usage: Usage) -> float:
    """Return the USD cost of one request billed at the band its prompt length selects."""
    band = model.pricing.band_for(usage.prompt_tokens)
    micro_dollars = (
        usage.input_tokens * band.input
        + usage.output_tokens * band.output
        + usage.cache_write_5m_tokens * band.cache_write_5m
        + usage.cache_write_1h_tokens * band.cache_write_1h
        + usage.cache_read_tokens * band.cache_read
    )
    return round(micro_dollars / PER_MILLION, 10)


def estimate_cost(model: ModelEntry, input_tokens: int, output_tokens: int) -> float:
    """Return the expected USD cost of a request with no prompt caching."""
    return request_cost(model, Usage(input_tokens=input_tokens, output_tokens=output_tokens))
