"""Complexity sub-scores and the overall score of an analysed text.

Every signal is graded. Counts and summed term weights pass through
`saturate`, which rises steeply at first and flattens towards 1, so a second
reasoning marker adds less than the first. No single kind of signal can carry
the score alone. Signals of one sub-score combine as a noisy OR (the
chance that at least one of them demands a strong model).

score = max(demand score, benchmark blend)
demand score    = 0.40 reasoning_depth + 0.30 domain_specificity
                  + 0.15 output_sensitivity + 0.15 length_structure
benchmark blend = 0.60 graded length + 0.20 knowledge + 0.20 negation
                  + 0.10 labelled parts + 0.10 reasoning_depth
                  + 0.05 domain_specificity + 0.05 output_sensitivity

In the blend, length carries most weight because it ranks requests of one kind best: on the
public evaluation data (see docs/evaluation.md) a longer exam question or word
problem is more often one that only the stronger model answers. Knowledge is
the summed weight of subject terms (law, ethics, physics, ...); negation words
("which is NOT", "all EXCEPT") and labelled parts ("Statement 1", "Scenario
2") mark questions that must be read with care. The demand score, what the
request's own words ask for, is a floor, so a short request full of reasoning
and specialist demands is never ranked by its length alone.

A word problem (a quantity question with two or more numbers) adds to
reasoning_depth, domain_specificity and output_sensitivity in proportion to
`word_problem_strength`, which grows with its sentences. The demand score is
the floor for most word problems, so a fixed bonus there would order them by
which phrases the vocabulary happens to detect instead of by their size.

The engine maps the score to tiers at 0.30 and 0.60.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from router.analysis import TextAnalysis
from router.models import Domain
from router.vocabulary import MARKER
from router.vocabulary_markers import (
    CHITCHAT,
    CLOSING,
    CONSTRAINT,
    FORMAT,
    GREETING,
    LOOKUP,
    NUMBER_WORD,
    PRECISION,
    QUANTITY,
    REASONING,
    REWRITE,
    SEQUENCE,
)

# NOTE: in the blend length weighs most, so a long easy paste scores high
# (LIGHT_REQUEST_FACTOR lowers only greetings, lookups and small rewrites), and
# a short hard request with few reasoning or subject terms ("prove the halting
# problem is undecidable") gets only its low demand score.
WEIGHT_REASONING = 0.10
WEIGHT_DOMAIN = 0.05
WEIGHT_OUTPUT = 0.05
WEIGHT_LENGTH = 0.60
WEIGHT_KNOWLEDGE = 0.20
WEIGHT_NEGATION = 0.20
WEIGHT_PARTS = 0.10
# Subject-term weight at which the knowledge signal reaches about 0.63.
KNOWLEDGE_SCALE = 4.0

# Domains whose vocabulary is specialist knowledge. Analysis words are common in
# business prose and creative requests need craft more than knowledge, so these
# count for less.
SPECIALIST_DOMAINS = {
    Domain.CODING.value: 1.0,
    Domain.MATH.value: 1.0,
    Domain.SCIENCE.value: 1.0,
    Domain.MEDICAL.value: 1.0,
    Domain.LEGAL.value: 1.0,
    Domain.FINANCE.value: 1.0,
    Domain.ANALYSIS.value: 0.6,
    Domain.CREATIVE.value: 0.4,
}
# Share of each subject's terms in the knowledge signal. Moral judgment, law,
# formal logic, accounting and computing questions turn on fine distinctions
# that smaller models get wrong most often; other sciences and professions
# count at DEFAULT_SUBJECT_SHARE. Math has its own signals (notation, numbers,
# word problems) and history and geography are recall more than expertise, so
# neither adds knowledge weight.
SUBJECT_SHARES = {
    "analysis/ethics": 1.0,
    "analysis/logic": 1.0,
    "legal/law": 1.0,
    "finance/accounting": 1.0,
    "coding/computing": 1.0,
    "math/algebra": 0.0,
    "math/arithmetic": 0.0,
    "math/geometry": 0.0,
    "math/statistics": 0.0,
    "factual/history": 0.0,
}
DEFAULT_SUBJECT_SHARE = 0.4
LIGHT_MARKERS = (GREETING, CLOSING, CHITCHAT, LOOKUP, REWRITE)
# A light request (greeting, lookup, small rewrite) without real reasoning or
# specialist content keeps this share of its score.
LIGHT_REQUEST_FACTOR = 0.75
# Content words (and specialist terms) a message needs before its reasoning
# markers count in full. "think step by step :)" alone asks for nothing.
FULL_CONTENT_WORDS = 5.0
# Sentences at which a word problem earns about 0.63 of its signals (0.31 at
# three). Each sentence of a word problem is roughly one step of its solution.
# A fixed bonus would rank every word problem the quantity phrases detect
# above every one they miss ("what is his net profit?"), whatever its size.
# NOTE: at the engine's 0.30 threshold, most word problems of up to four
# sentences therefore stay on Tier 1, although a weaker model gets word
# problems wrong more often than a strong one.
WORD_PROBLEM_SENTENCES = 8.0
# Math-domain evidence that a word problem adds, whatever its size.
WORD_PROBLEM_EVIDENCE = 0.8
# Tokens at which the length signal reaches 1, and the length from which a
# request is never scored as trivial: long documents need the mid tier's
# long-context quality whatever they ask.
FULL_LENGTH_TOKENS = 2_000
LONG_INPUT_TOKENS = 4_000
LONG_INPUT_MIN_SCORE = 0.35


@dataclass(frozen=True, slots=True)
class SubScores:
    """The sub-scores of one text and the overall score they give."""

    reasoning_depth: float
    domain_specificity: float
    output_sensitivity: float
    length_structure: float
    score: float


def saturate(value: float, scale: float) -> float:
    """Map a non-negative amount to [0, 1): about 0.63 at `scale`, 0.86 at twice it."""
    return 1.0 - math.exp(-max(value, 0.0) / scale)


def noisy_or(*chances: float) -> float:
    """Chance that at least one of independent signals fires."""
    remaining = 1.0
    for chance in chances:
        remaining *= 1.0 - min(max(chance, 0.0), 1.0)
    return 1.0 - remaining


def quantity_count(analysis: TextAnalysis) -> int:
    """Distinct numbers in the text, written as numerals or as words ("twice", "half")."""
    number_words = analysis.evidence.terms.get((MARKER, NUMBER_WORD), ())
    return analysis.structure.numbers + len(number_words)


def is_word_problem(analysis: TextAnalysis) -> bool:
    """Return whether the text asks for a quantity ("how many") and gives at least two numbers."""
    # NOTE: detection rests on the quantity phrases of the vocabulary. A question
    # that names its quantity as a noun ("what is his net profit?", "what is the
    # cost per serving?") is no word problem here. Answer options count as
    # numbers, so a multiple-choice fact question ("what percentage of ...?
    # A. 2% B. 4%") counts as a word problem.
    return analysis.evidence.marker(QUANTITY) > 0 and quantity_count(analysis) >= 2


def word_problem_strength(analysis: TextAnalysis) -> float:
    """Share in [0, 1) of the word-problem signals the text earns: 0 unless it is one, rising with its sentences."""
    if not is_word_problem(analysis):
        return 0.0
    return saturate(analysis.structure.sentences, WORD_PROBLEM_SENTENCES)


def code_weight(analysis: TextAnalysis) -> float:
    """Coding evidence of the layout: fenced blocks and code-shaped lines."""
    structure = analysis.structure
    return 1.5 * min(structure.code_blocks, 2) + 0.15 * min(structure.code_lines, 10)


def math_weight(analysis: TextAnalysis) -> float:
    """Math evidence of the layout: notation and word problems."""
    notation = 0.3 * min(analysis.structure.math_expressions, 3)
    return notation + (WORD_PROBLEM_EVIDENCE if is_word_problem(analysis) else 0.0)


def specialist_weight(analysis: TextAnalysis) -> float:
    """Summed specialist-domain evidence of the text, layout included."""
    evidence = analysis.evidence
    weight = sum(evidence.domain(label) * share for label, share in SPECIALIST_DOMAINS.items())
    return weight + code_weight(analysis) + math_weight(analysis)


def content_factor(analysis: TextAnalysis) -> float:
    """Share of their weight that reasoning markers keep, by how much else the text says."""
    substance = analysis.content_words + 1.5 * specialist_weight(analysis) + min(analysis.structure.math_expressions, 4)
    return min(1.0, substance / FULL_CONTENT_WORDS)


def reasoning_depth(analysis: TextAnalysis) -> float:
    evidence = analysis.evidence
    structure = analysis.structure
    markers = 0.85 * saturate(evidence.marker(REASONING) * content_factor(analysis), 1.2)

    # Every number a request gives is roughly one more step of arithmetic or one
    # more fact to keep straight. A quantity question ("how many") makes it a
    # word problem, which weighs more the more sentences (steps) it has.
    numeric = 0.5 * saturate(quantity_count(analysis), 5.0)
    word_problem = 0.25 * word_problem_strength(analysis)
    notation = 0.5 * saturate(structure.math_expressions, 3.0)
    math_terms = 0.5 * saturate(evidence.domain(Domain.MATH.value), 2.0)

    step_count = (
        evidence.marker(SEQUENCE)
        + 0.05 * max(0, structure.list_items - 1)
        + 0.03 * min(max(0, structure.sentences - 2), 10)
    )
    steps = 0.6 * saturate(step_count, 1.5)
    constraints = 0.5 * saturate(evidence.marker(CONSTRAINT), 1.0)
    questions = min(0.2, 0.1 * max(0, structure.questions - 1))
    return noisy_or(markers, numeric, word_problem, notation, math_terms, steps, constraints, questions)


def domain_specificity(analysis: TextAnalysis) -> float:
    # A word problem of any size is evidence of the math domain, but it demands
    # specialist skill only as far as its strength goes.
    unearned = WORD_PROBLEM_EVIDENCE * (float(is_word_problem(analysis)) - word_problem_strength(analysis))
    return saturate(specialist_weight(analysis) - unearned, 2.5)


def output_sensitivity(analysis: TextAnalysis, high_stakes: bool) -> float:
    evidence = analysis.evidence
    structure = analysis.structure
    code = structure.has_code or evidence.domain(Domain.CODING.value) >= 1.0
    return noisy_or(
        0.6 * saturate(evidence.marker(CONSTRAINT), 1.0),
        0.5 * saturate(evidence.marker(FORMAT), 0.8),
        0.6 * saturate(evidence.marker(PRECISION), 0.8),
        0.7 if high_stakes else 0.0,
        0.3 if code else 0.0,
        # A word problem requests one exact result.
        0.2 * word_problem_strength(analysis),
    )


def length_structure(analysis: TextAnalysis) -> float:
    structure = analysis.structure
    length = min(1.0, math.log2(1 + analysis.tokens / 10) / math.log2(1 + FULL_LENGTH_TOKENS / 10))
    layout = (
        0.03 * min(structure.lines - 1, 40)
        + 0.06 * min(structure.list_items, 12)
        + 0.10 * min(structure.paragraphs - 1, 10)
        + 0.30 * min(structure.code_blocks, 3)
    )
    return 0.75 * length + 0.25 * saturate(layout, 1.5)


def graded_length(analysis: TextAnalysis) -> float:
    """Log-scaled length in [0, 1]: 0.34 at 50 tokens, 0.45 at 100, 0.65 at 300, 1 at 2,000."""
    return min(1.0, math.log2(1 + analysis.tokens / 10) / math.log2(1 + FULL_LENGTH_TOKENS / 10))


def expert_knowledge(analysis: TextAnalysis) -> float:
    """Summed subject-term weight, each subject counted at its share in `SUBJECT_SHARES`."""
    subjects = analysis.evidence.subjects
    return sum(weight * SUBJECT_SHARES.get(label, DEFAULT_SUBJECT_SHARE) for label, weight in subjects.items())


def is_light_request(analysis: TextAnalysis, reasoning: float, specificity: float) -> bool:
    """Return whether the text is a greeting, a lookup or a small rewrite and nothing harder."""
    # A lookup or chat phrase inside a word problem ("how old is Ann if ...",
    # "my favorite popsicles cost $2 a box") does not make the computation light.
    if is_word_problem(analysis):
        return False
    light = any(analysis.evidence.marker(label) for label in LIGHT_MARKERS)
    return light and reasoning < 0.3 and specificity < 0.3


def demand_score(reasoning: float, specificity: float, sensitivity: float, length: float) -> float:
    """What the request's words ask for: reasoning, specialist domain, output demands and length."""
    return 0.40 * reasoning + 0.30 * specificity + 0.15 * sensitivity + 0.15 * length


def score_text(analysis: TextAnalysis, high_stakes: bool = False) -> SubScores:
    """Compute the sub-scores and the overall complexity score of `analysis`."""
    reasoning = reasoning_depth(analysis)
    specificity = domain_specificity(analysis)
    sensitivity = output_sensitivity(analysis, high_stakes)
    layout = length_structure(analysis)
    structure = analysis.structure
    length = graded_length(analysis)
    score = (
        WEIGHT_REASONING * reasoning
        + WEIGHT_DOMAIN * specificity
        + WEIGHT_OUTPUT * sensitivity
        + WEIGHT_LENGTH * length
        + WEIGHT_KNOWLEDGE * saturate(expert_knowledge(analysis), KNOWLEDGE_SCALE)
        + WEIGHT_NEGATION * saturate(min(structure.negations, 3), 1.0)
        + WEIGHT_PARTS * saturate(structure.labelled_parts, 2.0)
    )
    # The request's own demands (reasoning, specialist terms, output constraints)
    # set a floor, so a short hard request is never ranked by its length alone.
    score = max(score, demand_score(reasoning, specificity, sensitivity, layout))
    if is_light_request(analysis, reasoning, specificity):
        score *= LIGHT_REQUEST_FACTOR
    if analysis.tokens >= LONG_INPUT_TOKENS:
        score = max(score, LONG_INPUT_MIN_SCORE)
    return SubScores(reasoning, specificity, sensitivity, layout, min(1.0, max(0.0, score)))
