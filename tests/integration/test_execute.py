"""The executor end to end: router, fake Anthropic API at the HTTP transport, SQLite store."""

from __future__ import annotations

import logging

import httpx2
import pytest

from providers import keys
from providers.errors import ErrorKind, ExecutionFailedError, MissingApiKeyError
from providers.executor import Executor
from providers.settings import ExecutionSettings
from router.catalog import load_catalog
from router.cost import Usage, request_cost
from router.exceptions import RetiredModelError
from router.models import Tier
from tests.support.execute import TIER_MODELS, FakeClock, make_executor, make_router, open_store
from tests.support.fake_anthropic import TEST_API_KEY, FakeAnthropicApi, error, message, raising, streamed

HAIKU, SONNET, OPUS = TIER_MODELS[1], TIER_MODELS[2], TIER_MODELS[3]


@pytest.fixture
def store(tmp_path):
    opened = open_store(tmp_path)
    yield opened
    opened.close()


def model_entry(model_id: str):
    return load_catalog().models[model_id]


def test_execute_success_stores_outcome_and_quality(store):
    api = FakeAnthropicApi().queue(HAIKU, message("Paris is the capital of France.", input_tokens=40, output_tokens=9))
    executor, _ = make_executor(store, api, tier=1)
    result = executor.execute("What is the capital of France?")

    stored = store.get_decision(result.decision.decision_id)
    expected_cost = request_cost(model_entry(HAIKU), Usage(input_tokens=40, output_tokens=9))
    assert result.text == "Paris is the capital of France."
    assert stored.status == "completed"
    assert stored.selected_model == HAIKU
    assert stored.actual_cost_usd == expected_cost
    assert result.actual_cost_usd == expected_cost
    assert stored.actual_input_tokens == 40
    assert stored.actual_output_tokens == 9
    assert stored.estimated_cost_usd > 0
    assert stored.baseline_cost_usd > stored.estimated_cost_usd
    assert stored.stop_reason == "end_turn"
    assert stored.attempts == 1
    assert stored.provider_request_id == "req_test_ok"
    assert stored.latency_ms is not None


def test_execute_records_auto_quality_sample(store):
    api = FakeAnthropicApi()
    executor, _ = make_executor(store, api)
    result = executor.execute("What is the capital of France?")
    rows = store.get_feedback(result.decision.decision_id)
    assert len(rows) == 1
    assert rows[0].source == "auto"
    assert rows[0].failure is None
    assert rows[0].quality == result.quality
    assert result.quality is not None


def test_execute_prices_cache_tokens(store):
    api = FakeAnthropicApi().queue(
        HAIKU, message(input_tokens=10, output_tokens=5, cache_read=1000, cache_write_5m=200, cache_write_1h=50)
    )
    executor, _ = make_executor(store, api)
    result = executor.execute("Summarise the cached document.")
    usage = Usage(
        input_tokens=10, output_tokens=5, cache_read_tokens=1000, cache_write_5m_tokens=200, cache_write_1h_tokens=50
    )
    stored = store.get_decision(result.decision.decision_id)
    assert result.actual_cost_usd == request_cost(model_entry(HAIKU), usage)
    assert stored.actual_cache_read_tokens == 1000
    assert stored.actual_cache_write_5m_tokens == 200
    assert stored.actual_cache_write_1h_tokens == 50


def test_execute_streams_deltas_to_callback(store):
    api = FakeAnthropicApi().queue(HAIKU, streamed(["Par", "is", " it is."], output_tokens=4))
    executor, _ = make_executor(store, api)
    chunks: list[str] = []
    result = executor.execute("Capital of France?", stream_callback=chunks.append)
    assert chunks == ["Par", "is", " it is."]
    assert result.text == "Paris it is."
    assert result.usage.output_tokens == 4
    assert api.requests[0].stream is True


def test_execute_interrupt_stores_interrupted(store):
    api = FakeAnthropicApi().queue(HAIKU, streamed(["Par", "is"]))
    executor, _ = make_executor(store, api)

    def interrupt(text: str) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        executor.execute("Capital of France?", stream_callback=interrupt)

    (decision,) = store.recent_decisions()
    assert decision.status == "interrupted"
    assert decision.error_kind == "interrupted"
    assert store.get_feedback(decision.decision_id) == []


def test_execute_retries_429_after_retry_after(store):
    api = FakeAnthropicApi().queue(HAIKU, error(429, "rate_limit_error", headers={"retry-after": "2"}), message())
    executor, clock = make_executor(store, api)
    result = executor.execute("Capital of France?")
    assert clock.sleeps == [2.0]
    assert result.attempts == 2
    assert result.fallback_from_tier is None
    assert api.models_called() == [HAIKU, HAIKU]


def test_execute_retries_timeout_then_answers(store):
    api = FakeAnthropicApi().queue(HAIKU, raising(httpx2.ReadTimeout), message("Paris."))
    executor, clock = make_executor(store, api)
    result = executor.execute("Capital of France?")
    assert result.text == "Paris."
    assert len(clock.sleeps) == 1
    assert 0.0 <= clock.sleeps[0] <= 0.5


def test_execute_retries_529_with_growing_backoff(store):
    overloaded = error(529, "overloaded_error")
    api = FakeAnthropicApi().queue(HAIKU, overloaded, overloaded, overloaded, message())
    executor, clock = make_executor(store, api)
    result = executor.execute("Capital of France?")
    assert result.attempts == 4
    assert len(clock.sleeps) == 3
    for retry_number, delay in enumerate(clock.sleeps):
        assert 0.0 <= delay <= 0.5 * 2**retry_number


def test_execute_falls_back_one_tier_after_5xx(store):
    api = FakeAnthropicApi().queue(HAIKU, *[error(500, "api_error")] * 4).queue(SONNET, message(output_tokens=12))
    executor, clock = make_executor(store, api, tier=1)
    result = executor.execute("Capital of France?")

    stored = store.get_decision(result.decision.decision_id)
    assert api.models_called() == [HAIKU] * 4 + [SONNET]
    assert len(clock.sleeps) == 3
    assert stored.fallback_from_tier == Tier.FAST
    assert stored.selected_tier == Tier.BALANCED
    assert stored.selected_model == SONNET
    assert "server_error" in stored.fallback_reason
    assert stored.actual_cost_usd == request_cost(model_entry(SONNET), Usage(input_tokens=20, output_tokens=12))
    assert stored.attempts == 5
    assert result.fallback_from_tier == Tier.FAST


def test_execute_fallback_keeps_routing_estimate(store):
    api = FakeAnthropicApi().queue(HAIKU, *[error(503, "api_error")] * 4)
    executor, _ = make_executor(store, api, tier=1)
    result = executor.execute("Capital of France?")
    stored = store.get_decision(result.decision.decision_id)
    haiku_estimate = request_cost(
        model_entry(HAIKU),
        Usage(input_tokens=stored.estimated_input_tokens, output_tokens=stored.estimated_output_tokens),
    )
    assert stored.estimated_cost_usd == haiku_estimate


def test_execute_falls_back_only_once(store):
    api = FakeAnthropicApi().queue(HAIKU, *[error(500, "api_error")] * 4).queue(SONNET, *[error(500, "api_error")] * 4)
    executor, _ = make_executor(store, api, tier=1)
    with pytest.raises(ExecutionFailedError):
        executor.execute("Capital of France?")
    assert OPUS not in api.models_called()


def test_execute_tier3_exhausted_fails_without_going_down(store):
    api = FakeAnthropicApi().queue(None, *[error(529, "overloaded_error")] * 4)
    executor, _ = make_executor(store, api, tier=3)
    with pytest.raises(ExecutionFailedError) as caught:
        executor.execute("Prove the theorem step by step.")

    stored = store.get_decision(caught.value.decision_id)
    assert api.models_called() == [OPUS] * 4
    assert caught.value.kind is ErrorKind.OVERLOADED
    assert caught.value.decision_id in str(caught.value)
    assert stored.status == "failed"
    assert stored.error_kind == "overloaded"
    assert stored.actual_cost_usd is None
    assert stored.fallback_from_tier is None


def test_execute_failure_is_not_quality_sample(store):
    api = FakeAnthropicApi().queue(None, *[error(529, "overloaded_error")] * 4)
    executor, _ = make_executor(store, api, tier=3)
    with pytest.raises(ExecutionFailedError) as caught:
        executor.execute("Prove the theorem step by step.")
    rows = store.get_feedback(caught.value.decision_id)
    aggregates = {(a.cell, a.tier): a for a in store.cell_aggregates()}
    stored = store.get_decision(caught.value.decision_id)
    aggregate = aggregates[(stored.cell.key, Tier.CAPABLE)]
    assert rows[0].failure == "overloaded"
    assert rows[0].quality is None
    assert aggregate.failures == 1
    assert aggregate.samples == 0


def test_execute_bad_request_neither_retries_nor_falls_back(store):
    api = FakeAnthropicApi().queue(HAIKU, error(400, "invalid_request_error", "prompt is too long"))
    executor, clock = make_executor(store, api, tier=1)
    with pytest.raises(ExecutionFailedError) as caught:
        executor.execute("Capital of France?")
    assert api.models_called() == [HAIKU]
    assert clock.sleeps == []
    assert caught.value.kind is ErrorKind.BAD_REQUEST


def test_execute_long_retry_after_falls_back_at_once(store):
    api = FakeAnthropicApi().queue(HAIKU, error(429, "rate_limit_error", headers={"retry-after": "600"}))
    executor, clock = make_executor(store, api, tier=1)
    result = executor.execute("Capital of France?")
    assert api.models_called() == [HAIKU, SONNET]
    assert clock.sleeps == []
    assert result.fallback_from_tier == Tier.FAST


def test_execute_empty_answer_falls_back_and_bills_both(store):
    api = FakeAnthropicApi().queue(HAIKU, message("", input_tokens=30, output_tokens=0))
    api.queue(SONNET, message("Paris.", input_tokens=30, output_tokens=4))
    executor, _ = make_executor(store, api, tier=1)
    result = executor.execute("Capital of France?")
    expected = request_cost(model_entry(HAIKU), Usage(input_tokens=30)) + request_cost(
        model_entry(SONNET), Usage(input_tokens=30, output_tokens=4)
    )
    assert api.models_called() == [HAIKU, SONNET]
    assert result.actual_cost_usd == pytest.approx(expected, abs=1e-12)
    assert result.usage.input_tokens == 60


def test_execute_stream_failure_after_text_ends_request(store):
    api = FakeAnthropicApi().queue(HAIKU, streamed(["Par", "is"], error_after=1))
    executor, _ = make_executor(store, api, tier=1)
    chunks: list[str] = []
    with pytest.raises(ExecutionFailedError) as caught:
        executor.execute("Capital of France?", stream_callback=chunks.append)
    assert chunks == ["Par"]
    assert api.models_called() == [HAIKU]
    assert caught.value.kind is ErrorKind.OVERLOADED


def test_execute_retired_model_fails_before_any_call(store):
    api = FakeAnthropicApi()
    executor, _ = make_executor(store, api, tier=2, profile="original")
    with pytest.raises(RetiredModelError) as caught:
        executor.execute("Explain the trade-offs of the two designs.")
    assert api.requests == []
    assert store.recent_decisions() == []
    assert "retired" in str(caught.value)


def test_execute_retired_fallback_model_keeps_failure(store):
    api = FakeAnthropicApi().queue(None, *[error(500, "api_error")] * 4)
    executor, _ = make_executor(store, api, tier=1, profile="original")
    with pytest.raises(ExecutionFailedError) as caught:
        executor.execute("Capital of France?")
    assert api.models_called() == ["claude-haiku-4-5-20251001"] * 4
    assert caught.value.kind is ErrorKind.SERVER_ERROR


def test_execute_missing_key_fails_before_storing(store, tmp_path, monkeypatch):
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_SECRET_NAME", "ANTHROPIC_KEY_PARAMETER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(keys, "REPO_ROOT", tmp_path)
    executor = Executor(make_router(1), store, settings=ExecutionSettings())
    with pytest.raises(MissingApiKeyError) as caught:
        executor.execute("Capital of France?")
    assert "ANTHROPIC_API_KEY" in str(caught.value)
    assert ".env.example" in str(caught.value)
    assert store.recent_decisions() == []


def test_execute_never_logs_key(store, caplog):
    caplog.set_level(logging.DEBUG)
    api = FakeAnthropicApi().queue(HAIKU, message())
    api.queue(SONNET, error(401, "authentication_error", f"bad key {TEST_API_KEY}"))
    executor, _ = make_executor(store, api, tier=1)
    answered = executor.execute("Capital of France?")
    failing, _ = make_executor(store, api, tier=2)
    with pytest.raises(ExecutionFailedError) as caught:
        failing.execute("Explain the trade-offs of the two designs.")
    stored = [store.get_decision(answered.decision.decision_id), store.get_decision(caught.value.decision_id)]
    assert caplog.records
    assert TEST_API_KEY not in caplog.text
    assert TEST_API_KEY not in str(caught.value)
    assert all(TEST_API_KEY not in decision.model_dump_json() for decision in stored)


def test_execute_never_logs_prompt_or_answer(store, caplog):
    caplog.set_level(logging.DEBUG)
    api = FakeAnthropicApi().queue(HAIKU, message("The answer is Zanzibar-7431."))
    executor, _ = make_executor(store, api)
    executor.execute("Where is Quetzalcoatl-9182 hidden?")
    assert "Quetzalcoatl-9182" not in caplog.text
    assert "Zanzibar-7431" not in caplog.text


def test_execute_deadline_stops_retries(store):
    api = FakeAnthropicApi().queue(None, *[error(529, "overloaded_error", headers={"retry-after": "5"})] * 4)
    clock = FakeClock()
    executor, _ = make_executor(store, api, tier=1, clock=clock)
    with pytest.raises(ExecutionFailedError) as caught:
        executor.execute("Capital of France?", deadline_s=8.0)
    rows = store.get_feedback(caught.value.decision_id)
    assert caught.value.deadline_exceeded is True
    assert caught.value.kind is ErrorKind.TIMEOUT
    assert clock.sleeps == [5.0]
    assert api.models_called() == [HAIKU, HAIKU]
    assert rows[0].failure == "timeout"


def test_execute_deadline_caps_call_timeout(store):
    api = FakeAnthropicApi()
    executor, _ = make_executor(store, api, settings=ExecutionSettings(request_timeout_s=60.0))
    executor.execute("Capital of France?", deadline_s=10.0)
    assert api.requests[0].timeout["read"] == 10.0


def test_execute_timeout_at_deadline_is_deadline_failure(store):
    clock = FakeClock()

    def slow_timeout(request, body):
        clock.now += 9.5
        raise httpx2.ReadTimeout("simulated", request=request)

    api = FakeAnthropicApi().queue(HAIKU, slow_timeout)
    executor, _ = make_executor(store, api, tier=1, clock=clock)
    with pytest.raises(ExecutionFailedError) as caught:
        executor.execute("Capital of France?", deadline_s=10.0)
    assert caught.value.deadline_exceeded is True
    assert api.models_called() == [HAIKU]
    assert clock.sleeps == []
