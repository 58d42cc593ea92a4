"""Analysis of one text: window, clean-up, vocabulary, negation and layout.

Long texts are read through a window of their first `HEAD_CHARS` and last
`TAIL_CHARS` characters, so that a 200,000-character paste classifies in
bounded time. The start of a request usually states the task and the end
often restates it or asks the question. The length itself is still measured
on the whole text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from router.evidence import Evidence, collect_evidence
from router.injection import find_injections, remove_spans
from router.language import estimate_tokens
from router.negation import split_negated
from router.structure import Structure, measure_structure
from router.terms import STOPWORDS
from router.vocabularies import VOCABULARY
from router.vocabulary import CJK_RE, Hit
from router.vocabulary_markers import STEERING

HEAD_CHARS = 6_000
TAIL_CHARS = 2_000

# Content words are counted exactly only in short texts, where they decide how
# much reasoning markers may count. Any longer text has plenty.
CONTENT_COUNT_MAX_CHARS = 600
PLENTY_OF_CONTENT = 50

# Typographic characters mapped to the ASCII ones the vocabulary is written with.
_TYPOGRAPHIC = (("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"'), ("\u00a0", " "))
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True, slots=True)
class TextAnalysis:
    """Evidence and layout counts of one text, with the window they were read from."""

    text: str  # the analysed window: lower case, steering phrases removed
    tokens: int  # estimated tokens of the whole text, steering phrases removed
    raw_tokens: int  # estimated tokens of the whole text as sent
    analysed_chars: int
    truncated: bool
    injections: int
    evidence: Evidence
    structure: Structure
    content_words: int  # words outside the vocabulary and stopwords, capped


def window(text: str, head: int = HEAD_CHARS, tail: int = TAIL_CHARS) -> tuple[str, bool]:
    """Return the first `head` and last `tail` characters of `text`, and whether it was cut."""
    if len(text) <= head + tail:
        return text, False
    # The line break keeps the two halves from joining into one word.
    return text[:head] + "\n" + text[-tail:], True


def analyse_text(text: str, head: int = HEAD_CHARS, tail: int = TAIL_CHARS) -> TextAnalysis:
    """Read `text` through its window and collect evidence and layout counts."""
    windowed, truncated = window(text, head, tail)
    cleaned = _normalise(windowed)
    raw_tokens = tokens = estimate_tokens(text)
    hits = VOCABULARY.find(cleaned)

    steering = [(hit.start, hit.end) for hit in hits if _is_steering(hit)]
    injections = find_injections(cleaned, steering) if steering else []
    if injections:
        stripped = remove_spans(cleaned, injections)
        tokens = max(0, tokens - estimate_tokens(cleaned) + estimate_tokens(stripped))
        cleaned = stripped
        hits = VOCABULARY.find(cleaned)
    hits = [hit for hit in hits if not _is_steering(hit)]

    kept, negated = split_negated(cleaned, hits)
    return TextAnalysis(
        text=cleaned,
        tokens=tokens,
        raw_tokens=raw_tokens,
        analysed_chars=len(windowed),
        truncated=truncated,
        injections=len(injections),
        evidence=collect_evidence(kept, negated),
        structure=measure_structure(cleaned),
        content_words=_count_content_words(cleaned, hits),
    )


def _normalise(text: str) -> str:
    lowered = text.lower()
    if not lowered.isascii():
        for typographic, plain in _TYPOGRAPHIC:
            lowered = lowered.replace(typographic, plain)
    return lowered


def _is_steering(hit: Hit) -> bool:
    return any(term.label == STEERING for term in hit.terms)


def _count_content_words(text: str, hits: list[Hit]) -> int:
    """Count words that are neither vocabulary terms nor stopwords, up to PLENTY_OF_CONTENT."""
    if len(text) > CONTENT_COUNT_MAX_CHARS:
        return PLENTY_OF_CONTENT
    pieces = []
    position = 0
    for hit in hits:
        pieces.append(text[position : hit.start])
        position = max(position, hit.end)
    pieces.append(text[position:])
    rest = " ".join(pieces)

    words = [word for word in _WORD.findall(rest) if word not in STOPWORDS and len(word) > 1]
    count = sum(1 for word in words if not CJK_RE.search(word))
    # A run of CJK characters contains about one word per two characters.
    count += sum(len(word) // 2 for word in words if CJK_RE.search(word))
    return min(count, PLENTY_OF_CONTENT)
