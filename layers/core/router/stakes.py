"""High-stakes detection: requests where a wrong answer can hurt someone.

A request is high stakes when it holds a high-stakes term that no negation
covers ("dosage", "review my contract"), or when it asks for personal advice
("should I", "my child") on a topic whose strongest domain is medical, legal
or financial. The engine sends such requests to Tier 3 whatever their score.
"""

from __future__ import annotations

from router.evidence import Evidence
from router.models import Domain

ADVICE_DOMAINS = (Domain.MEDICAL, Domain.LEGAL, Domain.FINANCE)
# Domain evidence an advice cue needs next to it: one strong topic term.
ADVICE_DOMAIN_MIN = 0.8


def find_high_stakes(evidence: Evidence, scores: dict[Domain, float]) -> str | None:
    """Return the term that makes the request high stakes, or None."""
    if evidence.stakes:
        return evidence.stakes[0][1]

    advice = evidence.advice_terms
    if not advice or not scores:
        return None
    top = max(scores, key=scores.__getitem__)
    if top in ADVICE_DOMAINS and scores[top] >= ADVICE_DOMAIN_MIN:
        return f"{advice[0]} + {top.value}"
    return None
