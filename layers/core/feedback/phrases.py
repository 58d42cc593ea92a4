"""Text patterns the quality signals look for: refusal and hedging phrases, code and lists.

Phrases are lower case, with the plain apostrophe, and match as whole words: the
matcher lower-cases the response and replaces typographic apostrophes first. Each
list covers English, Spanish, German, French, Portuguese and Italian.

NOTE: short phrases such as "ich kann nicht" and "je ne peux pas" also match a
model declining one detail ("je ne peux pas garantir"), so they can flag an
answered request as refused.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from router.vocabulary_prebuilt import compile_pattern

# A refusal means the user got no answer at all.
REFUSAL_PHRASES: tuple[str, ...] = (
    # English
    "i cannot help with",
    "i can't help with",
    "i can not help with",
    "i cannot assist",
    "i can't assist",
    "i cannot provide",
    "i can't provide",
    "i cannot comply",
    "i can't comply",
    "i'm unable to help",
    "i'm unable to assist",
    "i'm unable to provide",
    "i am unable to help",
    "i am unable to assist",
    "i am unable to provide",
    "i'm not able to help",
    "i am not able to help",
    "i won't be able to help",
    "i must decline",
    "sorry, but i can't",
    "sorry, but i cannot",
    # Spanish
    "no puedo ayudar",
    "no puedo ayudarte",
    "no puedo asistir",
    "no puedo proporcionar",
    "no me es posible ayudar",
    # German
    "ich kann nicht",
    "ich kann dir nicht helfen",
    "ich kann ihnen nicht helfen",
    "ich kann dabei nicht helfen",
    "ich kann dir dabei nicht helfen",
    "ich kann ihnen dabei nicht helfen",
    "dabei kann ich nicht helfen",
    "ich bin nicht in der lage",
    # French
    "je ne peux pas",
    "je ne suis pas en mesure de",
    # Portuguese
    "não posso ajudar",
    "não posso fornecer",
    "não consigo ajudar",
    "não sou capaz de",
    # Italian
    "non posso aiutare",
    "non posso aiutarti",
    "non sono in grado di",
)

# Hedging still comes with an answer, but one the model itself doubts.
HEDGING_PHRASES: tuple[str, ...] = (
    # English
    "i'm not sure",
    "i am not sure",
    "i'm not entirely sure",
    "i'm not certain",
    "i am not certain",
    "i'm unsure",
    "i don't know",
    "i do not know",
    "i might be wrong",
    "i could be wrong",
    "i may be mistaken",
    "i cannot be certain",
    "i can't be certain",
    "it's hard to say",
    "as an ai",
    "as a language model",
    # Spanish
    "no estoy seguro",
    "no estoy segura",
    "no tengo certeza",
    "no lo sé",
    "podría estar equivocado",
    "podría estar equivocada",
    "como ia",
    "como modelo de lenguaje",
    # German
    "ich bin mir nicht sicher",
    "ich bin nicht sicher",
    "ich weiß nicht",
    "ich weiss nicht",
    "ich könnte mich irren",
    "als ki",
    "als sprachmodell",
    # French
    "je ne suis pas sûr",
    "je ne suis pas sûre",
    "je ne suis pas certain",
    "je ne suis pas certaine",
    "je ne sais pas",
    "je peux me tromper",
    "en tant qu'ia",
    "en tant que modèle de langage",
    # Portuguese
    "não tenho certeza",
    "não estou certo",
    "não estou certa",
    "não sei",
    "posso estar enganado",
    "posso estar enganada",
    "como uma ia",
    "como modelo de linguagem",
    # Italian
    "non sono sicuro",
    "non sono sicura",
    "non lo so",
    "potrei sbagliarmi",
    "come ia",
)

_TYPOGRAPHIC_APOSTROPHES = str.maketrans({"\u2019": "'", "\u02bc": "'", "\u2018": "'"})


def compile_phrases(phrases: Iterable[str]) -> re.Pattern[str]:
    """Compile `phrases` into one case-insensitive pattern that matches whole words only.

    Longer phrases come first so the alternation reports the most specific match,
    and any run of whitespace in the text matches the single space of a phrase.
    Phrases of equal length are sorted too, because set order changes with the
    hash seed and the stored regex code is looked up by the exact source.
    """
    ordered = sorted(set(phrases), key=lambda phrase: (-len(phrase), phrase))
    alternatives = [r"\s+".join(re.escape(word) for word in phrase.split()) for phrase in ordered]
    return compile_pattern(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


def normalize_text(text: str) -> str:
    """Return `text` in NFC form, lower case, with typographic apostrophes made plain."""
    return unicodedata.normalize("NFC", text).translate(_TYPOGRAPHIC_APOSTROPHES).lower()


REFUSAL_PATTERN = compile_phrases(REFUSAL_PHRASES)
HEDGING_PATTERN = compile_phrases(HEDGING_PHRASES)


# Lines that start the way code does in common languages, shells and SQL. Prose
# lines start with a capital letter, so lowercase keywords rarely match them.
_CODE_LINE = compile_pattern(
    r"^\s*(?:def |class |import |from [\w.]+ import |#include\b|function\b|const |let |var |fn |func "
    r"|public |private |package |return\b|SELECT |INSERT INTO |CREATE TABLE |\$ \S|>>> )",
    re.MULTILINE,
)
_CODE_FENCE = compile_pattern(r"^ {0,3}(?:```|~~~)", re.MULTILINE)
# Inline code with a call or an assignment, such as `sorted(items)` or `x = 1`.
_INLINE_CODE = compile_pattern(r"`[^`\n]*[(=][^`\n]*`")
# Lines ending in `;`, `{` or `}` need company before they count as code.
_CODE_PUNCTUATION_LINE = compile_pattern(r"[;{}]\s*$", re.MULTILINE)
_LIST_ITEM = compile_pattern(r"^\s*(?:[-*+\u2022]|\d{1,3}[.)])\s+\S", re.MULTILINE)
_INDENT = ("    ", "\t")


def has_code(text: str) -> bool:
    """Check whether `text` contains code: a fence, a code-like line, inline code or an indented block."""
    if _CODE_FENCE.search(text) or _CODE_LINE.search(text) or _INLINE_CODE.search(text):
        return True
    return len(_CODE_PUNCTUATION_LINE.findall(text)) >= 2 or _has_indented_block(text)


def _has_indented_block(text: str) -> bool:
    """Check for two consecutive indented lines that are not list items."""
    run = 0
    for line in text.splitlines():
        if line.startswith(_INDENT) and line.strip() and not _LIST_ITEM.match(line):
            run += 1
            if run >= 2:
                return True
        else:
            run = 0
    return False


def has_list(text: str) -> bool:
    """Check whether `text` contains a list of at least two bulleted or numbered items."""
    return len(_LIST_ITEM.findall(text)) >= 2
