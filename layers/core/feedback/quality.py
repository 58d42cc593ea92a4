"""Quality score of one model response, from automatic signals and an optional user rating.

Each signal is a value in [0, 1], and the score is their weighted mean, so the
breakdown shows which signal pulled a response down. Weights are relative, and
a `QualityScore` reports each applied signal's share of the score.

length_fit, weight 1.5
    Estimated response tokens (about four characters each) against the tokens
    expected for the ask: the caller's `expected_tokens`, else the domain's
    median from `router.cost`.
    Asks expected to take up to 300 tokens (factual, conversational and typical
    general questions) accept any non-empty answer, because "1989." fully
    answers "What year did the Berlin Wall fall?". Above 300, the shortest
    fitting answer grows by one token per ten expected tokens, so "ok" to an
    essay request (600 expected, 30 needed) scores 0.03. Answers longer than
    four times the expected length lose value down to 0.5: verbose, but answers.
uncertainty, weight 0.5 when clear, 1.5 when hedging, 5.0 when refusing
    Refusal and hedging phrases from `feedback.phrases`, or the provider's
    "refusal" stop reason. The value is 1.0 when clear, 0.5 when hedging and
    0.0 when refusing. The weight grows with what the signal found, because a
    confident tone says little (a wrong answer can sound sure) while a refusal
    means the user got no answer. The refusal weight, 5.0, is larger than the
    4.0 that the other automatic signals can contribute at best, so a refusal
    keeps the automatic score below 0.5.
keyword_overlap, weight 1.0
    Share of the query's hashed content words (`RoutingDecision.query_terms`)
    found among the response's content words. A good answer rephrases, so 40 %
    overlap already counts as full. Skipped without query terms, and for
    responses of fewer than 5 content words, which need not repeat the question.
format_fit, weight 1.0
    Code in the response when the ask expects code, a list when it expects a
    list, and the mean of both when it expects both. Skipped without expectations.
truncation, weight 0.5 when complete, 2.0 when truncated
    0.0 when the stop reason says the output hit a token limit ("max_tokens",
    "model_context_window_exceeded", or OpenAI's "length"), else 1.0. Skipped
    when the stop reason is unknown.
rating
    The user's rating from `rating_to_quality`. People judge correctness, which
    no automatic signal can, so the rating is 75 % of the score when automatic
    signals apply and the whole score when there is no response to examine.

Phrase, code and list detection are heuristics: read the breakdown, not only
the score, before acting on a single response.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Sequence
from typing import NamedTuple

from pydantic import BaseModel, Field

from feedback.exceptions import InvalidRatingError
from feedback.phrases import HEDGING_PATTERN, REFUSAL_PATTERN, has_code, has_list, normalize_text
from router.cost import EXPECTED_OUTPUT_TOKENS
from router.models import Domain, RoutingDecision
from router.terms import content_words, hash_term
from router.vocabulary_prebuilt import compile_pattern


class _Signal(NamedTuple):
    value: float
    weight: float


DEFAULT_LOW_THRESHOLD = 0.5
SCORE_DECIMALS = 6
RATING_SHARE = 0.75

LENGTH_FIT_WEIGHT = 1.5
SHORT_FORM_TOKENS = 300
MIN_TOKENS_PER_EXPECTED_TOKEN = 0.1
MAX_LENGTH_FACTOR = 4
OVERLONG_FLOOR = 0.5

# Estimated tokens: one per CJK character (the ranges router.terms uses), one per four other characters.
_CJK_CHAR = compile_pattern(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
CHARS_PER_TOKEN = 4

UNCERTAINTY_CLEAR = _Signal(value=1.0, weight=0.5)
UNCERTAINTY_HEDGING = _Signal(value=0.5, weight=1.5)
UNCERTAINTY_REFUSAL = _Signal(value=0.0, weight=5.0)

KEYWORD_OVERLAP_WEIGHT = 1.0
FULL_OVERLAP_SHARE = 0.4
MIN_OVERLAP_RESPONSE_WORDS = 5

FORMAT_FIT_WEIGHT = 1.0

TRUNCATION_COMPLETE = _Signal(value=1.0, weight=0.5)
TRUNCATION_TRUNCATED = _Signal(value=0.0, weight=2.0)
# Anthropic Messages API stop reasons, plus OpenAI's finish_reason "length".
TRUNCATING_STOP_REASONS = frozenset({"max_tokens", "model_context_window_exceeded", "length"})
REFUSAL_STOP_REASON = "refusal"

MIN_STARS = 1.0
MAX_STARS = 5.0
_THUMBS_UP = frozenset({"up", "thumbs_up", "thumbs-up", "thumbsup", "\U0001f44d"})
_THUMBS_DOWN = frozenset({"down", "thumbs_down", "thumbs-down", "thumbsdown", "\U0001f44e"})
# Skin-tone modifiers and the emoji presentation selector that may follow 👍 or 👎.
_EMOJI_MODIFIERS = compile_pattern("[\U0001f3fb-\U0001f3ff\ufe0f]")

_LIST_FEATURE_WORDS = frozenset({"list", "lists", "enumerate", "enumeration", "steps", "bullet", "bullets"})


class QualityScore(BaseModel):
    """Quality of one response: the score, the signals behind it and their shares."""

    score: float = Field(ge=0.0, le=1.0, description="weighted mean of the signals, 6 decimals")
    signals: dict[str, float] = Field(description="value in [0, 1] of each signal that applied")
    weights: dict[str, float] = Field(description="each applied signal's share of the score, summing to 1")
    rating_quality: float | None = Field(default=None, ge=0.0, le=1.0, description="user rating mapped to [0, 1]")
    low_quality: bool = Field(description="score below the low-quality threshold")


def rating_to_quality(rating: float | str) -> float:
    """Map a user rating to [0, 1]: 1 to 5 stars linearly, thumbs up to 1.0, thumbs down to 0.0.

    Stars may be fractional (4.7 maps to 0.925) or a numeric string. True and
    False count as thumbs up and down. Raises InvalidRatingError for anything else.
    """
    if isinstance(rating, bool):
        return 1.0 if rating else 0.0
    if isinstance(rating, str):
        return _text_rating_to_quality(rating)
    if isinstance(rating, numbers.Real):
        return _stars_to_quality(float(rating), rating)
    raise InvalidRatingError(rating)


def _text_rating_to_quality(text: str) -> float:
    key = _EMOJI_MODIFIERS.sub("", text).strip().lower()
    if key in _THUMBS_UP:
        return 1.0
    if key in _THUMBS_DOWN:
        return 0.0
    try:
        stars = float(key)
    except ValueError:
        raise InvalidRatingError(text) from None
    return _stars_to_quality(stars, text)


def _stars_to_quality(stars: float, rating: object) -> float:
    # Every comparison with NaN is false, so NaN fails this range check too.
    if not MIN_STARS <= stars <= MAX_STARS:
        raise InvalidRatingError(rating)
    return round((stars - MIN_STARS) / (MAX_STARS - MIN_STARS), SCORE_DECIMALS)


def score_quality(
    *,
    response: str | None = None,
    query_terms: Sequence[str] = (),
    domain: Domain = Domain.GENERAL,
    expected_tokens: int | None = None,
    stop_reason: str | None = None,
    rating: float | str | None = None,
    asks_code: bool | None = None,
    asks_list: bool | None = None,
    low_threshold: float = DEFAULT_LOW_THRESHOLD,
) -> QualityScore:
    """Score one response from its automatic signals and the user's rating, if any.

    `asks_code` and `asks_list` set what format the ask expects: only True adds
    the format_fit signal, because code or a list in an answer that did not ask
    for one is no fault. Raises InvalidRatingError for an invalid rating and
    ValueError when neither a response nor a rating is given.
    """
    _check_arguments(response, rating, expected_tokens, low_threshold)

    automatic: dict[str, _Signal] = {}
    if response is not None:
        automatic = _automatic_signals(
            response, query_terms, domain, expected_tokens, stop_reason, asks_code, asks_list
        )
    rating_quality = None if rating is None else rating_to_quality(rating)

    signals = {name: signal.value for name, signal in automatic.items()}
    shares = _signal_shares(automatic, has_rating=rating_quality is not None)
    if rating_quality is not None:
        signals["rating"] = rating_quality

    score = round(math.fsum(signals[name] * shares[name] for name in signals), SCORE_DECIMALS)
    return QualityScore(
        score=score,
        signals={name: round(value, SCORE_DECIMALS) for name, value in signals.items()},
        weights={name: round(share, SCORE_DECIMALS) for name, share in shares.items()},
        rating_quality=rating_quality,
        low_quality=score < low_threshold,
    )


def _check_arguments(
    response: str | None, rating: float | str | None, expected_tokens: int | None, low_threshold: float
) -> None:
    if response is None and rating is None:
        raise ValueError("score_quality needs a response, a rating or both, but got neither")
    if expected_tokens is not None and expected_tokens < 0:
        raise ValueError(f"invalid expected_tokens {expected_tokens!r}: expected 0 or more tokens")
    if not 0.0 <= low_threshold <= 1.0:
        raise ValueError(f"invalid low_threshold {low_threshold!r}: expected a value from 0 to 1")


def _signal_shares(automatic: dict[str, _Signal], *, has_rating: bool) -> dict[str, float]:
    """Turn relative weights into shares of the score that sum to 1."""
    automatic_share = 1.0 - RATING_SHARE if has_rating else 1.0
    total_weight = sum(signal.weight for signal in automatic.values())
    shares = {name: automatic_share * signal.weight / total_weight for name, signal in automatic.items()}
    if has_rating:
        shares["rating"] = RATING_SHARE if automatic else 1.0
    return shares


def _automatic_signals(
    response: str,
    query_terms: Sequence[str],
    domain: Domain,
    expected_tokens: int | None,
    stop_reason: str | None,
    asks_code: bool | None,
    asks_list: bool | None,
) -> dict[str, _Signal]:
    reason = stop_reason.strip().lower() if stop_reason else None
    expected = expected_tokens if expected_tokens is not None else EXPECTED_OUTPUT_TOKENS[domain]
    candidates = {
        "length_fit": _length_fit(response, expected),
        "uncertainty": _uncertainty(response, reason),
        "keyword_overlap": _keyword_overlap(response, query_terms),
        "format_fit": _format_fit(response, asks_code, asks_list),
        "truncation": _truncation(reason),
    }
    return {name: signal for name, signal in candidates.items() if signal is not None}


def estimate_tokens(text: str) -> int:
    """Estimate the tokens of `text`: one per CJK character, one per four other characters."""
    stripped = text.strip()
    cjk_chars = len(_CJK_CHAR.findall(stripped))
    return cjk_chars + math.ceil((len(stripped) - cjk_chars) / CHARS_PER_TOKEN)


def _length_fit(response: str, expected: int) -> _Signal:
    tokens = estimate_tokens(response)
    min_fitting = max(0.0, (expected - SHORT_FORM_TOKENS) * MIN_TOKENS_PER_EXPECTED_TOKEN)
    max_fitting = MAX_LENGTH_FACTOR * expected

    if tokens == 0:
        value = 0.0
    elif tokens < min_fitting:
        value = tokens / min_fitting
    elif max_fitting and tokens > max_fitting:
        value = max(OVERLONG_FLOOR, max_fitting / tokens)
    else:
        value = 1.0
    return _Signal(value, LENGTH_FIT_WEIGHT)


def _uncertainty(response: str, stop_reason: str | None) -> _Signal:
    text = normalize_text(response)
    if stop_reason == REFUSAL_STOP_REASON or REFUSAL_PATTERN.search(text):
        return UNCERTAINTY_REFUSAL
    if HEDGING_PATTERN.search(text):
        return UNCERTAINTY_HEDGING
    return UNCERTAINTY_CLEAR


def _keyword_overlap(response: str, query_terms: Sequence[str]) -> _Signal | None:
    query_hashes = set(query_terms)
    if not query_hashes:
        return None
    words = content_words(response)
    if len(words) < MIN_OVERLAP_RESPONSE_WORDS:
        return None
    found = {hash_term(word) for word in words}
    share = len(query_hashes & found) / len(query_hashes)
    return _Signal(min(1.0, share / FULL_OVERLAP_SHARE), KEYWORD_OVERLAP_WEIGHT)


def _format_fit(response: str, asks_code: bool | None, asks_list: bool | None) -> _Signal | None:
    checks: list[bool] = []
    if asks_code:
        checks.append(has_code(response))
    if asks_list:
        checks.append(has_list(response))
    if not checks:
        return None
    return _Signal(sum(checks) / len(checks), FORMAT_FIT_WEIGHT)


def _truncation(stop_reason: str | None) -> _Signal | None:
    if stop_reason is None:
        return None
    if stop_reason in TRUNCATING_STOP_REASONS:
        return TRUNCATION_TRUNCATED
    return TRUNCATION_COMPLETE


def is_provider_failure(
    *,
    status_code: int | None = None,
    error: str | None = None,
    response: str | None = None,
    timed_out: bool = False,
) -> str | None:
    """Classify a failed provider call, or return None when the call produced a response to score.

    Kinds: "timeout", "rate_limited" (429), "overloaded" (529), "server_error"
    (other 5xx), "error" (4xx or any error text) and "empty_response" (a body of
    only whitespace). A failure is recorded against the provider, never as a
    quality sample, because a 529 reflects the provider's load, not the model's output.
    A `response` of None means the body is unknown, so it is not a failure by itself.
    """
    if timed_out:
        return "timeout"
    status_kind = None if status_code is None else _classify_status(status_code)
    if status_kind is not None:
        return status_kind
    if error is not None and error.strip():
        return "error"
    if response is not None and not response.strip():
        return "empty_response"
    return None


def _classify_status(status_code: int) -> str | None:
    if status_code == 429:
        return "rate_limited"
    if status_code == 529:
        return "overloaded"
    if 500 <= status_code <= 599:
        return "server_error"
    if status_code >= 400:
        return "error"
    return None


def derive_format_expectations(decision: RoutingDecision) -> tuple[bool | None, bool | None]:
    """Derive `(asks_code, asks_list)` for `score_quality` from a decision's classification.

    A coding query expects code, and a classifier feature naming a list, steps or
    bullets expects a list. Anything else returns None, which skips the check:
    not asking for code does not make code wrong.
    """
    classification = decision.classification
    asks_code = True if classification.domain is Domain.CODING else None

    feature_words = {word for feature in classification.features for word in re.split(r"[^a-z]+", feature.lower())}
    asks_list = True if feature_words & _LIST_FEATURE_WORDS else None
    return asks_code, asks_list
