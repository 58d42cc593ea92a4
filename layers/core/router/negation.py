"""Negation scope: drop topic terms that the user rules out.

"This isn't a legal question or a compliance review — just make this invite
friendlier" names two high-stakes topics only to exclude them. A term counts
as negated when a negation cue comes shortly before it in the same clause
(after it in Japanese, which puts "ではない" after the noun). Punctuation and
contrast words ("but", "just") close the clause. Words of uncertainty ("not
sure", "don't know") also end the scope, because "I don't know the right
dosage" still asks about a dosage.

Only high-stakes terms and the topic words of the medical, legal and finance
domains are negated. Negating coding or math words would misread ordinary
questions such as "why doesn't this Python function return".
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from router.models import Domain
from router.vocabulary import CJK_RE, DOMAIN, NEGATION, STAKES, Hit
from router.vocabulary_markers import NEGATION_AFTER

# Maximum characters between a cue and the term it negates: about six words of
# alphabetic text, or a few CJK characters, which carry a word each.
MAX_GAP_CHARS = 40
MAX_GAP_CJK_CHARS = 8

NEGATABLE_DOMAINS = frozenset({Domain.MEDICAL.value, Domain.LEGAL.value, Domain.FINANCE.value})

# NOTE: a comma closes the clause even inside a list, so in "this isn't legal,
# medical or financial advice" only "legal" is negated. The error routes up, to
# Tier 3, which costs more but loses no quality.
_BARRIER = re.compile(
    r"[.;:!?()\n,，。；：！？、—–]|\s-\s"
    r"|\b(?:but|however|just|only|although|though|instead|rather|except|know|sure|understand|"
    r"remember|certain|idea|pero|sino|aber|sondern|mais|mas|но|однако)\b"
    r"|但|而是|しかし|でも"
)


def _negatable(hit: Hit) -> bool:
    return any(term.kind == STAKES or (term.kind == DOMAIN and term.label in NEGATABLE_DOMAINS) for term in hit.terms)


def _in_scope(text: str, start: int, end: int) -> bool:
    """Return whether text[start:end], the gap between a cue and a term, stays inside one clause."""
    gap = text[start:end]
    limit = MAX_GAP_CJK_CHARS if CJK_RE.search(gap) else MAX_GAP_CHARS
    return len(gap) <= limit and _BARRIER.search(gap) is None


def split_negated(text: str, hits: list[Hit]) -> tuple[list[Hit], list[Hit]]:
    """Split `hits` (in text order) into those that stand and those a negation covers.

    Negation cues themselves are dropped from both lists.
    """
    cues_before: list[Hit] = []
    cues_after: list[Hit] = []
    topics: list[Hit] = []
    for hit in hits:
        cue = next((term for term in hit.terms if term.kind == NEGATION), None)
        if cue is None:
            topics.append(hit)
        elif cue.label == NEGATION_AFTER:
            cues_after.append(hit)
        else:
            cues_before.append(hit)
    if not cues_before and not cues_after:
        return topics, []

    # Hits do not overlap, so cue ends and starts ascend with the cues themselves.
    before_ends = [cue.end for cue in cues_before]
    after_starts = [cue.start for cue in cues_after]
    kept: list[Hit] = []
    negated: list[Hit] = []
    for hit in topics:
        if _negatable(hit) and _is_negated(text, hit, before_ends, after_starts):
            negated.append(hit)
        else:
            kept.append(hit)
    return kept, negated


def _is_negated(text: str, hit: Hit, before_ends: list[int], after_starts: list[int]) -> bool:
    """Return whether the nearest cue before the hit, or after it, is in the hit's clause."""
    index = bisect_right(before_ends, hit.start)
    if index and _in_scope(text, before_ends[index - 1], hit.start):
        return True
    index = bisect_left(after_starts, hit.end)
    return index < len(after_starts) and _in_scope(text, hit.end, after_starts[index])
