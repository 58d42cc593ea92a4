"""Evidence of one text: vocabulary hits summed by domain and marker.

Each distinct term counts once, at its highest weight, however often it
repeats: saying "python" ten times is no more Python than saying it once, and
sums of distinct terms only grow when text is added.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from router.vocabulary import DOMAIN, MARKER, STAKES, SUBJECT, Hit
from router.vocabulary_stakes import ADVICE, COMPLIANCE, FINANCIAL, LEGAL, MEDICAL

# High-stakes areas count as evidence for these domains as well.
STAKES_DOMAIN = {MEDICAL: "medical", LEGAL: "legal", COMPLIANCE: "legal", FINANCIAL: "finance"}
STAKES_DOMAIN_WEIGHT = 1.0


@dataclass(slots=True)
class Evidence:
    """Summed term weights of one text, and the terms behind them."""

    domains: dict[str, float] = field(default_factory=dict)
    markers: dict[str, float] = field(default_factory=dict)
    subjects: dict[str, float] = field(default_factory=dict)  # "domain/subject" -> summed weight
    stakes: list[tuple[str, str]] = field(default_factory=list)  # (area, term)
    terms: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # (kind, label) -> terms
    negated: list[str] = field(default_factory=list)

    def domain(self, label: str) -> float:
        return self.domains.get(label, 0.0)

    def marker(self, label: str) -> float:
        return self.markers.get(label, 0.0)

    @property
    def knowledge(self) -> float:
        """Summed weight of the distinct subject terms: how much field knowledge the text draws on."""
        return sum(self.subjects.values())

    @property
    def advice_terms(self) -> list[str]:
        return self.terms.get((MARKER, ADVICE), [])

    @property
    def is_empty(self) -> bool:
        """Whether no term was recognised, counting terms that a negation ruled out."""
        return not (self.domains or self.markers or self.stakes or self.negated)


def collect_evidence(hits: list[Hit], negated: list[Hit]) -> Evidence:
    """Sum the weights of the distinct terms in `hits`, and list the `negated` ones by name."""
    best: dict[tuple[str, str, str], float] = {}
    for hit in hits:
        for term in hit.terms:
            key = (term.kind, term.label, term.term)
            if term.weight > best.get(key, 0.0):
                best[key] = term.weight

    evidence = Evidence()
    for (kind, label, name), weight in best.items():
        if kind == DOMAIN:
            evidence.domains[label] = evidence.domains.get(label, 0.0) + weight
        elif kind == MARKER:
            evidence.markers[label] = evidence.markers.get(label, 0.0) + weight
        elif kind == SUBJECT:
            evidence.subjects[label] = evidence.subjects.get(label, 0.0) + weight
            # Subject terms are no signal of their own in the feature list.
            continue
        elif kind == STAKES:
            evidence.stakes.append((label, name))
            domain = STAKES_DOMAIN.get(label)
            if domain:
                evidence.domains[domain] = evidence.domains.get(domain, 0.0) + STAKES_DOMAIN_WEIGHT
        else:
            continue
        evidence.terms.setdefault((kind, label), []).append(name)

    evidence.negated = sorted({term.term for hit in negated for term in hit.terms})
    return evidence
