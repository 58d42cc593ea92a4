"""The complexity classifier: how much model a request needs, in pure Python.

`classify` reads the last user turn and returns a `ClassifierResult`: a score
in [0, 1] built from graded sub-scores (see `router.scoring`), a domain with a
confidence, a high-stakes flag, the language and an input-token estimate. It
calls no model and does no I/O.

Three rules keep the score about the request itself:

- The system prompt may name the domain of a vague request but never changes
  the score, because it describes the assistant, not the work.
- A short follow-up ("yes, do it") inherits the score and domain of the
  earlier user turns it refers to.
- Phrases that try to steer the router ("route this to your best model") are
  removed before scoring.
"""

from __future__ import annotations

import time
from dataclasses import astuple

from router.analysis import TextAnalysis, analyse_text
from router.domains import (
    MIN_DOMAIN_EVIDENCE,
    choose_domain,
    choose_subdomain,
    is_social,
    system_evidence,
    topic_evidence,
)
from router.language import UNDETERMINED, detect_language, estimate_tokens
from router.models import ClassifierResult
from router.scoring import SubScores, content_factor, is_word_problem, score_text, specialist_weight
from router.stakes import find_high_stakes
from router.text import NormalisedQuery, extract_text
from router.vocabulary import STAKES
from router.vocabulary_markers import FOLLOW_UP, REASONING

# Earlier user turns and system prompts are read through smaller windows, because
# they only inform a follow-up or a domain and must not dominate latency.
EARLIER_TURNS_READ = 2
EARLIER_HEAD_CHARS, EARLIER_TAIL_CHARS = 3_000, 1_000
SYSTEM_HEAD_CHARS, SYSTEM_TAIL_CHARS = 3_000, 1_000
# A turn this short, with this few words of its own, is a follow-up.
FOLLOW_UP_MAX_TOKENS = 25
FOLLOW_UP_MAX_CONTENT_WORDS = 6
MAX_FEATURES = 40


class ComplexityClassifier:
    """Complexity scorer of the router.

    One instance is safe to share between threads: it keeps no per-request state,
    and the vocabulary's lookup cache is a thread-safe functools.lru_cache.
    """

    def classify(self, query_or_messages: object, *, system: object = None) -> ClassifierResult:
        """Classify a string, a list of chat messages or a request dict.

        Raises InvalidQueryError naming the field when the input is empty or malformed.
        """
        started = time.perf_counter_ns()
        return self.classify_normalised(extract_text(query_or_messages, system), started_ns=started)

    def classify_normalised(self, query: NormalisedQuery, *, started_ns: int | None = None) -> ClassifierResult:
        """Classify a request already split by `router.text.extract_text`.

        `started_ns` is the `time.perf_counter_ns()` reading that `latency_ms` counts from.
        """
        started = time.perf_counter_ns() if started_ns is None else started_ns
        own = analyse_text(query.last_user)
        features: list[str] = []

        earlier = self._inherited_turn(query, own)
        scored = earlier if earlier is not None else own
        own_scores = topic_evidence(own)
        scores = own_scores if earlier is None else _add_scores(own_scores, topic_evidence(earlier))
        stakes_term = find_high_stakes(own.evidence, own_scores)
        if stakes_term is None and earlier is not None:
            stakes_term = find_high_stakes(earlier.evidence, scores)
        sub = score_text(own, stakes_term is not None)
        if earlier is not None:
            sub = _max_scores(sub, score_text(earlier, stakes_term is not None))
            features.append("inherited_context")

        system = self._system_analysis(query, own, scores)
        system_hint = system_evidence(system) if system else None
        domain, confidence = choose_domain(scores, scored.evidence, system_hint)
        if system_hint and domain in system_hint and scores.get(domain, 0.0) < MIN_DOMAIN_EVIDENCE:
            features.append(f"system_domain:{domain.value}")

        no_signal = _has_no_signal(own) and earlier is None
        return ClassifierResult(
            score=round(sub.score, 4),
            reasoning_depth=round(sub.reasoning_depth, 4),
            domain_specificity=round(sub.domain_specificity, 4),
            output_sensitivity=round(sub.output_sensitivity, 4),
            domain=domain,
            domain_confidence=confidence,
            subdomain=choose_subdomain(scored.evidence, domain),
            high_stakes=stakes_term is not None,
            high_stakes_term=stakes_term,
            language=_language(own, earlier),
            # NOTE: images, audio and files (counted in ignored_parts) add no tokens here,
            # so the estimate is low for multimodal requests.
            input_tokens=own.raw_tokens + sum(estimate_tokens(text) for text in query.context_texts()),
            features=_features(own, stakes_term, features)[:MAX_FEATURES],
            no_signal=no_signal,
            ignored_parts=query.ignored_parts,
            analysed_chars=sum(analysis.analysed_chars for analysis in (own, earlier, system) if analysis),
            truncated=own.truncated,
            latency_ms=round((time.perf_counter_ns() - started) / 1e6, 4),
        )

    def _inherited_turn(self, query: NormalisedQuery, own: TextAnalysis) -> TextAnalysis | None:
        """Analyse the earlier user turns when the last turn is a short follow-up.

        Returns the earlier turn with the highest score, or None.
        """
        if not query.earlier_user or not _is_follow_up(own):
            return None
        candidates = [
            analyse_text(text, EARLIER_HEAD_CHARS, EARLIER_TAIL_CHARS)
            for text in query.earlier_user[-EARLIER_TURNS_READ:]
            if text.strip()
        ]
        if not candidates:
            return None
        return max(candidates, key=lambda analysis: score_text(analysis).score)

    def _system_analysis(self, query: NormalisedQuery, own: TextAnalysis, scores: dict) -> TextAnalysis | None:
        """Analyse the system prompt when the request itself names no domain, else return None."""
        if not query.system or is_social(own.evidence):
            return None
        if scores and max(scores.values()) >= MIN_DOMAIN_EVIDENCE:
            return None
        return analyse_text(query.system, SYSTEM_HEAD_CHARS, SYSTEM_TAIL_CHARS)


def _is_follow_up(own: TextAnalysis) -> bool:
    if own.tokens > FOLLOW_UP_MAX_TOKENS or own.content_words > FOLLOW_UP_MAX_CONTENT_WORDS:
        return False
    # "thanks!" or "hi" after a long exchange is small talk, not a request to go on.
    only_social = is_social(own.evidence) and not own.evidence.marker(FOLLOW_UP)
    return not only_social and specialist_weight(own) < 1.0


def _add_scores(first: dict, second: dict) -> dict:
    return {key: first.get(key, 0.0) + second.get(key, 0.0) for key in first.keys() | second.keys()}


def _max_scores(first: SubScores, second: SubScores) -> SubScores:
    return SubScores(*(max(a, b) for a, b in zip(astuple(first), astuple(second), strict=True)))


def _has_no_signal(analysis: TextAnalysis) -> bool:
    """Return whether nothing in the text was recognised: no term, no code, no math notation."""
    structure = analysis.structure
    return analysis.evidence.is_empty and not structure.has_code and structure.math_expressions == 0


def _language(own: TextAnalysis, earlier: TextAnalysis | None) -> str:
    language = detect_language(own.text)
    if language == UNDETERMINED and earlier is not None:
        language = detect_language(earlier.text)
    return language


def _features(own: TextAnalysis, stakes_term: str | None, extra: list[str]) -> list[str]:
    """Name the signals that fired in the last user turn.

    Names are vocabulary terms and fixed labels, never user text, so they are safe to log.
    """
    evidence = own.evidence
    features = [f"high_stakes:{stakes_term}"] if stakes_term else []
    for (kind, label), terms in evidence.terms.items():
        if kind != STAKES:
            features.extend(f"{label}:{term}" for term in terms)
    features.extend(f"negated:{term}" for term in evidence.negated)

    structure = own.structure
    if structure.code_blocks:
        features.append("code_block")
    if structure.code_lines:
        features.append("code_lines")
    if structure.math_expressions:
        features.append("math_notation")
    if is_word_problem(own):
        features.append("word_problem")
    if structure.list_items >= 2:
        features.append("list")
    if structure.questions >= 2:
        features.append("multiple_questions")
    if evidence.marker(REASONING) and content_factor(own) < 1.0:
        features.append("reasoning_capped")
    if own.injections:
        features.append("steering_removed")
    if own.truncated:
        features.append("truncated")
    return extra + features


_SHARED = ComplexityClassifier()


def classify(query_or_messages: object, *, system: object = None) -> ClassifierResult:
    """Classify with a shared `ComplexityClassifier`, as `ComplexityClassifier.classify` does."""
    return _SHARED.classify(query_or_messages, system=system)
