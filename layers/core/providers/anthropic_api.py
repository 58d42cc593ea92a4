"""The Anthropic Messages API through the official `anthropic` SDK.

The SDK is imported inside the methods, never at module level: importing it
costs about a second, and the routing path (which may import this module's
package) must not pay that. The SDK's own retries are off (`max_retries=0`)
because the executor retries and falls back itself. Every call carries an
explicit timeout.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from typing import Any

from pydantic import SecretStr

from providers.base import CompletionRequest, CompletionResult, Provider, StreamEvent
from providers.errors import ErrorKind, ProviderError, parse_retry_after, redact
from providers.keys import resolve_api_key
from providers.settings import ExecutionSettings
from router.catalog import ModelEntry
from router.cost import Usage

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 5.0

# `error.type` of an Anthropic error body. A stream that fails after it has
# started still has HTTP status 200, so the type is the only clue there.
ERROR_TYPE_KINDS = {
    "overloaded_error": ErrorKind.OVERLOADED,
    "rate_limit_error": ErrorKind.RATE_LIMITED,
    "api_error": ErrorKind.SERVER_ERROR,
    "timeout_error": ErrorKind.TIMEOUT,
    "authentication_error": ErrorKind.AUTH,
    "permission_error": ErrorKind.AUTH,
    "billing_error": ErrorKind.AUTH,
    "invalid_request_error": ErrorKind.BAD_REQUEST,
    "not_found_error": ErrorKind.BAD_REQUEST,
    "request_too_large": ErrorKind.BAD_REQUEST,
}


class AnthropicProvider(Provider):
    """Claude on the Anthropic API.

    `api_key` defaults to `resolve_api_key()`, resolved when the provider is
    built so that a missing key fails before any request is logged or sent.
    A key found that way is read again once `key_cache_s` seconds have passed
    (default LLM_ROUTER_KEY_CACHE_TTL), so a rotated secret is picked up.
    `http_client` takes an `httpx2.Client` (the HTTP library of anthropic 2.x),
    for example one with a `httpx2.MockTransport` in tests.
    """

    name = "anthropic"

    def __init__(
        self,
        *,
        api_key: SecretStr | str | None = None,
        http_client: Any = None,
        base_url: str | None = None,
        key_cache_s: float | None = None,
    ) -> None:
        self._key_cache_s = ExecutionSettings.from_env().key_cache_ttl_s if key_cache_s is None else key_cache_s
        self._key_from_sources = api_key is None
        self._api_key = self._load_key(api_key)
        self._key_loaded_at = time.monotonic()
        self._http_client = http_client
        self._base_url = base_url
        self._client: Any = None
        self._client_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self._base_url!r}, api_key=SecretStr('**********'))"

    def model_id(self, entry: ModelEntry) -> str:
        return entry.anthropic_id

    def _load_key(self, api_key: SecretStr | str | None) -> SecretStr | None:
        if api_key is None:
            return resolve_api_key(cache_seconds=int(self._key_cache_s))
        return api_key if isinstance(api_key, SecretStr) else SecretStr(api_key)

    @property
    def _secret(self) -> str | None:
        return self._api_key.get_secret_value() if self._api_key is not None else None

    def _build_client(self) -> Any:
        from anthropic import Anthropic

        return Anthropic(
            api_key=self._secret,
            base_url=self._base_url,
            http_client=self._http_client,
            max_retries=0,
        )

    def _sdk_client(self) -> Any:
        with self._client_lock:
            self._refresh_key()
            if self._client is None:
                _quiet_sdk_debug_log()
                self._client = self._build_client()
            return self._client

    def _refresh_key(self) -> None:
        if not self._key_from_sources or time.monotonic() - self._key_loaded_at < self._key_cache_s:
            return
        fresh = self._load_key(None)
        self._key_loaded_at = time.monotonic()
        if fresh is None or self._api_key is None or fresh.get_secret_value() == self._api_key.get_secret_value():
            return
        logger.info("Anthropic API key changed: building a new client")
        self._api_key = fresh
        # Calls in flight keep the old client, so it is dropped rather than closed.
        self._client = None

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def complete(self, request: CompletionRequest) -> CompletionResult:
        import anthropic

        client = self._sdk_client()
        started = time.perf_counter()
        try:
            message = client.messages.create(**_call_arguments(request))
        except anthropic.AnthropicError as exc:
            raise translate_error(exc, self.name, request.model, self._secret) from exc
        request_id = getattr(message, "_request_id", None)
        return self._result(message, request, started, request_id)

    def stream(self, request: CompletionRequest) -> Iterator[StreamEvent]:
        import anthropic

        client = self._sdk_client()
        started = time.perf_counter()
        try:
            with client.messages.stream(**_call_arguments(request)) as stream:
                for text in stream.text_stream:
                    yield StreamEvent(text=valid_unicode(text))
                message = _final_message(stream, self.name, request.model)
                request_id = stream.request_id
        except anthropic.AnthropicError as exc:
            raise translate_error(exc, self.name, request.model, self._secret) from exc
        yield StreamEvent(result=self._result(message, request, started, request_id))

    def _result(
        self, message: Any, request: CompletionRequest, started: float, request_id: str | None
    ) -> CompletionResult:
        latency_ms = round((time.perf_counter() - started) * 1000.0, 3)
        usage = usage_from_sdk(message.usage)
        text = valid_unicode("".join(block.text for block in message.content if getattr(block, "type", None) == "text"))
        logger.debug(
            "provider call done",
            extra={
                "provider": self.name,
                "model": request.model,
                "latency_ms": latency_ms,
                "input_tokens": usage.input_tokens,
                "output_tokens": usage.output_tokens,
                "stop_reason": message.stop_reason,
                "request_id": request_id,
            },
        )
        if not text.strip():
            raise ProviderError(
                ErrorKind.EMPTY_RESPONSE,
                f"{self.name} model {request.model} returned no text (stop_reason {message.stop_reason})",
                request_id=request_id,
                usage=usage,
            )
        return CompletionResult(
            text=text,
            usage=usage,
            stop_reason=message.stop_reason,
            model=getattr(message, "model", None) or request.model,
            latency_ms=latency_ms,
            request_id=request_id,
        )


def _call_arguments(request: CompletionRequest) -> dict[str, Any]:
    import httpx2

    arguments: dict[str, Any] = {
        "model": request.model,
        "messages": request.messages,
        "max_tokens": request.max_tokens,
        "timeout": httpx2.Timeout(request.timeout_s, connect=min(CONNECT_TIMEOUT_S, request.timeout_s)),
    }
    if request.system:
        arguments["system"] = request.system
    return arguments


def _quiet_sdk_debug_log() -> None:
    # The SDK logs every request's options, the prompt included, at DEBUG. The
    # CLI's --verbose turns the root logger to DEBUG, and this project never
    # logs prompt text, so the SDK logger stops at INFO unless ANTHROPIC_LOG
    # requests its debug output explicitly.
    sdk_logger = logging.getLogger("anthropic")
    if sdk_logger.level == logging.NOTSET and not os.environ.get("ANTHROPIC_LOG"):
        sdk_logger.setLevel(logging.INFO)


def usage_from_sdk(usage: Any) -> Usage:
    """Convert the SDK's usage object, splitting cache writes into 5-minute and 1-hour tokens.

    Without the `cache_creation` breakdown, every cache write is counted at
    the 5-minute price, the API's default cache lifetime.
    """
    breakdown = getattr(usage, "cache_creation", None)
    if breakdown is not None:
        write_5m = breakdown.ephemeral_5m_input_tokens or 0
        write_1h = breakdown.ephemeral_1h_input_tokens or 0
    else:
        write_5m = getattr(usage, "cache_creation_input_tokens", None) or 0
        write_1h = 0
    return Usage(
        input_tokens=usage.input_tokens or 0,
        output_tokens=usage.output_tokens or 0,
        cache_write_5m_tokens=write_5m,
        cache_write_1h_tokens=write_1h,
        cache_read_tokens=getattr(usage, "cache_read_input_tokens", None) or 0,
    )


def translate_error(exc: Exception, provider: str, model: str, secret: str | None) -> ProviderError:
    """Translate an SDK exception into a `ProviderError` whose text never contains `secret`."""
    import anthropic

    if isinstance(exc, anthropic.APITimeoutError):
        return ProviderError(ErrorKind.TIMEOUT, f"{provider} model {model}: request timed out")
    if isinstance(exc, anthropic.APIConnectionError):
        reason = redact(str(exc), secret)
        return ProviderError(ErrorKind.CONNECTION, f"{provider} model {model}: connection failed: {reason}")
    if not isinstance(exc, anthropic.APIStatusError):
        reason = redact(str(exc), secret)
        return ProviderError(ErrorKind.SERVER_ERROR, f"{provider} model {model}: {type(exc).__name__}: {reason}")

    kind = _status_kind(exc.status_code) or ERROR_TYPE_KINDS.get(str(exc.type), ErrorKind.SERVER_ERROR)
    detail = redact(exc.api_message or exc.type or "no error message", secret)
    status = f"HTTP {exc.status_code}" if exc.status_code >= 400 else f"stream error {exc.type}"
    request_id = f", request id {exc.request_id}" if exc.request_id else ""
    return ProviderError(
        kind,
        f"{provider} model {model}: {kind.value} ({status}{request_id}): {detail}",
        status_code=exc.status_code if exc.status_code >= 400 else _stream_error_status(kind),
        retry_after=parse_retry_after(exc.response.headers),
        request_id=exc.request_id,
    )


def _status_kind(status: int) -> ErrorKind | None:
    if status == 429:
        return ErrorKind.RATE_LIMITED
    if status == 529:
        return ErrorKind.OVERLOADED
    if status in (408, 504):
        return ErrorKind.TIMEOUT
    if status >= 500:
        return ErrorKind.SERVER_ERROR
    if status in (401, 403):
        return ErrorKind.AUTH
    if status >= 400:
        return ErrorKind.BAD_REQUEST
    return None


def _final_message(stream: Any, provider: str, model: str) -> Any:
    """Return the message a finished stream built, or raise ProviderError if it never started or never ended."""
    try:
        message = stream.get_final_message()
    except AssertionError as exc:
        # The SDK asserts when a stream ends before its message_start event, as it
        # does when an endpoint answers a streaming request with a plain JSON body.
        raise ProviderError(
            ErrorKind.EMPTY_RESPONSE,
            f"{provider} model {model} sent no message events in its stream: "
            "check that the API endpoint supports streaming, or request the answer without streaming",
            request_id=stream.request_id,
        ) from exc
    if message.stop_reason is None:
        # message_delta carries the stop reason, so a stream cut before it (a dropped
        # connection that closed cleanly) would otherwise pass for a whole answer.
        raise ProviderError(
            ErrorKind.CONNECTION,
            f"{provider} model {model}: the stream ended before the answer was complete (no stop reason)",
            request_id=stream.request_id,
        )
    return message


def valid_unicode(text: str) -> str:
    """Return `text` with each unpaired surrogate replaced by U+FFFD, so it can be encoded as UTF-8.

    JSON allows escapes such as \\ud83d without their pair, and a model's
    answer that contained one would fail wherever it is printed or written.
    """
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def _stream_error_status(kind: ErrorKind) -> int | None:
    # The status a mid-stream error would have had as a plain response, so that
    # failure records count a streamed overload like any other 529.
    return {ErrorKind.OVERLOADED: 529, ErrorKind.RATE_LIMITED: 429, ErrorKind.SERVER_ERROR: 500}.get(kind)
