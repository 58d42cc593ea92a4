"""Unit tests of the subdomain cell key and the classifier's knowledge, negation, part and word-problem signals."""

from __future__ import annotations

import pytest

from router.analysis import analyse_text
from router.classifier import classify
from router.models import Cell, Domain
from router.scoring import (
    domain_specificity,
    expert_knowledge,
    is_light_request,
    is_word_problem,
    reasoning_depth,
    score_text,
    word_problem_strength,
)
from router.structure import measure_structure


@pytest.mark.parametrize(
    ("key", "domain", "subdomain", "bucket"),
    [
        ("general:0", Domain.GENERAL, None, 0),
        ("science/physics:2", Domain.SCIENCE, "physics", 2),
        ("legal/law:4", Domain.LEGAL, "law", 4),
    ],
)
def test_cell_key_round_trip(key: str, domain: Domain, subdomain: str | None, bucket: int) -> None:
    cell = Cell.from_key(key)
    assert cell.domain is domain
    assert cell.subdomain == subdomain
    assert cell.bucket == bucket
    assert cell.key == key


@pytest.mark.parametrize("key", ["science", "science/:2", "science/Physics:2", "science/physics:x", "nope:1"])
def test_cell_key_invalid(key: str) -> None:
    with pytest.raises(ValueError):
        Cell.from_key(key)


@pytest.mark.parametrize(
    ("query", "subdomain"),
    [
        ("A ball is thrown with a velocity of 10 m/s. Find its kinetic energy and momentum.", "physics"),
        ("Can a tenant sue the landlord for breach of the lease in small claims court?", "law"),
        ("Is it morally wrong to break a promise to save a stranger? Discuss the ethics.", "ethics"),
        ("hi there", None),
    ],
)
def test_classify_subdomain(query: str, subdomain: str | None) -> None:
    assert classify(query).subdomain == subdomain


def test_route_cell_carries_subdomain() -> None:
    result = classify("A ball is thrown with a velocity of 10 m/s. Find its kinetic energy and momentum.")
    cell = Cell(domain=result.domain, subdomain=result.subdomain, bucket=1)
    assert cell.key == f"{result.domain.value}/physics:1"


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("Statement 1 | Every group is cyclic. Statement 2 | Every ring is a field.", 2),
        ("Scenario 1 | I lied. Scenario 2 | I helped.", 2),
        ("Which are true?\nI. a\nII. b\nIII. c", 3),
        ("Tell me about the case.", 0),
    ],
)
def test_structure_labelled_parts(text: str, parts: int) -> None:
    assert measure_structure(text.lower()).labelled_parts == parts


@pytest.mark.parametrize(("text", "negations"), [("which is not true, except one", 2), ("which is true", 0)])
def test_structure_negations(text: str, negations: int) -> None:
    assert measure_structure(text).negations == negations


def test_score_negation_raises() -> None:
    plain = score_text(analyse_text("Which of the following statements about enzymes is true?")).score
    negated = score_text(analyse_text("Which of the following statements about enzymes is NOT true?")).score
    assert negated > plain


def test_score_knowledge_raises() -> None:
    everyday = "Summarise the main points of the article I read this morning for my team."
    legal = "Summarise the plaintiff's negligence claim and the defendant's liability under the statute."
    assert expert_knowledge(analyse_text(legal)) > expert_knowledge(analyse_text(everyday))
    assert score_text(analyse_text(legal)).score > score_text(analyse_text(everyday)).score


def test_score_graded_length() -> None:
    short = "A shop sells pens at 3 dollars each. How much do 4 pens cost?"
    longer = (
        "A shop sells pens at 3 dollars each and notebooks at 5 dollars each. Maria buys 4 pens and twice as "
        "many notebooks, then returns one notebook and pays with a 50 dollar bill. How much change does she get?"
    )
    assert score_text(analyse_text(longer)).score > score_text(analyse_text(short)).score


ONE_STEP = "How many pens are left if I have 12 pens and give away 5?"
FOUR_STEPS = (
    "A shop sells pens at 3 dollars each. Maria buys 4 pens and 2 notebooks at 5 dollars each. "
    "She returns one notebook. How much does she pay in total?"
)


def test_word_problem_strength_steps() -> None:
    one_step = word_problem_strength(analyse_text(ONE_STEP))
    four_steps = word_problem_strength(analyse_text(FOUR_STEPS))
    assert one_step > 0.0
    assert one_step < four_steps
    assert four_steps < 1.0


def test_word_problem_strength_none() -> None:
    text = "Explain the difference between 2 and 3 phase motors in 4 sentences."
    assert word_problem_strength(analyse_text(text)) == 0.0


@pytest.mark.parametrize("query", [ONE_STEP, FOUR_STEPS])
def test_word_problem_domain_math(query: str) -> None:
    assert classify(query).domain is Domain.MATH


def test_word_problem_steps_raise() -> None:
    one_step = classify(ONE_STEP)
    four_steps = classify(FOUR_STEPS)
    assert four_steps.reasoning_depth > one_step.reasoning_depth
    assert four_steps.domain_specificity > one_step.domain_specificity


@pytest.mark.parametrize(
    "query",
    [
        "If Quinn is 30 and Trent is 5 years older, how old is Trent?",
        "Tom is 150 cm tall and Ann is 12 cm taller. How tall is Ann?",
        "Pens cost 3 dollars and notebooks 5 dollars. What's the total for 2 of each?",
        "I scored 45 out of 60 on the test. What percentage did I get right?",
        "My last runs took 31, 29 and 34 minutes. What is the average time?",
        "What is the sum of 17 and 25?",
        "What is the remainder when 47 is divided by 5?",
        "A coat costs 60 dollars after a 25% discount. What was the original price?",
        "A box holds 12 eggs and a crate 20 boxes. Find the total number of eggs in 3 crates.",
        "Ana tiene 12 años y su hermano 3 más. ¿Qué edad tiene su hermano?",
        "Lea ist 12 und ihr Bruder ist 3 Jahre älter. Wie alt ist ihr Bruder?",
        "Sur 40 élèves, 10 sont absents. Quel pourcentage est absent ?",
    ],
)
def test_word_problem_phrases(query: str) -> None:
    assert is_word_problem(analyse_text(query))


@pytest.mark.parametrize(
    "query",
    [
        "What was the capital of France in 1790 and in 1800?",
        "We moved in 2019 and have 2 dogs, what breed should we get next?",
        "How old is the Eiffel Tower?",
    ],
)
def test_word_problem_none_without_question(query: str) -> None:
    assert not is_word_problem(analyse_text(query))


def is_light(query: str) -> bool:
    analysis = analyse_text(query)
    return is_light_request(analysis, reasoning_depth(analysis), domain_specificity(analysis))


def test_light_request_age_lookup() -> None:
    assert is_light("How old is the Eiffel Tower?")


def test_light_request_age_puzzle() -> None:
    assert not is_light("If Quinn is 30 and Trent is 5 years older, how old is Trent?")


def test_light_request_greeting() -> None:
    assert is_light("hello, how are you?")
