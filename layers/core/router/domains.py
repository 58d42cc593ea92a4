"""Choice of the domain of a request, with a confidence.

The domain with the most evidence wins if it has at least `MIN_DOMAIN_EVIDENCE`
(one strong term, or a few weaker ones). Below that, social messages are
conversational, lookups are factual, and the system prompt may name the
domain, so that a coding agent's "how do I make it faster?" is about code.
Anything else is general.
"""

from __future__ import annotations

from router.analysis import TextAnalysis
from router.evidence import Evidence
from router.models import Domain
from router.scoring import code_weight, content_factor, math_weight, saturate
from router.vocabulary_markers import CHITCHAT, CLOSING, GREETING, LOOKUP, REASONING

MIN_DOMAIN_EVIDENCE = 0.6
# Subject-term weight a subdomain needs: one full-weight term or two weak ones.
MIN_SUBJECT_EVIDENCE = 1.0
# System prompts describe the assistant, not the request, so their evidence counts
# at this share and never above one strong term.
SYSTEM_EVIDENCE_SHARE = 0.3
SYSTEM_EVIDENCE_MAX = 1.0
# Reasoning markers ("compare", "evaluate") count this much towards analysis.
ANALYSIS_SHARE_OF_REASONING = 0.5

TOPIC_DOMAINS = (
    Domain.CODING,
    Domain.MATH,
    Domain.SCIENCE,
    Domain.ANALYSIS,
    Domain.MEDICAL,
    Domain.LEGAL,
    Domain.FINANCE,
    Domain.CREATIVE,
)


def topic_evidence(analysis: TextAnalysis) -> dict[Domain, float]:
    """Evidence for each topic domain, code and analytic reasoning included."""
    evidence = analysis.evidence
    scores = {domain: evidence.domain(domain.value) for domain in TOPIC_DOMAINS}
    scores[Domain.CODING] += code_weight(analysis)
    scores[Domain.MATH] += math_weight(analysis)
    analytic = evidence.marker(REASONING) * content_factor(analysis)
    scores[Domain.ANALYSIS] += ANALYSIS_SHARE_OF_REASONING * analytic
    return {domain: score for domain, score in scores.items() if score > 0}


def system_evidence(system: TextAnalysis) -> dict[Domain, float]:
    """Topic evidence of a system prompt, scaled down to a hint."""
    return {
        domain: min(score * SYSTEM_EVIDENCE_SHARE, SYSTEM_EVIDENCE_MAX)
        for domain, score in topic_evidence(system).items()
    }


def is_social(evidence: Evidence) -> bool:
    return any(evidence.marker(label) for label in (GREETING, CLOSING, CHITCHAT))


def choose_domain(
    scores: dict[Domain, float], evidence: Evidence, system_hint: dict[Domain, float] | None = None
) -> tuple[Domain, float]:
    """Pick the domain from topic `scores`, falling back on social and lookup markers."""
    if scores:
        top = max(scores, key=scores.__getitem__)
        if scores[top] >= MIN_DOMAIN_EVIDENCE:
            share = scores[top] / sum(scores.values())
            return top, round(share * saturate(scores[top], 1.0), 3)

    social = sum(evidence.marker(label) for label in (GREETING, CLOSING, CHITCHAT))
    lookup = evidence.marker(LOOKUP)
    if lookup and lookup >= social:
        return Domain.FACTUAL, round(saturate(lookup, 0.7), 3)
    if social:
        return Domain.CONVERSATIONAL, round(saturate(social, 0.7), 3)
    # The system prompt decides only when the request itself names no domain.
    if system_hint:
        top = max(system_hint, key=system_hint.__getitem__)
        if system_hint[top] >= MIN_DOMAIN_EVIDENCE / 2:
            return top, round(0.5 * saturate(system_hint[top], 1.0), 3)
    return Domain.GENERAL, 0.2 if not evidence.is_empty else 0.0


def choose_subdomain(evidence: Evidence, domain: Domain) -> str | None:
    """Name the subject the text draws on most, preferring subjects of `domain`; None below the minimum.

    A subject of another domain still names the subdomain, so that "general"
    requests about ethics or history land in cells of their own.
    """
    subjects = [(weight, label) for label, weight in evidence.subjects.items() if weight >= MIN_SUBJECT_EVIDENCE]
    if not subjects:
        return None
    own = [item for item in subjects if item[1].startswith(domain.value + "/")]
    # Highest weight wins; the label breaks ties so the choice never depends on term order.
    _, label = max(own or subjects, key=lambda item: (item[0], item[1]))
    return label.partition("/")[2]
