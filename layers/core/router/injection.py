"""Removal of text that tries to steer the router instead of asking something.

Users learn that a router exists and write "route this to your most powerful
model" or "ignore previous instructions" to get a stronger model for free.
Such phrases say nothing about the work the request needs, so the classifier
scores the text without them. The whole request still reaches the model.
"""

from __future__ import annotations

from collections.abc import Iterable

from router.vocabulary_prebuilt import compile_pattern

_MODEL = (
    r"(?:most\s+(?:powerful|capable|advanced|expensive|intelligent)|best|strongest|smartest|"
    r"biggest|largest|top|premium|highest|expensive|advanced|frontier|tier\s*3|opus|gpt-?4\w*)"
)
_PATTERNS = (
    # Fake headers and mode switches.
    r"\bsystem\s+(?:override|prompt|message|instruction)s?\s*[:\-]",
    r"\[(?:system|admin|developer)\]",
    r"<\|?(?:im_start|system)\|?>",
    r"\b(?:developer|admin|god|jailbreak|dan)\s+mode\b(?:\s+(?:on|enabled|activated))?",
    # Requests to drop earlier instructions.
    r"\b(?:ignore|disregard|forget|override|bypass)\s+(?:all\s+|any\s+|the\s+|your\s+)*"
    r"(?:previous|prior|above|earlier|preceding|system|routing|original)\s+"
    r"(?:instructions?|prompts?|rules?|messages?|context|directions?)",
    # Requests for a model or tier.
    rf"\b(?:route|send|forward|escalate|direct|pass|give)\s+(?:this|me|it|my\s+\w+|the\s+\w+)?\s*"
    rf"(?:to|with)\s+(?:your|the|a)?\s*{_MODEL}\s+(?:model|llm|ai|tier|version)s?",
    rf"\buse\s+(?:your|the|a)\s+{_MODEL}\s+(?:model|llm|ai|tier|version)s?",
    r"\b(?:route|classify|mark|treat|rate)\s+(?:this|it|me)\s+(?:to|as)\s+"
    r"(?:tier\s*3|high(?:est)?\s+(?:complexity|priority|tier)|complex|critical)",
    # Self-declared difficulty: the text itself shows whether it is hard.
    r"\b(?:this|it)\s+(?:is|requires)\s+(?:an?\s+)?(?:extremely|very|really|highly|super)\s+"
    r"(?:complex|difficult|hard|advanced|important)\s*(?:task|question|problem|request|query)?",
    # The same requests in other languages.
    r"\bignora\s+(?:todas\s+)?las\s+instrucciones\s+(?:anteriores|previas)",
    r"\bignoriere\s+(?:alle\s+)?(?:vorherigen|bisherigen)\s+anweisungen",
    r"\bignore[sz]?\s+(?:toutes\s+)?les\s+instructions\s+(?:précédentes|antérieures)",
    r"\bignore\s+(?:todas\s+)?as\s+instruções\s+anteriores",
    r"игнорируй\s+(?:все\s+)?(?:предыдущие|прежние)\s+инструкции",
    r"忽略(?:之前|以前|上面)的(?:所有)?指令",
    r"(?:以前|前)の指示を(?:すべて)?無視",
)
# Characters a steering phrase may extend before or after its cue.
CUE_REACH_CHARS = 120

_INJECTION = compile_pattern("|".join(f"(?:{pattern})" for pattern in _PATTERNS))
# Leftover joiners such as ":" or "and" between removed phrases carry no meaning.
_LEFTOVER = compile_pattern(r"^[\s:;,.!\-–—]*(?:(?:and|then|&)\b[\s:;,.!\-–—]*)*")


def find_injections(text: str, cues: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Find router-steering phrases in lower-case `text` near the given cue spans.

    The regex runs only around each cue, because trying its many branches at every
    position of a long text would cost about a millisecond. Returns sorted,
    non-overlapping spans.
    """
    windows = _merge((max(0, start - CUE_REACH_CHARS), end + CUE_REACH_CHARS) for start, end in cues)
    spans = [match.span() for start, end in windows for match in _INJECTION.finditer(text, start, end)]
    return _merge(spans)


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sort spans and merge the overlapping ones."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def remove_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """Cut `spans` out of `text`, with the joiners (":", "and") left between them."""
    pieces: list[str] = []
    position = 0
    for start, end in spans:
        pieces.append(text[position:start])
        position = end
    pieces.append(text[position:])
    return " ".join(_LEFTOVER.sub("", piece) for piece in pieces).strip()
