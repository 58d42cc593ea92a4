"""Cost accounting from usage and catalog prices."""

from datetime import date

import pytest

from router.catalog import Lifecycle, ModelEntry, PriceBand, Pricing
from router.cost import Usage, estimate_cost, request_cost


def model(*bands: PriceBand) -> ModelEntry:
    return ModelEntry(
        name="test",
        anthropic_id="test-model",
        context_window=1_000_000,
        max_output_tokens=64_000,
        status=Lifecycle.ACTIVE,
        pricing=Pricing(bands=list(bands), source="https://example.test/pricing", checked=date(2026, 12, 4)),
    )


def band(limit, input_price, output_price, read=0.0, write_5m=0.0, write_1h=0.0):
    return PriceBand(
        max_prompt_tokens=limit,
        input=input_price,
        output=output_price,
        cache_read=read,
        cache_write_5m=write_5m,
        cache_write_1h=write_1h,
    )


def test_cache_reads_billed_at_read_price():
    sonnet_like = model(band(None, 3.0, 15.0, read=0.30, write_5m=3.75))
    usage = Usage(input_tokens=1_000, cache_read_tokens=4_000, output_tokens=800)
    assert request_cost(sonnet_like, usage) == pytest.approx(0.0162, abs=1e-12)


def test_thinking_counted_inside_output():
    haiku_like = model(band(None, 1.0, 4.0))
    usage = Usage(input_tokens=40, output_tokens=600)  # 520 of the 600 are thinking tokens
    assert request_cost(haiku_like, usage) == pytest.approx(0.00244, abs=1e-12)


def test_cache_writes_billed_per_duration():
    priced = model(band(None, 1.0, 5.0, write_5m=1.25, write_1h=2.0))
    usage = Usage(cache_write_5m_tokens=1_000_000, cache_write_1h_tokens=1_000_000)
    assert request_cost(priced, usage) == pytest.approx(3.25)


@pytest.fixture
def banded():
    return model(band(100_000, 0.10, 0.50, read=0.01), band(None, 0.50, 2.50, read=0.05))


def test_price_band_below_threshold(banded):
    usage = Usage(input_tokens=60_000, cache_read_tokens=40_000, output_tokens=1_000)
    expected = (60_000 * 0.10 + 40_000 * 0.01 + 1_000 * 0.50) / 1e6
    assert request_cost(banded, usage) == pytest.approx(expected)


def test_price_band_above_threshold_bills_every_token(banded):
    usage = Usage(input_tokens=60_000, cache_read_tokens=40_001, output_tokens=1_000)
    expected = (60_000 * 0.50 + 40_001 * 0.05 + 1_000 * 2.50) / 1e6
    assert request_cost(banded, usage) == pytest.approx(expected)


def test_estimate_has_no_cache():
    assert estimate_cost(model(band(None, 2.0, 10.0)), 1_000, 100) == pytest.approx(0.003)
