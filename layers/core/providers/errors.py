"""Errors of the providers and the executor; each message names what failed and what to do next.

Provider SDK errors are translated once, at the provider boundary, into
`ProviderError` with a `kind` the executor's retry and fallback rules read.
No message built here contains an API key: `redact` removes it from any text
that comes from outside.
"""

from __future__ import annotations

import email.utils
import time
from enum import StrEnum

from router.exceptions import ConfigurationError, RouterError


class ErrorKind(StrEnum):
    """Kind of provider failure; the retry and fallback rules branch on it."""

    TIMEOUT = "timeout"
    RATE_LIMITED = "rate_limited"
    OVERLOADED = "overloaded"
    SERVER_ERROR = "server_error"
    CONNECTION = "connection"
    EMPTY_RESPONSE = "empty_response"
    AUTH = "auth"
    BAD_REQUEST = "bad_request"

    @property
    def retryable(self) -> bool:
        """True for transient failures that a retry on the same model may cure."""
        return self in RETRYABLE_KINDS


RETRYABLE_KINDS = frozenset(
    {ErrorKind.TIMEOUT, ErrorKind.RATE_LIMITED, ErrorKind.OVERLOADED, ErrorKind.SERVER_ERROR, ErrorKind.CONNECTION}
)

# An empty answer is billed and would likely repeat on the same model, so it is
# not retried there, but the next tier up may well answer.
FALLBACK_KINDS = RETRYABLE_KINDS | {ErrorKind.EMPTY_RESPONSE}


class ProviderError(RouterError):
    """A provider call failed with `kind`; `status_code` is the HTTP status if one arrived.

    `retry_after` is the wait in seconds the provider requested, if any. `usage`
    contains the billed tokens of a call that returned but was unusable (an
    empty answer), and is None when nothing was billed.
    """

    def __init__(
        self,
        kind: ErrorKind,
        message: str,
        *,
        status_code: int | None = None,
        retry_after: float | None = None,
        request_id: str | None = None,
        usage: object | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.status_code = status_code
        self.retry_after = retry_after
        self.request_id = request_id
        self.usage = usage

    def failure_signals(self) -> dict[str, object]:
        """Return the failure facts `FeedbackStore.record_feedback` takes as `signals`."""
        signals: dict[str, object] = {"error": self.kind.value}
        if self.kind is ErrorKind.TIMEOUT:
            signals["timed_out"] = True
        if self.status_code is not None and self.status_code >= 400:
            signals["status_code"] = self.status_code
        return signals


class ExecutionStoppedError(Exception):
    """The caller stopped the calls of an execution, so no answer came; a provider may raise it instead of calling.

    The executor stores the decision as interrupted, as after Ctrl-C.
    """


class MissingApiKeyError(ConfigurationError):
    """No Anthropic API key was found in any configured source."""

    def __init__(self, searched: list[str]) -> None:
        super().__init__(
            "Anthropic API key not found: set ANTHROPIC_API_KEY in the environment or in a .env file "
            "(copy .env.example to .env and fill it in); in Lambda set ANTHROPIC_SECRET_NAME or "
            f"ANTHROPIC_KEY_PARAMETER. Searched: {', '.join(searched)}"
        )
        self.searched = searched


class ExecutionFailedError(RouterError):
    """A routed request got no answer after its retries and its fallback; the decision is stored as failed.

    `deadline_exceeded` is True when the caller's time budget ran out before
    an answer arrived, as opposed to the provider failing every attempt.
    `tier` and `model` name the last tier and model tried.
    """

    def __init__(
        self,
        message: str,
        *,
        decision_id: str,
        kind: ErrorKind,
        attempts: int,
        status_code: int | None = None,
        deadline_exceeded: bool = False,
        tier: int | None = None,
        model: str | None = None,
    ) -> None:
        super().__init__(message)
        self.decision_id = decision_id
        self.tier = tier
        self.model = model
        self.kind = kind
        self.attempts = attempts
        self.status_code = status_code
        self.deadline_exceeded = deadline_exceeded


def redact(text: str, secret: str | None) -> str:
    """Return `text` with every occurrence of `secret` replaced by a placeholder."""
    if not secret:
        return text
    return text.replace(secret, "[redacted]")


def parse_retry_after(headers: object, now: float | None = None) -> float | None:
    """Return the wait in seconds that the `retry-after-ms` or `retry-after` header requests, or None.

    `retry-after` may be a number of seconds or an HTTP date (RFC 9110, section
    10.2.3); `retry-after-ms` is Anthropic's millisecond variant. A date in the
    past yields 0. `headers` is any mapping with a case-insensitive `get`.
    """
    get = getattr(headers, "get", None)
    if get is None:
        return None
    milliseconds = get("retry-after-ms")
    if milliseconds is not None:
        try:
            return max(float(milliseconds) / 1000.0, 0.0)
        except ValueError:
            pass
    value = get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    current = time.time() if now is None else now
    return max(when.timestamp() - current, 0.0)
