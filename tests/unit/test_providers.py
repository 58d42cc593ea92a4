"""Providers, keys, retry policy and error translation, against a fake Anthropic API at the HTTP transport."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import httpx2
import pytest
from pydantic import SecretStr

from providers import keys
from providers.anthropic_api import AnthropicProvider
from providers.base import CompletionRequest, Provider
from providers.bedrock import BedrockProvider
from providers.errors import ErrorKind, MissingApiKeyError, ProviderError, parse_retry_after
from providers.messages import to_messages_request
from providers.registry import create_provider, provider_class, register_provider
from providers.retry import RetryPolicy
from router.catalog import load_catalog
from router.exceptions import ConfigurationError, InvalidQueryError
from tests.support.fake_anthropic import TEST_API_KEY, FakeAnthropicApi, error, message, raising, streamed

REPO_ROOT = Path(__file__).resolve().parents[2]


def make_request(model: str = "claude-haiku-5-5", timeout_s: float = 30.0) -> CompletionRequest:
    return CompletionRequest(
        model=model, messages=[{"role": "user", "content": "capital of France?"}], max_tokens=256, timeout_s=timeout_s
    )


def make_provider(api: FakeAnthropicApi) -> AnthropicProvider:
    return AnthropicProvider(api_key=TEST_API_KEY, http_client=api.client())


# Anthropic provider


def test_complete_returns_text_usage_and_stop_reason():
    api = FakeAnthropicApi().queue(None, message("Paris.", input_tokens=11, output_tokens=3, cache_read=5))
    result = make_provider(api).complete(make_request())
    assert result.text == "Paris."
    assert result.usage.input_tokens == 11
    assert result.usage.output_tokens == 3
    assert result.usage.cache_read_tokens == 5
    assert result.stop_reason == "end_turn"
    assert result.request_id == "req_test_ok"
    assert result.model == "claude-haiku-5-5"


def test_complete_splits_cache_writes_by_lifetime():
    api = FakeAnthropicApi().queue(None, message(cache_write_5m=100, cache_write_1h=40))
    usage = make_provider(api).complete(make_request()).usage
    assert usage.cache_write_5m_tokens == 100
    assert usage.cache_write_1h_tokens == 40


def test_complete_sends_model_and_timeout():
    api = FakeAnthropicApi()
    make_provider(api).complete(make_request(model="claude-opus-5-5", timeout_s=12.5))
    sent = api.requests[0]
    assert sent.model == "claude-opus-5-5"
    assert sent.url == "https://api.anthropic.com/v1/messages"
    assert sent.timeout["read"] == 12.5
    assert sent.timeout["connect"] == 5.0


def test_complete_sends_system_separately():
    api = FakeAnthropicApi()
    request = make_request().model_copy(update={"system": "Answer briefly."})
    make_provider(api).complete(request)
    assert api.requests[0].body["system"] == "Answer briefly."


def test_stream_yields_deltas_then_result():
    api = FakeAnthropicApi().queue(
        None, streamed(["Par", "is", "."], input_tokens=9, output_tokens=4, cache_read=2, cache_write_1h=6)
    )
    events = list(make_provider(api).stream(make_request()))
    assert [event.text for event in events[:-1]] == ["Par", "is", "."]
    result = events[-1].result
    assert result is not None
    assert result.text == "Paris."
    assert result.usage.output_tokens == 4
    assert result.usage.cache_read_tokens == 2
    assert result.usage.cache_write_1h_tokens == 6
    assert result.stop_reason == "end_turn"
    assert api.requests[0].stream is True


def test_stream_error_event_is_overloaded():
    api = FakeAnthropicApi().queue(None, streamed(["Par", "is"], error_after=1))
    events = []
    with pytest.raises(ProviderError) as caught:
        for event in make_provider(api).stream(make_request()):
            events.append(event)
    assert [event.text for event in events] == ["Par"]
    assert caught.value.kind is ErrorKind.OVERLOADED
    assert caught.value.status_code == 529


def test_stream_cut_before_stop_fails():
    api = FakeAnthropicApi().queue(None, streamed(["Par", "is", "."], cut_after=1))
    events = []
    with pytest.raises(ProviderError) as caught:
        for event in make_provider(api).stream(make_request()):
            events.append(event)
    assert [event.text for event in events] == ["Par"]
    assert caught.value.kind is ErrorKind.CONNECTION
    assert "ended before the answer was complete" in str(caught.value)


def test_unpaired_surrogate_replaced():
    def reply(request, body):
        payload = {
            "id": "msg_test",
            "type": "message",
            "role": "assistant",
            "model": body["model"],
            "content": [{"type": "text", "text": "broken \ud83d end"}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": 5, "output_tokens": 3},
        }
        # json.dumps escapes the lone surrogate as \ud83d, which is valid JSON.
        return httpx2.Response(200, content=json.dumps(payload).encode("ascii"))

    api = FakeAnthropicApi().queue(None, reply)
    assert make_provider(api).complete(make_request()).text == "broken \ufffd end"


def test_stream_unpaired_surrogate_replaced():
    api = FakeAnthropicApi().queue(None, streamed(["broken \ud83d", " end"]))
    events = list(make_provider(api).stream(make_request()))
    assert events[0].text == "broken \ufffd"
    assert events[-1].result.text == "broken \ufffd end"


def test_stream_answered_without_events():
    api = FakeAnthropicApi().queue(None, message("Paris."))
    with pytest.raises(ProviderError) as caught:
        list(make_provider(api).stream(make_request()))
    assert caught.value.kind is ErrorKind.EMPTY_RESPONSE
    assert "sent no message events in its stream" in str(caught.value)
    assert caught.value.request_id == "req_test_ok"


@pytest.mark.parametrize(
    ("status", "error_type", "kind"),
    [
        (429, "rate_limit_error", ErrorKind.RATE_LIMITED),
        (529, "overloaded_error", ErrorKind.OVERLOADED),
        (500, "api_error", ErrorKind.SERVER_ERROR),
        (503, "api_error", ErrorKind.SERVER_ERROR),
        (504, "timeout_error", ErrorKind.TIMEOUT),
        (401, "authentication_error", ErrorKind.AUTH),
        (403, "permission_error", ErrorKind.AUTH),
        (400, "invalid_request_error", ErrorKind.BAD_REQUEST),
        (404, "not_found_error", ErrorKind.BAD_REQUEST),
    ],
)
def test_complete_maps_status_to_kind(status, error_type, kind):
    api = FakeAnthropicApi().queue(None, error(status, error_type))
    with pytest.raises(ProviderError) as caught:
        make_provider(api).complete(make_request())
    assert caught.value.kind is kind
    assert caught.value.status_code == status
    assert caught.value.request_id == "req_test_error"


def test_complete_makes_one_request_per_call():
    # The SDK's own retries are off: the executor retries.
    api = FakeAnthropicApi().queue(None, error(529, "overloaded_error"), error(529, "overloaded_error"))
    with pytest.raises(ProviderError):
        make_provider(api).complete(make_request())
    assert len(api.requests) == 1


def test_complete_reads_retry_after():
    api = FakeAnthropicApi().queue(None, error(429, "rate_limit_error", headers={"retry-after": "7"}))
    with pytest.raises(ProviderError) as caught:
        make_provider(api).complete(make_request())
    assert caught.value.retry_after == 7.0


@pytest.mark.parametrize("exception", [httpx2.ReadTimeout, httpx2.ConnectTimeout])
def test_complete_timeout_is_timeout(exception):
    api = FakeAnthropicApi().queue(None, raising(exception))
    with pytest.raises(ProviderError) as caught:
        make_provider(api).complete(make_request())
    assert caught.value.kind is ErrorKind.TIMEOUT


def test_complete_connection_error_is_connection():
    api = FakeAnthropicApi().queue(None, raising(httpx2.ConnectError))
    with pytest.raises(ProviderError) as caught:
        make_provider(api).complete(make_request())
    assert caught.value.kind is ErrorKind.CONNECTION


def test_complete_empty_text_is_empty_response():
    api = FakeAnthropicApi().queue(None, message("", input_tokens=15, output_tokens=0))
    with pytest.raises(ProviderError) as caught:
        make_provider(api).complete(make_request())
    assert caught.value.kind is ErrorKind.EMPTY_RESPONSE
    assert caught.value.usage.input_tokens == 15


def test_failure_signals_of_kinds():
    overloaded = ProviderError(ErrorKind.OVERLOADED, "x", status_code=529)
    timed_out = ProviderError(ErrorKind.TIMEOUT, "x")
    assert overloaded.failure_signals() == {"error": "overloaded", "status_code": 529}
    assert timed_out.failure_signals() == {"error": "timeout", "timed_out": True}


# The API key


def test_provider_repr_hides_key():
    provider = AnthropicProvider(api_key=TEST_API_KEY, http_client=FakeAnthropicApi().client())
    assert TEST_API_KEY not in repr(provider)
    assert TEST_API_KEY not in str(provider.__dict__)


def test_provider_sends_key_header():
    api = FakeAnthropicApi()
    make_provider(api).complete(make_request())
    assert TEST_API_KEY in api.requests[0].headers["authorization"]


def test_auth_error_text_redacts_key():
    # A hostile or buggy upstream echoing the key must not put it into our error text.
    api = FakeAnthropicApi().queue(None, error(401, "authentication_error", f"invalid key {TEST_API_KEY}"))
    with pytest.raises(ProviderError) as caught:
        make_provider(api).complete(make_request())
    assert TEST_API_KEY not in str(caught.value)
    assert "[redacted]" in str(caught.value)


def test_provider_rereads_rotated_key(monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-old-key")
    api = FakeAnthropicApi()
    provider = AnthropicProvider(http_client=api.client(), key_cache_s=0)
    provider.complete(make_request())
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-new-key")
    provider.complete(make_request())
    assert "sk-old-key" in api.requests[0].headers["authorization"]
    assert "sk-new-key" in api.requests[1].headers["authorization"]


def test_key_from_environment():
    key = keys.resolve_api_key(environ={"ANTHROPIC_API_KEY": " sk-env "}, search_dirs=[])
    assert isinstance(key, SecretStr)
    assert key.get_secret_value() == "sk-env"
    assert "sk-env" not in repr(key)


def test_key_from_dotenv(tmp_path):
    (tmp_path / ".env").write_text(
        '# comment\nOTHER=1\nexport ANTHROPIC_API_KEY="sk-from-file"  \nLLM_ROUTER_STORE=sqlite\n', encoding="utf-8"
    )
    key = keys.resolve_api_key(environ={}, search_dirs=[tmp_path])
    assert key.get_secret_value() == "sk-from-file"


def test_key_empty_in_dotenv_is_missing(tmp_path):
    (tmp_path / ".env").write_text("ANTHROPIC_API_KEY=\n", encoding="utf-8")
    with pytest.raises(MissingApiKeyError):
        keys.resolve_api_key(environ={}, search_dirs=[tmp_path])


def test_missing_key_names_variable_and_example(tmp_path):
    with pytest.raises(MissingApiKeyError) as caught:
        keys.resolve_api_key(environ={}, search_dirs=[tmp_path])
    assert "ANTHROPIC_API_KEY" in str(caught.value)
    assert ".env.example" in str(caught.value)
    assert str(tmp_path / ".env") in str(caught.value)


@pytest.mark.parametrize(
    ("line", "value"),
    [
        ("KEY=plain", "plain"),
        ("KEY='single quoted # kept'", "single quoted # kept"),
        ('KEY="double"', "double"),
        ("KEY=value # comment", "value"),
        ("export KEY=exported", "exported"),
        ("  KEY = spaced  ", "spaced"),
    ],
)
def test_read_env_file_forms(tmp_path, line, value):
    path = tmp_path / ".env"
    path.write_text(line + "\n", encoding="utf-8")
    assert keys.read_env_file(path)["KEY"] == value


def test_key_from_secrets_manager_json():
    calls = []

    def fake_secret(name, max_age):
        calls.append((name, max_age))
        return '{"ANTHROPIC_API_KEY": "sk-from-secret"}'

    key = keys.resolve_api_key(
        environ={"ANTHROPIC_SECRET_NAME": "llm-router/anthropic"}, secret_getter=fake_secret, cache_seconds=120
    )
    assert key.get_secret_value() == "sk-from-secret"
    assert calls == [("llm-router/anthropic", 120)]


def test_key_from_ssm_parameter():
    key = keys.resolve_api_key(
        environ={"ANTHROPIC_KEY_PARAMETER": "/llm-router/key"}, parameter_getter=lambda name, age: "sk-param\n"
    )
    assert key.get_secret_value() == "sk-param"


def test_secret_read_failure_names_secret_not_value():
    def failing(name, max_age):
        raise RuntimeError("AccessDeniedException for sk-should-not-appear")

    with pytest.raises(ConfigurationError) as caught:
        keys.resolve_api_key(environ={"ANTHROPIC_SECRET_NAME": "llm-router/anthropic"}, secret_getter=failing)
    assert "llm-router/anthropic" in str(caught.value)
    assert "sk-should-not-appear" not in str(caught.value)


def test_secret_without_key_field_is_invalid():
    with pytest.raises(ConfigurationError) as caught:
        keys.resolve_api_key(environ={"ANTHROPIC_SECRET_NAME": "s"}, secret_getter=lambda name, age: '{"other": 1}')
    assert "ANTHROPIC_API_KEY" in str(caught.value)


# Bedrock


def test_bedrock_model_id_from_catalog():
    entry = load_catalog().models["claude-haiku-5-5"]
    assert BedrockProvider(region="us-east-1").model_id(entry) == "anthropic.claude-haiku-5-5"


def test_bedrock_model_without_id_fails():
    entry = load_catalog().models["claude-haiku-5-5"].model_copy(update={"bedrock_id": None})
    with pytest.raises(ConfigurationError) as caught:
        BedrockProvider(region="us-east-1").model_id(entry)
    assert "bedrock_id" in str(caught.value)


def test_bedrock_complete_signs_and_invokes(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_BEARER_TOKEN_BEDROCK", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    api = FakeAnthropicApi()
    provider = BedrockProvider(region="eu-west-1", http_client=api.client())
    result = provider.complete(make_request(model="anthropic.claude-haiku-5-5"))
    sent = api.requests[0]
    assert result.text == "Paris is the capital of France."
    assert sent.url == "https://bedrock-runtime.eu-west-1.amazonaws.com/model/anthropic.claude-haiku-5-5/invoke"
    assert sent.headers["authorization"].startswith("AWS4-HMAC-SHA256")
    assert "anthropic_version" in sent.body


def test_bedrock_repr_names_region():
    assert repr(BedrockProvider(region="us-west-2")) == "BedrockProvider(region='us-west-2', base_url=None)"


# Registry


def test_registry_builds_anthropic_provider():
    provider = create_provider("anthropic", api_key="sk-x", http_client=FakeAnthropicApi().client())
    assert isinstance(provider, AnthropicProvider)


def test_registry_unknown_name_lists_allowed():
    with pytest.raises(ConfigurationError) as caught:
        provider_class("openai-not-installed")
    assert "anthropic" in str(caught.value)
    assert "bedrock" in str(caught.value)


def test_registry_accepts_new_provider():
    class EchoProvider(Provider):
        name = "echo"

        def model_id(self, entry):
            return entry.anthropic_id

        def complete(self, request):
            raise NotImplementedError

        def stream(self, request):
            raise NotImplementedError

    register_provider("echo-test", EchoProvider)
    assert provider_class("echo-test") is EchoProvider


# Retry policy and retry-after


def test_backoff_stays_within_full_jitter_bounds():
    policy = RetryPolicy(max_retries=5, base_delay_s=0.5, max_delay_s=4.0)
    rng = random.Random(7)
    for retry_number, ceiling in [(0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0), (4, 4.0)]:
        delays = [policy.delay(retry_number, None, rng) for _ in range(200)]
        assert min(delays) >= 0.0
        assert max(delays) <= ceiling
        assert max(delays) > ceiling * 0.8


def test_backoff_honours_retry_after():
    assert RetryPolicy(max_delay_s=20.0).delay(0, 3.0, random.Random(1)) == 3.0


def test_backoff_gives_up_on_long_retry_after():
    assert RetryPolicy(max_delay_s=20.0).delay(0, 120.0, random.Random(1)) is None


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"retry-after": "12"}, 12.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after": "-3"}, 0.0),
        ({"retry-after": "soon"}, None),
        ({}, None),
    ],
)
def test_parse_retry_after_forms(headers, seconds):
    assert parse_retry_after(httpx2.Headers(headers)) == seconds


def test_parse_retry_after_http_date():
    now = datetime(2026, 12, 4, 12, 0, 0, tzinfo=UTC)
    header = format_datetime(now + timedelta(seconds=30), usegmt=True)
    assert parse_retry_after(httpx2.Headers({"retry-after": header}), now=now.timestamp()) == 30.0


# Messages conversion


def test_messages_from_string_and_system():
    messages, system = to_messages_request("hello", system="be brief")
    assert messages == [{"role": "user", "content": "hello"}]
    assert system == "be brief"


def test_messages_move_system_role_out_of_chat():
    chat = [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": [{"type": "input_text", "text": "Hi"}]},
        {"role": "assistant", "content": "Hello."},
        {"role": "user", "content": "Capital of France?"},
    ]
    messages, system = to_messages_request({"messages": chat, "system": "Top rule."})
    assert system == "Top rule.\n\nYou are terse."
    assert [message["role"] for message in messages] == ["user", "assistant", "user"]
    assert messages[0]["content"] == [{"type": "text", "text": "Hi"}]


def test_messages_reject_tool_role():
    with pytest.raises(InvalidQueryError) as caught:
        to_messages_request([{"role": "user", "content": "x"}, {"role": "tool", "content": "42"}])
    assert caught.value.field == "messages[1].role"


# Import cost of the routing path

SDK_MODULES = "print(sorted(name for name in sys.modules if name == 'anthropic' or name.startswith('anthropic.')))\n"


def run_python(code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "import sys; sys.path[:0] = ['layers/core', '.']\n" + code + SDK_MODULES],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


def test_routing_path_never_imports_sdk():
    completed = run_python(
        "import router.engine, providers.executor, providers.registry, providers.anthropic_api\n"
        "import providers.bedrock, api.complete\n"
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "[]"


def test_route_handler_never_imports_sdk(tmp_path):
    env = {
        **os.environ,
        "LLM_ROUTER_DB_PATH": str(tmp_path / "router.db"),
        "POWERTOOLS_TRACE_DISABLED": "true",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    completed = run_python(
        "import importlib.util\n"
        "spec = importlib.util.spec_from_file_location('route_app', 'functions/route/app.py')\n"
        "module = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(module)\n",
        env=env,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "[]"
