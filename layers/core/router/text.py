"""Normalisation of a query into the texts the classifier reads.

A query arrives as a plain string, a list of chat messages, or a request dict
with "messages" and an optional "system". Messages follow the Anthropic and
OpenAI shape: {"role": ..., "content": ...}, where content is a string or a
list of content parts. Text parts are kept; every other part (images, audio,
files, tool calls) is counted in `ignored_parts` and skipped.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from router.exceptions import InvalidQueryError

USER_ROLES = frozenset({"user"})
SYSTEM_ROLES = frozenset({"system", "developer"})
OTHER_ROLES = frozenset({"assistant", "tool", "function"})
KNOWN_ROLES = USER_ROLES | SYSTEM_ROLES | OTHER_ROLES
# Control, format (zero-width and direction marks) and surrogate code points: none of them shows.
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})

# Part types whose "text" field is prose. "input_text" and "output_text" are the
# OpenAI Responses API names for the same thing.
TEXT_PART_TYPES = frozenset({"text", "input_text", "output_text"})


@dataclass(frozen=True, slots=True)
class NormalisedQuery:
    """The texts of one request, split by who wrote them."""

    last_user: str
    earlier_user: tuple[str, ...] = ()  # oldest first
    other_turns: tuple[str, ...] = ()  # assistant and tool text, counted for tokens only
    system: str = ""
    ignored_parts: int = 0

    def context_texts(self) -> tuple[str, ...]:
        """Return every text of the request but the last user turn: system, earlier turns, replies."""
        return (self.system, *self.earlier_user, *self.other_turns)


@dataclass(slots=True)
class _PartCount:
    ignored: int = 0


def extract_text(query: object, system: object = None) -> NormalisedQuery:
    """Split `query` into the last user turn, earlier user turns and system text.

    Raises InvalidQueryError naming the field when the query is empty, has no
    user message, or has a value of the wrong type.
    """
    counter = _PartCount()
    system_texts = [] if system is None else [_system_text(system, "system", counter)]

    if isinstance(query, str):
        problem = text_problem(query)
        if problem is not None:
            raise InvalidQueryError(f"query {problem}", "query")
        return NormalisedQuery(last_user=query, system=_join(system_texts))

    if isinstance(query, Mapping):
        messages = _request_messages(query)
        if query.get("system") is not None:
            system_texts.insert(0, _system_text(query["system"], "system", counter))
    elif isinstance(query, Sequence) and not isinstance(query, (bytes, bytearray)):
        messages = query
    else:
        raise InvalidQueryError(
            f"query must be a string, a list of chat messages or a dict with 'messages'; got {type(query).__name__}",
            "query",
        )
    return _split_messages(messages, system_texts, counter)


def text_problem(text: str) -> str | None:
    """Return why `text` cannot be routed (no visible character, or an unpaired surrogate), or None.

    Both checks run at C speed on ordinary text: UTF-8 encoding finds a
    surrogate, and the visible-character scan stops at the first one.
    """
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            return f"contains the unpaired surrogate U+{ord(text[exc.start]):04X}: send valid Unicode text"
    if not any(not char.isspace() and unicodedata.category(char) not in INVISIBLE_CATEGORIES for char in text):
        return "has no visible character: it is empty, whitespace or invisible characters only"
    return None


def _request_messages(request: Mapping) -> Sequence:
    if "messages" not in request:
        raise InvalidQueryError("request dict has no 'messages' list: add the chat messages", "messages")
    messages = request["messages"]
    if isinstance(messages, (str, bytes, bytearray)) or not isinstance(messages, Sequence):
        raise InvalidQueryError(f"messages must be a list of chat messages, got {type(messages).__name__}", "messages")
    return messages


def _split_messages(messages: Sequence, system_texts: list[str], counter: _PartCount) -> NormalisedQuery:
    if not messages:
        raise InvalidQueryError("messages is empty: send at least one user message", "messages")

    user_turns: list[str] = []
    other_turns: list[str] = []
    for index, message in enumerate(messages):
        field = f"messages[{index}]"
        role = _message_role(message, field)
        content = message.get("content")
        if role in SYSTEM_ROLES:
            system_texts.append(_content_text(content, f"{field}.content", counter, other_turns))
        elif role in USER_ROLES:
            user_turns.append(_user_text(content, f"{field}.content", counter, other_turns))
        elif content is not None:
            # Assistant messages may carry only tool calls, so their content may be None.
            other_turns.append(_content_text(content, f"{field}.content", counter, other_turns))

    if not user_turns:
        raise InvalidQueryError("messages contain no user message: add one with role 'user'", "messages")
    return NormalisedQuery(
        last_user=user_turns[-1],
        earlier_user=tuple(user_turns[:-1]),
        other_turns=tuple(text for text in other_turns if text),
        system=_join(system_texts),
        ignored_parts=counter.ignored,
    )


def _message_role(message: object, field: str) -> str:
    if not isinstance(message, Mapping):
        raise InvalidQueryError(
            f"{field} must be a dict with 'role' and 'content', got {type(message).__name__}", field
        )
    role = message.get("role")
    if not isinstance(role, str):
        raise InvalidQueryError(f"{field}.role is missing or not a string", f"{field}.role")
    if role not in KNOWN_ROLES:
        allowed = ", ".join(sorted(KNOWN_ROLES))
        raise InvalidQueryError(f"{field}.role {role!r} is invalid: allowed {allowed}", f"{field}.role")
    if "content" not in message:
        raise InvalidQueryError(f"{field}.content is missing: add the message text", f"{field}.content")
    return role


def _user_text(content: object, field: str, counter: _PartCount, other_turns: list[str]) -> str:
    """Return the text of a user message, rejecting a message with neither text nor other parts."""
    ignored_before = counter.ignored
    text = _content_text(content, field, counter, other_turns)
    if not text.strip() and counter.ignored == ignored_before:
        raise InvalidQueryError(f"{field} is empty: a user message needs text or another content part", field)
    return text


def _content_text(content: object, field: str, counter: _PartCount, other_turns: list[str]) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, Sequence) and not isinstance(content, (bytes, bytearray)):
        texts = [_part_text(part, f"{field}[{i}]", counter, other_turns) for i, part in enumerate(content)]
        return _join(texts)
    raise InvalidQueryError(f"{field} must be a string or a list of content parts, got {type(content).__name__}", field)


def _part_text(part: object, field: str, counter: _PartCount, other_turns: list[str]) -> str:
    if isinstance(part, str):
        return part
    if not isinstance(part, Mapping):
        raise InvalidQueryError(f"{field} must be a content part dict, got {type(part).__name__}", field)
    part_type = part.get("type")
    if not isinstance(part_type, str):
        raise InvalidQueryError(f"{field}.type is missing or not a string", f"{field}.type")

    if part_type in TEXT_PART_TYPES:
        text = part.get("text")
        if not isinstance(text, str):
            raise InvalidQueryError(f"{field}.text must be a string, got {type(text).__name__}", f"{field}.text")
        return text
    if part_type == "tool_result" and part.get("content") is not None:
        # A tool result is not the user's words, but it is sent to the model and costs tokens.
        other_turns.append(_content_text(part["content"], f"{field}.content", counter, other_turns))
        return ""
    counter.ignored += 1
    return ""


def _system_text(system: object, field: str, counter: _PartCount) -> str:
    if isinstance(system, str):
        return system
    if isinstance(system, Sequence) and not isinstance(system, (bytes, bytearray)):
        return _join([_part_text(part, f"{field}[{i}]", counter, []) for i, part in enumerate(system)])
    raise InvalidQueryError(f"{field} must be a string or a list of text parts, got {type(system).__name__}", field)


def _join(texts: list[str]) -> str:
    return "\n\n".join(text for text in texts if text)
