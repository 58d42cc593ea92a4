"""The provider interface: one request in, one answer (or a stream of text) out.

A provider turns a `CompletionRequest` into a call to one model API and
translates the API's errors into `ProviderError`. It never retries: the
executor owns retries and fallback, so it alone decides when to move a tier up.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from router.catalog import ModelEntry
from router.cost import Usage


class CompletionRequest(BaseModel):
    """One call to a model: the provider's model id, the chat, and the limits."""

    model_config = ConfigDict(frozen=True)

    model: str = Field(description="the provider's model id, e.g. claude-haiku-5-5 or a Bedrock model id")
    messages: list[dict[str, Any]] = Field(min_length=1, description="chat messages in the Anthropic shape")
    system: str | None = None
    max_tokens: int = Field(gt=0)
    timeout_s: float = Field(gt=0, description="time limit of this one call, in seconds")


class CompletionResult(BaseModel):
    """A model's answer and what it cost in tokens."""

    text: str
    usage: Usage
    stop_reason: str | None = Field(default=None, description="end_turn, max_tokens, refusal, ...")
    model: str = Field(description="model id the provider reported")
    latency_ms: float = Field(ge=0.0, description="wall time of the call")
    request_id: str | None = Field(default=None, description="the provider's id of the request, for support")


class StreamEvent(BaseModel):
    """One event of a streamed answer: a text delta, or the final result as the last event."""

    text: str = ""
    result: CompletionResult | None = None


class Provider(ABC):
    """A model API. Subclasses are registered by name in `providers.registry`."""

    name: str = "provider"

    @abstractmethod
    def model_id(self, entry: ModelEntry) -> str:
        """Return the id this provider calls `entry` by; raise ConfigurationError if it has none."""

    @abstractmethod
    def complete(self, request: CompletionRequest) -> CompletionResult:
        """Send one request and wait for the whole answer.

        Raises `ProviderError` for every failure of the call, including an
        answer without text (kind `empty_response`).
        """

    @abstractmethod
    def stream(self, request: CompletionRequest) -> Iterator[StreamEvent]:
        """Send one request and yield its text as it arrives, then one event with the result.

        Raises `ProviderError` like `complete`, possibly after some text was yielded.
        """

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections; the default does nothing."""
