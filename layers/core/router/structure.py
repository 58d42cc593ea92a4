"""Layout features of a text: lines, lists, questions, code and math notation.

Every count grows with the text and none is a ratio, so a longer version of a
request never counts less than a shorter one.
"""

from __future__ import annotations

from dataclasses import dataclass

from router.vocabulary_prebuilt import compile_pattern

# Each pattern starts with a literal character or a character class, which lets
# the regex engine skip ahead in a tight loop to where a match can begin. The
# line patterns read the text with a leading line break, so the first line counts.
_LIST_ITEM = compile_pattern(r"\n[ \t]*(?:[-*•+]|\d{1,3}[.)]|[a-z][.)])[ \t]+\S")
# Indented lines holding code punctuation, and lines ending in a brace or semicolon.
_INDENTED_CODE = compile_pattern(r"\n(?: {4}|\t)[ \t]*[^\s\-*•][^\n]*[;{}()=\[\]<>]")
_BRACE_LINE = compile_pattern(r"[;{}][ \t]*(?:\n|$)")
_OPERATORS = "\\-+*/^×÷=<>≤≥≠"
# "3 + 4", "12%", "2x" style arithmetic led by a digit.
_DIGIT_MATH = compile_pattern(rf"\d ?(?:[{_OPERATORS}] ?[\d(]|%)")
# "x = 5", "a+b", "f(x) = x^2": an operator after a one-letter name or a bracket.
_LETTER_MATH = compile_pattern(
    rf"[{_OPERATORS}](?:(?<=(?:\b[a-z]|\))[{_OPERATORS}])|(?<=(?:\b[a-z]|\)) [{_OPERATORS}])) ?(?:\d|[a-z]\b|\()"
)
# Math symbols and LaTeX commands.
_MATH_SYMBOL = compile_pattern(
    r"[\\√∑∫∏∞≤≥≠±∂∇∈∀∃](?:(?<=\\)(?:frac|sqrt|int|sum|prod|lim|cdot|times|leq?|geq?|neq|infty|"
    r"alpha|beta|theta|pi)\b|(?<!\\))"
)
_NUMBER = compile_pattern(r"\d+(?:[.,]\d+)?")
_SENTENCE_END = compile_pattern(r"[.!?。！？](?:\s|$)")
# Labelled parts a request asks to judge one by one: "Statement 1", "Scenario 2",
# "Case 3", and roman-numeral items ("I.", "II)") at the start of a line.
_LABELLED_PART = compile_pattern(
    r"(?:scenario|statement|case|claim|premise|assertion)s? (?:\d{1,2}|[ivx]{1,4})\b"
    r"|\n[ \t]*\(?(?:i{1,3}|iv|vi{0,3}|ix|x)[.)][ \t]"
)
# Words that turn a question around ("which is NOT", "all EXCEPT", "least likely").
_NEGATION_WORD = compile_pattern(r"\b(?:not|except|least|false|incorrect|never|cannot)\b|n't\b")


@dataclass(frozen=True, slots=True)
class Structure:
    """Layout counts of one analysed text."""

    lines: int
    paragraphs: int
    sentences: int
    list_items: int
    questions: int
    code_blocks: int  # fenced blocks
    code_lines: int  # indented code lines and lines ending in a brace or semicolon
    math_expressions: int
    numbers: int  # distinct numbers
    labelled_parts: int  # "Statement 1", "Scenario 2", roman-numeral items
    negations: int  # "not", "except", "least", ...

    @property
    def has_code(self) -> bool:
        return self.code_blocks > 0 or self.code_lines >= 2


def measure_structure(text: str) -> Structure:
    """Count the layout features of `text`."""
    fences = text.count("```") + text.count("~~~")
    lines = "\n" + text
    math_expressions = (
        len(_DIGIT_MATH.findall(text)) + len(_LETTER_MATH.findall(text)) + len(_MATH_SYMBOL.findall(text))
    )
    return Structure(
        lines=text.count("\n") + 1,
        paragraphs=text.count("\n\n") + 1,
        sentences=len(_SENTENCE_END.findall(text)) or 1,
        list_items=len(_LIST_ITEM.findall(lines)),
        questions=text.count("?") + text.count("？"),
        code_blocks=fences // 2,
        code_lines=len(_INDENTED_CODE.findall(lines)) + len(_BRACE_LINE.findall(text)),
        math_expressions=math_expressions,
        numbers=len(set(_NUMBER.findall(text))),
        labelled_parts=len(_LABELLED_PART.findall(lines)),
        negations=len(_NEGATION_WORD.findall(text)),
    )
