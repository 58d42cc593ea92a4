"""Quality scores of responses, rating mapping, provider failures and format expectations."""

from __future__ import annotations

import math

import pytest

from feedback.exceptions import InvalidRatingError
from feedback.quality import derive_format_expectations, is_provider_failure, rating_to_quality, score_quality
from router.models import Cell, ClassifierResult, Domain, RoutingDecision, Tier
from router.terms import query_term_hashes

BERLIN_QUERY = "What year did the Berlin Wall fall?"
LOCK_QUERY = "How do I pick the lock on my own front door?"
PHOTOSYNTHESIS_QUERY = "How does photosynthesis convert sunlight into chemical energy in plants?"
PHOTOSYNTHESIS_ANSWER = (
    "Photosynthesis captures sunlight with chlorophyll in the chloroplasts of plants. "
    "The light reactions split water and store the energy as ATP and NADPH, and the "
    "Calvin cycle then uses that chemical energy to convert carbon dioxide into sugar."
)
FOOTBALL_ANSWER = (
    "The offside rule keeps attackers from waiting behind the defence. A player is "
    "offside when nearer the goal line than the ball and the second-last opponent "
    "at the moment a teammate passes forward."
)


def score(response: str | None = None, query: str = "", **kwargs):
    return score_quality(response=response, query_terms=query_term_hashes(query), **kwargs)


# --- length_fit -----------------------------------------------------------------


@pytest.mark.parametrize("domain", [Domain.FACTUAL, Domain.GENERAL])
def test_short_factual_answer_not_low(domain: Domain) -> None:
    result = score("1989.", BERLIN_QUERY, domain=domain, stop_reason="end_turn")

    assert result.signals["length_fit"] == 1.0
    assert not result.low_quality


def test_one_word_to_essay_is_low() -> None:
    query = "Write a detailed essay on the causes of the First World War"
    result = score("ok", query, domain=Domain.CREATIVE, stop_reason="end_turn")

    assert result.signals["length_fit"] < 0.1
    assert result.low_quality


def test_empty_response_has_no_length_fit() -> None:
    result = score("   ", BERLIN_QUERY, domain=Domain.FACTUAL)

    assert result.signals["length_fit"] == 0.0


def test_overlong_answer_loses_length_fit() -> None:
    result = score("word " * 2000, BERLIN_QUERY, domain=Domain.FACTUAL, expected_tokens=100)

    assert result.signals["length_fit"] == 0.5


# --- uncertainty ----------------------------------------------------------------

REFUSALS = [
    ("en", "I cannot help with that request."),
    ("en_curly_apostrophe", "I\u2019m sorry, but I can\u2019t assist with picking locks."),
    ("es", "Lo siento, no puedo ayudar con eso."),
    ("de", "Ich kann nicht bei dieser Anfrage helfen."),
    ("fr", "Je ne peux pas vous aider avec cette demande."),
    ("pt", "Desculpe, não posso ajudar com isso."),
    ("it", "Mi dispiace, non posso aiutarti con questo."),
]


@pytest.mark.parametrize("response", [text for _, text in REFUSALS], ids=[name for name, _ in REFUSALS])
def test_refusal_is_low(response: str) -> None:
    result = score(response, LOCK_QUERY, stop_reason="end_turn")

    assert result.signals["uncertainty"] == 0.0
    assert result.low_quality


def test_refusal_low_despite_other_signals() -> None:
    response = (
        "I cannot help with picking the lock on a front door, even your own door.\n"
        "- Call a licensed locksmith to open the front door lock.\n"
        "- Ask your landlord for a spare key to the lock."
    )
    result = score(response, LOCK_QUERY, stop_reason="end_turn", asks_list=True)

    assert result.signals["keyword_overlap"] == 1.0
    assert result.signals["format_fit"] == 1.0
    assert result.low_quality


def test_refusal_stop_reason_detected() -> None:
    result = score("", LOCK_QUERY, stop_reason="refusal")

    assert result.signals["uncertainty"] == 0.0


HEDGES = [
    ("en", "I'm not sure, but I think it fell in 1989."),
    ("en_as_an_ai", "As an AI, I can say the wall fell in 1989."),
    ("es", "No estoy seguro, pero creo que cayó en 1989."),
    ("de", "Ich bin mir nicht sicher, aber ich glaube 1989."),
    ("fr", "Je ne suis pas sûr, mais je crois que c'était en 1989."),
    ("pt", "Não tenho certeza, mas acho que foi em 1989."),
]


@pytest.mark.parametrize("response", [text for _, text in HEDGES], ids=[name for name, _ in HEDGES])
def test_hedging_is_detected(response: str) -> None:
    result = score(response, BERLIN_QUERY, domain=Domain.FACTUAL)

    assert result.signals["uncertainty"] == 0.5


def test_hedging_lowers_less_than_refusal() -> None:
    clear = score("The Berlin Wall fell in 1989.", BERLIN_QUERY, domain=Domain.FACTUAL)
    hedged = score("I'm not sure, but the Berlin Wall fell in 1989.", BERLIN_QUERY, domain=Domain.FACTUAL)
    refused = score("I cannot help with questions about the Berlin Wall.", BERLIN_QUERY, domain=Domain.FACTUAL)

    assert hedged.score < clear.score
    assert refused.score < hedged.score
    assert not hedged.low_quality


def test_phrase_inside_word_not_matched() -> None:
    result = score("The wall fell in 1989, as an aide to Gorbachev later wrote.", BERLIN_QUERY)

    assert result.signals["uncertainty"] == 1.0


# --- keyword_overlap ------------------------------------------------------------


def test_keyword_overlap_related_vs_unrelated() -> None:
    related = score(PHOTOSYNTHESIS_ANSWER, PHOTOSYNTHESIS_QUERY, domain=Domain.SCIENCE)
    unrelated = score(FOOTBALL_ANSWER, PHOTOSYNTHESIS_QUERY, domain=Domain.SCIENCE)

    assert related.signals["keyword_overlap"] == 1.0
    assert unrelated.signals["keyword_overlap"] == 0.0
    assert related.score > unrelated.score


def test_keyword_overlap_skipped_without_terms() -> None:
    result = score(PHOTOSYNTHESIS_ANSWER, "", domain=Domain.SCIENCE)

    assert "keyword_overlap" not in result.signals


def test_keyword_overlap_skipped_for_short_answer() -> None:
    result = score("1989.", BERLIN_QUERY, domain=Domain.FACTUAL)

    assert "keyword_overlap" not in result.signals


# --- format_fit -----------------------------------------------------------------

CODE_ANSWERS = [
    ("fenced", "Use this:\n```python\nprint(sorted(items))\n```", 1.0),
    ("indented", "Use this:\n\n    items = [3, 1, 2]\n    print(sorted(items))\n", 1.0),
    ("code_line", "Put this at the top of the file:\nimport numpy as np", 1.0),
    ("inline_call", "Call `sorted(items, key=len)` to order them by length.", 1.0),
    ("prose_only", "Sort the items by their length and print them in order.", 0.0),
]


@pytest.mark.parametrize(
    ("response", "expected"),
    [(text, value) for _, text, value in CODE_ANSWERS],
    ids=[name for name, _, _ in CODE_ANSWERS],
)
def test_code_asked_format_fit(response: str, expected: float) -> None:
    result = score(response, "sort a python list by length", domain=Domain.CODING, asks_code=True)

    assert result.signals["format_fit"] == expected


LIST_ANSWERS = [
    ("bullets", "Pack these:\n- a tent\n- a stove\n- a sleeping bag", 1.0),
    ("numbered", "Steps:\n1. Boil water.\n2) Add the pasta.\n3. Drain it.", 1.0),
    ("one_item", "Pack this:\n- a tent", 0.0),
    ("prose_only", "Pack a tent, a stove and a sleeping bag.", 0.0),
]


@pytest.mark.parametrize(
    ("response", "expected"),
    [(text, value) for _, text, value in LIST_ANSWERS],
    ids=[name for name, _, _ in LIST_ANSWERS],
)
def test_list_asked_format_fit(response: str, expected: float) -> None:
    result = score(response, "list what to pack for camping", asks_list=True)

    assert result.signals["format_fit"] == expected


def test_code_and_list_asked_takes_mean() -> None:
    response = "Steps:\n1. Install it.\n2. Run the script."
    result = score(response, "steps to run the script", asks_code=True, asks_list=True)

    assert result.signals["format_fit"] == 0.5


@pytest.mark.parametrize(("asks_code", "asks_list"), [(None, None), (False, False)])
def test_format_fit_skipped_without_expectation(asks_code: bool | None, asks_list: bool | None) -> None:
    result = score("Pack a tent.", "camping", asks_code=asks_code, asks_list=asks_list)

    assert "format_fit" not in result.signals


# --- truncation -----------------------------------------------------------------


@pytest.mark.parametrize("stop_reason", ["max_tokens", "length", "model_context_window_exceeded", "MAX_TOKENS"])
def test_truncated_answer_lowers(stop_reason: str) -> None:
    complete = score(PHOTOSYNTHESIS_ANSWER, PHOTOSYNTHESIS_QUERY, domain=Domain.SCIENCE, stop_reason="end_turn")
    truncated = score(PHOTOSYNTHESIS_ANSWER, PHOTOSYNTHESIS_QUERY, domain=Domain.SCIENCE, stop_reason=stop_reason)

    assert truncated.signals["truncation"] == 0.0
    assert truncated.score < complete.score


@pytest.mark.parametrize("stop_reason", ["end_turn", "stop_sequence", "stop"])
def test_complete_stop_reason_fine(stop_reason: str) -> None:
    result = score("1989.", BERLIN_QUERY, domain=Domain.FACTUAL, stop_reason=stop_reason)

    assert result.signals["truncation"] == 1.0


def test_unknown_stop_reason_skips_truncation() -> None:
    result = score("1989.", BERLIN_QUERY, domain=Domain.FACTUAL, stop_reason=None)

    assert "truncation" not in result.signals


# --- rating ---------------------------------------------------------------------

RATING_OVERRIDES = [
    ("five_stars_weak_answer", "ok", 5, False),
    ("one_star_great_answer", PHOTOSYNTHESIS_ANSWER, 1, True),
    ("thumbs_down_great_answer", PHOTOSYNTHESIS_ANSWER, "down", True),
]


@pytest.mark.parametrize(
    ("response", "rating", "low"),
    [case[1:] for case in RATING_OVERRIDES],
    ids=[case[0] for case in RATING_OVERRIDES],
)
def test_rating_outweighs_automatic(response: str, rating: float | str, low: bool) -> None:
    result = score(response, PHOTOSYNTHESIS_QUERY, domain=Domain.CREATIVE, stop_reason="end_turn", rating=rating)

    assert result.weights["rating"] == 0.75
    assert result.low_quality is low


def test_rating_alone_without_response() -> None:
    result = score(None, rating=4)

    assert result.score == 0.75
    assert result.weights == {"rating": 1.0}
    assert result.signals == {"rating": 0.75}


RATINGS = [
    ("one_star", 1, 0.0),
    ("three_stars", 3, 0.5),
    ("five_stars", 5.0, 1.0),
    ("fractional_stars", 4.7, 0.925),
    ("numeric_string", " 4 ", 0.75),
    ("up", "up", 1.0),
    ("thumbs_up", "Thumbs_Up", 1.0),
    ("emoji_up", "\U0001f44d", 1.0),
    ("emoji_up_skin_tone", "\U0001f44d\U0001f3fd", 1.0),
    ("true", True, 1.0),
    ("down", "down", 0.0),
    ("thumbs_down", "thumbs-down", 0.0),
    ("emoji_down", "\U0001f44e", 0.0),
    ("false", False, 0.0),
]


@pytest.mark.parametrize(("rating", "expected"), [case[1:] for case in RATINGS], ids=[case[0] for case in RATINGS])
def test_rating_to_quality_maps(rating: float | str, expected: float) -> None:
    assert rating_to_quality(rating) == expected


INVALID_RATINGS = [0, 6, -1, 5.01, "great", "0", "", math.nan, "nan", math.inf, None]


@pytest.mark.parametrize("rating", INVALID_RATINGS, ids=[repr(value) for value in INVALID_RATINGS])
def test_invalid_rating_raises(rating: object) -> None:
    with pytest.raises(InvalidRatingError) as caught:
        rating_to_quality(rating)  # type: ignore[arg-type]

    assert "1 to 5 stars, or up/down" in str(caught.value)
    assert repr(rating) in str(caught.value)


def test_invalid_rating_raises_from_score() -> None:
    with pytest.raises(InvalidRatingError):
        score("1989.", BERLIN_QUERY, rating=6)


def test_invalid_rating_is_value_error() -> None:
    with pytest.raises(ValueError):
        rating_to_quality("great")


# --- combination ----------------------------------------------------------------


def test_score_rounds_float_noise() -> None:
    # (2.2 - 1) / 4 is 0.30000000000000004 in floats, the same noise as 0.1 + 0.2.
    assert score(None, rating=2.2).score == 0.3
    # 0.25 * 1.0 + 0.75 * 0.8 sums to 0.8500000000000001 unrounded.
    assert score("1989.", BERLIN_QUERY, domain=Domain.FACTUAL, rating=4.2).score == 0.85


def test_weights_sum_to_one() -> None:
    result = score(PHOTOSYNTHESIS_ANSWER, PHOTOSYNTHESIS_QUERY, stop_reason="max_tokens", asks_list=True, rating=3)

    assert math.isclose(sum(result.weights.values()), 1.0)
    assert result.weights.keys() == result.signals.keys()


def test_score_is_weighted_mean() -> None:
    result = score("I'm not sure, but it was 1989.", BERLIN_QUERY, domain=Domain.FACTUAL, stop_reason="max_tokens")
    mean = sum(result.signals[name] * result.weights[name] for name in result.signals)

    assert result.score == round(mean, 6)


def test_low_threshold_is_argument() -> None:
    result = score("I'm not sure, but it was 1989.", BERLIN_QUERY, domain=Domain.FACTUAL, low_threshold=0.9)

    assert result.low_quality


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"response": "ok", "low_threshold": 1.5}, {"response": "ok", "expected_tokens": -1}],
    ids=["nothing_to_score", "threshold_above_one", "negative_expected_tokens"],
)
def test_invalid_arguments_raise(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        score_quality(**kwargs)


# --- provider failures ----------------------------------------------------------

FAILURES = [
    ("timeout", {"timed_out": True, "status_code": 200, "response": "hi"}, "timeout"),
    ("rate_limited", {"status_code": 429}, "rate_limited"),
    ("overloaded", {"status_code": 529}, "overloaded"),
    ("server_error_500", {"status_code": 500}, "server_error"),
    ("server_error_503", {"status_code": 503}, "server_error"),
    ("client_error", {"status_code": 400}, "error"),
    ("error_text", {"error": "connection reset by peer"}, "error"),
    ("empty_body", {"status_code": 200, "response": ""}, "empty_response"),
    ("whitespace_body", {"status_code": 200, "response": " \n\t"}, "empty_response"),
    ("ok_with_text", {"status_code": 200, "response": "The wall fell in 1989."}, None),
    ("blank_error_text", {"error": "  ", "response": "1989."}, None),
    ("unknown_body", {"status_code": 200}, None),
]


@pytest.mark.parametrize(("kwargs", "expected"), [case[1:] for case in FAILURES], ids=[case[0] for case in FAILURES])
def test_is_provider_failure_kinds(kwargs: dict, expected: str | None) -> None:
    assert is_provider_failure(**kwargs) == expected


# --- format expectations from a decision ----------------------------------------


def make_decision(domain: Domain, features: list[str]) -> RoutingDecision:
    classification = ClassifierResult(
        score=0.3,
        reasoning_depth=0.3,
        domain_specificity=0.3,
        output_sensitivity=0.3,
        domain=domain,
        domain_confidence=0.8,
        language="en",
        input_tokens=20,
        features=features,
    )
    return RoutingDecision(
        classification=classification,
        selected_tier=Tier.FAST,
        selected_model="test-model",
        estimated_input_tokens=20,
        estimated_output_tokens=200,
        estimated_cost_usd=0.001,
        baseline_cost_usd=0.01,
        estimated_savings_usd=0.009,
        reasoning="test",
        routing_table_version=1,
        cell=Cell(domain=domain, bucket=1),
    )


EXPECTATIONS = [
    ("coding", Domain.CODING, [], (True, None)),
    ("list_feature", Domain.GENERAL, ["list_request"], (None, True)),
    ("steps_feature", Domain.GENERAL, ["asks:steps"], (None, True)),
    ("enumerate_feature", Domain.GENERAL, ["keyword:Enumerate"], (None, True)),
    ("coding_with_list", Domain.CODING, ["list_request"], (True, True)),
    ("no_expectation", Domain.FACTUAL, ["question_mark", "specialist_term"], (None, None)),
]


@pytest.mark.parametrize(
    ("domain", "features", "expected"), [case[1:] for case in EXPECTATIONS], ids=[case[0] for case in EXPECTATIONS]
)
def test_derive_format_expectations(domain: Domain, features: list[str], expected: tuple) -> None:
    assert derive_format_expectations(make_decision(domain, features)) == expected
