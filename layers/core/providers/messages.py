"""Turn the router's input (a string, a chat, or a request dict) into a Messages API request.

The router has already validated the input's shape, so this module only moves
system text out of the chat (the Messages API takes it as a separate field)
and renames the OpenAI text-part types to `text`. Other content parts (images,
documents, tool results) go to the API unchanged; the API rejects what it
does not support with a 400, which the executor reports as a bad request.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from router.exceptions import InvalidQueryError

SYSTEM_ROLES = frozenset({"system", "developer"})
CHAT_ROLES = frozenset({"user", "assistant"})
OPENAI_TEXT_PARTS = frozenset({"input_text", "output_text"})


def to_messages_request(query: object, system: object = None) -> tuple[list[dict[str, Any]], str | None]:
    """Return `(messages, system)` for the Messages API from the router's input.

    Raises InvalidQueryError for roles the Messages API has no place for
    (OpenAI `tool` and `function` messages).
    """
    system_texts = [] if system is None else [_text_of(system)]
    if isinstance(query, str):
        return [{"role": "user", "content": query}], _join(system_texts)
    if isinstance(query, Mapping):
        if query.get("system") is not None:
            system_texts.insert(0, _text_of(query["system"]))
        chat = query.get("messages") or []
    else:
        chat = query if isinstance(query, Sequence) else []
    messages: list[dict[str, Any]] = []
    for index, message in enumerate(chat):
        role = message.get("role")
        content = message.get("content")
        if role in SYSTEM_ROLES:
            system_texts.append(_text_of(content))
        elif role in CHAT_ROLES:
            if content is not None:
                messages.append({"role": role, "content": _content(content)})
        else:
            raise InvalidQueryError(
                f"messages[{index}].role {role!r} cannot be sent to the Messages API: "
                "send tool results as tool_result parts of a user message",
                f"messages[{index}].role",
            )
    return messages, _join(system_texts)


def _content(content: object) -> object:
    if isinstance(content, str) or not isinstance(content, Sequence):
        return content
    parts = []
    for part in content:
        if isinstance(part, str):
            parts.append({"type": "text", "text": part})
        elif isinstance(part, Mapping) and part.get("type") in OPENAI_TEXT_PARTS:
            parts.append({"type": "text", "text": part.get("text", "")})
        else:
            parts.append(part)
    return parts


def _text_of(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Sequence):
        texts = [part.get("text", "") if isinstance(part, Mapping) else str(part) for part in value]
        return "\n\n".join(text for text in texts if text)
    return ""


def _join(texts: list[str]) -> str | None:
    joined = "\n\n".join(text for text in texts if text)
    return joined or None
