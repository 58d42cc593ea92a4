"""Unit tests of the subdomain cell key and the classifier's knowledge, negation, part and word-problem signals."""

from __future__ import annotations

import pytest

from router.analysis import analyse_text
from router.classifier import classify
from router.models import Cell, Domain
from router.scoring import expert_knowledge, score_text, word_problem_strength
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
