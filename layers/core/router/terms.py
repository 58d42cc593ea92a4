"""Hashed content words of a query, kept on a decision instead of the prompt text.

The keyword-overlap quality signal compares a response with the query's content
words, and feedback may arrive long after the prompt is gone. Storing salted
hashes of the words lets the signal work without keeping the text: a hash says
whether a response word was in the query, not what the query said.
"""

from __future__ import annotations

import hashlib
import re

from router.vocabulary_prebuilt import compile_pattern

# Truncated BLAKE2b digests: 8 hex characters keep collisions rare for a query's
# few dozen words while a decision record stays small.
DIGEST_HEX_CHARS = 8
MAX_TERMS = 64
_SALT = b"llm-router-terms-v1"
_WORD = compile_pattern(r"[^\W_]{3,}", re.UNICODE)
_CJK_RUN = compile_pattern(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]+")

STOPWORDS = frozenset(
    """
    the and for are but not you your with this that from have has had was were will would can could
    should what when where which who whom why how all any each few more most other some such than
    too very just into over under about after before again then once here there does did doing
    its it's our out off own same she her him his they them their these those yes also been being
    please thanks thank tell give make want need like know use using get got let may might must
    que los las una por para con del como más pero sus les des est pas pour dans une qui sur avec
    der die das und ist nicht ein eine mit für von auf den dem sich auch wie mais ces son não uma
    com dos das pelo pela isso esta este você
    """.split()
)


def content_words(text: str) -> list[str]:
    """Lower-cased content words of `text`, stopwords removed, in first-seen order."""
    words: list[str] = []
    seen: set[str] = set()
    for match in _WORD.finditer(text.lower()):
        word = match.group()
        if _CJK_RUN.fullmatch(word):
            # CJK text has no spaces: index overlapping character pairs instead.
            candidates = [word[i : i + 2] for i in range(max(1, len(word) - 1))]
        elif word in STOPWORDS:
            continue
        else:
            candidates = [word]
        for candidate in candidates:
            if candidate not in seen:
                seen.add(candidate)
                words.append(candidate)
    return words


def hash_term(word: str) -> str:
    return hashlib.blake2b(word.encode("utf-8"), digest_size=8, key=_SALT).hexdigest()[:DIGEST_HEX_CHARS]


def query_term_hashes(text: str, limit: int = MAX_TERMS) -> list[str]:
    """Hashes of up to `limit` content words of `text`, for `RoutingDecision.query_terms`."""
    return [hash_term(word) for word in content_words(text)[:limit]]
