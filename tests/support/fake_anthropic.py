"""A fake Anthropic Messages API behind `httpx2.MockTransport`, for the SDK's `http_client`.

Replies are queued per model id (or for any model) and consumed in order;
when a queue is empty the fake replies with `default`, a plain success unless
a test replaces it. Every request is recorded, so a test can assert how many
calls reached "the network". The handler may run on several threads at once;
each reply is popped atomically by `deque.popleft`.
"""

from __future__ import annotations

import json
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx2

Reply = Callable[[httpx2.Request, dict[str, Any]], httpx2.Response]

TEST_API_KEY = "sk-ant-test-0123456789abcdef"


def usage_body(
    input_tokens: int = 20,
    output_tokens: int = 30,
    cache_read: int = 0,
    cache_write_5m: int = 0,
    cache_write_1h: int = 0,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "cache_read_input_tokens": cache_read,
        "cache_creation_input_tokens": cache_write_5m + cache_write_1h,
    }
    if cache_write_5m or cache_write_1h:
        body["cache_creation"] = {
            "ephemeral_5m_input_tokens": cache_write_5m,
            "ephemeral_1h_input_tokens": cache_write_1h,
        }
    return body


def message(text: str = "Paris is the capital of France.", stop_reason: str = "end_turn", **usage: int) -> Reply:
    """Reply with a complete Messages API response."""

    def reply(request: httpx2.Request, body: dict[str, Any]) -> httpx2.Response:
        content = [{"type": "text", "text": text}] if text else []
        payload = {
            "id": "msg_test",
            "type": "message",
            "role": "assistant",
            "model": body["model"],
            "content": content,
            "stop_reason": stop_reason,
            "stop_sequence": None,
            "usage": usage_body(**usage),
        }
        return httpx2.Response(200, json=payload, headers={"request-id": "req_test_ok"})

    return reply


def streamed(
    chunks: list[str],
    stop_reason: str = "end_turn",
    error_after: int | None = None,
    cut_after: int | None = None,
    **usage: int,
) -> Reply:
    """Reply with server-sent events in the Messages streaming format.

    `error_after` sends an `overloaded_error` event after that many text deltas,
    and `cut_after` ends the body there, before message_delta and message_stop.
    """

    def reply(request: httpx2.Request, body: dict[str, Any]) -> httpx2.Response:
        counts = usage_body(**usage)
        start_usage = {**counts, "output_tokens": 1}
        events: list[tuple[str, dict[str, Any]]] = [
            (
                "message_start",
                {
                    "type": "message_start",
                    "message": {
                        "id": "msg_stream",
                        "type": "message",
                        "role": "assistant",
                        "model": body["model"],
                        "content": [],
                        "stop_reason": None,
                        "stop_sequence": None,
                        "usage": start_usage,
                    },
                },
            ),
            (
                "content_block_start",
                {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
            ),
            ("ping", {"type": "ping"}),
        ]
        for number, chunk in enumerate(chunks):
            if cut_after is not None and number == cut_after:
                break
            if error_after is not None and number == error_after:
                events.append(
                    ("error", {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
                )
                break
            delta = {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": chunk}}
            events.append(("content_block_delta", delta))
        if cut_after is None and (error_after is None or error_after >= len(chunks)):
            events += [
                ("content_block_stop", {"type": "content_block_stop", "index": 0}),
                (
                    "message_delta",
                    {
                        "type": "message_delta",
                        "delta": {"stop_reason": stop_reason, "stop_sequence": None},
                        "usage": {"output_tokens": counts["output_tokens"]},
                    },
                ),
                ("message_stop", {"type": "message_stop"}),
            ]
        text = "".join(f"event: {name}\ndata: {json.dumps(data)}\n\n" for name, data in events)
        return httpx2.Response(
            200, content=text.encode(), headers={"content-type": "text/event-stream", "request-id": "req_test_stream"}
        )

    return reply


def error(status: int, error_type: str, message_text: str = "failure", headers: dict[str, str] | None = None) -> Reply:
    """Reply with an Anthropic error body and status."""

    def reply(request: httpx2.Request, body: dict[str, Any]) -> httpx2.Response:
        payload = {"type": "error", "error": {"type": error_type, "message": message_text}}
        return httpx2.Response(status, json=payload, headers={"request-id": "req_test_error", **(headers or {})})

    return reply


def raising(exception: type[Exception]) -> Reply:
    """Raise an httpx2 transport exception such as `httpx2.ReadTimeout`."""

    def reply(request: httpx2.Request, body: dict[str, Any]) -> httpx2.Response:
        raise exception("simulated", request=request)

    return reply


@dataclass
class RecordedRequest:
    model: str
    stream: bool
    url: str
    headers: dict[str, str]
    timeout: dict[str, Any]
    body: dict[str, Any]


@dataclass
class FakeAnthropicApi:
    """The fake API; `client()` returns an `httpx2.Client` to pass as the SDK's `http_client`."""

    queues: dict[str | None, deque[Reply]] = field(default_factory=lambda: defaultdict(deque))
    requests: list[RecordedRequest] = field(default_factory=list)
    default: Reply = field(default_factory=message)

    def queue(self, model: str | None, *replies: Reply) -> FakeAnthropicApi:
        """Queue replies for `model`, or for any model when `model` is None."""
        self.queues[model].extend(replies)
        return self

    def handler(self, request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content or b"{}")
        # Bedrock carries the model id in the path, /model/{id}/invoke, not in the body.
        model = body.get("model") or request.url.path.split("/")[2]
        body.setdefault("model", model)
        self.requests.append(
            RecordedRequest(
                model=model,
                stream=bool(body.get("stream")),
                url=str(request.url),
                headers=dict(request.headers),
                timeout=dict(request.extensions.get("timeout", {})),
                body=body,
            )
        )
        for key in (model, None):
            if self.queues.get(key):
                return self.queues[key].popleft()(request, body)
        return self.default(request, body)

    def client(self) -> httpx2.Client:
        return httpx2.Client(transport=httpx2.MockTransport(self.handler))

    def models_called(self) -> list[str]:
        return [request.model for request in self.requests]
