"""Language detection and input-token estimates, without a model.

Detection reads the script of the letters first: kana means Japanese, hangul
Korean, CJK ideographs alone Chinese, and Cyrillic, Greek, Arabic, Hebrew,
Devanagari and Thai name their most common language. Latin text is distinguished
by counting common function words of English, Spanish, German, French,
Portuguese, Italian and Dutch. Text with no such clue is "und" (undetermined).
"""

from __future__ import annotations

import re

from router.vocabulary_prebuilt import compile_pattern

UNDETERMINED = "und"
# Detection reads the start of the text, because a language shows within a few sentences.
DETECTION_CHARS = 1_000
# Latin-script text needs this many function words of one language, or this
# share of its words, to be detected.
MIN_STOPWORDS = 3
MIN_STOPWORD_SHARE = 0.15

_KANA = compile_pattern("[\u3040-\u30ff]")
_HANGUL = compile_pattern("[\uac00-\ud7af\u1100-\u11ff]")
_HAN = compile_pattern("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_LETTER = compile_pattern("[a-z\u00c0-\u024f]")
_LATIN_WORD = compile_pattern("[a-z\u00c0-\u024f']+")

# Alphabets that name one language here, and letters that tell close ones apart.
_SCRIPTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ru", compile_pattern("[\u0400-\u04ff]")),
    ("el", compile_pattern("[\u0370-\u03ff]")),
    ("ar", compile_pattern("[\u0600-\u06ff]")),
    ("he", compile_pattern("[\u0590-\u05ff]")),
    ("hi", compile_pattern("[\u0900-\u097f]")),
    ("th", compile_pattern("[\u0e00-\u0e7f]")),
)
_UKRAINIAN_LETTERS = compile_pattern("[іїєґ]")
_PERSIAN_LETTERS = compile_pattern("[پچژگ]")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Function words that are frequent in one language and rare in the others. The
# greeting words let one-word messages ("hola", "danke") be detected too.
_STOPWORDS: dict[str, frozenset[str]] = {
    "en": _words(
        "the a and is are was were of to in that it for with this you what how why "
        "can do does i my me be have has not on at from an or which who please if "
        "as by all any so about your will would should there their they we our its "
        "than then when where write make give tell explain hi hello hey thanks"
    ),
    "es": _words(
        "el la los las de es son del que en y un una por para con como qué cómo cuál "
        "mi mis se no lo le su al pero más sobre este esta hola gracias está puedo"
    ),
    "de": _words(
        "der die das ist sind und nicht ein eine einen mit für von zu zum auf ich du wie "
        "was warum kann den dem es bitte hallo danke mein meine meinem meinen"
    ),
    "fr": _words(
        "le la les de est sont et un une des du pour avec dans que qui ce je vous il "
        "comment pourquoi quel quelle pas sur mon ma mes au j'ai d'un d'une c'est "
        "bonjour merci"
    ),
    "pt": _words(
        "o a os as de é são e um uma do da dos das para com em que não como por "
        "meu minha sobre você olá obrigado obrigada isso"
    ),
    "it": _words("il lo la gli le di è sono e un una del della per con che non come perché mio mia ciao grazie"),
    "nl": _words("de het een is zijn en van voor met niet ik je hoe wat waarom dat dit mijn hallo bedankt"),
}
_LANGUAGE_OF_WORD: dict[str, tuple[str, ...]] = {}
for _language, _language_words in _STOPWORDS.items():
    for _word in _language_words:
        _LANGUAGE_OF_WORD[_word] = (*_LANGUAGE_OF_WORD.get(_word, ()), _language)


def detect_language(text: str) -> str:
    """ISO 639-1 code of the language of `text` (lower case expected), or "und"."""
    sample = text[:DETECTION_CHARS]
    if not sample.isascii():
        by_script = _language_by_script(sample)
        if by_script:
            return by_script
    return _latin_language(sample)


def _language_by_script(sample: str) -> str | None:
    # CJK characters each carry about a word, so weigh them against Latin letters
    # at three letters a character: an English sentence quoting one Chinese word
    # stays English, and "用python实现…" stays Chinese.
    latin = len(_LATIN_LETTER.findall(sample))
    kana = len(_KANA.findall(sample))
    hangul = len(_HANGUL.findall(sample))
    han = len(_HAN.findall(sample))
    if 3 * (kana + hangul + han) > latin:
        if kana:
            return "ja"
        if hangul >= han:
            return "ko"
        return "zh"

    best, best_count = None, 0
    for language, pattern in _SCRIPTS:
        count = len(pattern.findall(sample))
        if count > best_count:
            best, best_count = language, count
    if best is None or best_count * 2 < latin:
        return None
    if best == "ru" and _UKRAINIAN_LETTERS.search(sample):
        return "uk"
    if best == "ar" and _PERSIAN_LETTERS.search(sample):
        return "fa"
    return best


def _latin_language(sample: str) -> str:
    counts: dict[str, int] = {}
    words = _LATIN_WORD.findall(sample)
    for word in words:
        for language in _LANGUAGE_OF_WORD.get(word, ()):
            counts[language] = counts.get(language, 0) + 1
    if not counts:
        return UNDETERMINED
    # One or two function words among many others are chance ("je" in Swahili).
    top_count = max(counts.values())
    if top_count < MIN_STOPWORDS and top_count < MIN_STOPWORD_SHARE * len(words):
        return UNDETERMINED
    # Ties go to the language listed first in _STOPWORDS, English before the rest.
    return max(counts, key=lambda language: (counts[language], language == "en"))


# Estimated characters per token. Modern tokenizers average about four characters
# of English (and other Latin-script text) per token, about one CJK character per
# token, and about three characters per token for other alphabets. These are
# estimates for cost planning, not tokenizer output.
LATIN_CHARS_PER_TOKEN = 4
OTHER_ALPHABET_CHARS_PER_TOKEN = 3
# Characters are classified by the lead byte of their UTF-8 encoding, which
# bytes.translate counts in one C-speed pass, where a regex took about 40 ms on a
# 200,000-character CJK text. Lead bytes E3-ED start U+3000-U+DFFF (CJK
# punctuation, kana, ideographs, hangul). Lead bytes CD-DF and E0 start
# U+0340-U+0FFF (Greek, Cyrillic, Hebrew, Arabic, Devanagari, Thai and neighbours).
_CJK_LEAD_BYTES = bytes(range(0xE3, 0xEE))
_OTHER_ALPHABET_LEAD_BYTES = bytes(range(0xCD, 0xE1))


def estimate_tokens(text: str) -> int:
    """Estimate the input tokens of `text` from its characters, by script."""
    if not text:
        return 0
    if text.isascii():
        return -(-len(text) // LATIN_CHARS_PER_TOKEN)
    encoded = text.encode("utf-8", "surrogatepass")
    cjk = len(encoded) - len(encoded.translate(None, _CJK_LEAD_BYTES))
    other_alphabet = len(encoded) - len(encoded.translate(None, _OTHER_ALPHABET_LEAD_BYTES))
    latin = len(text) - cjk - other_alphabet
    return cjk + -(-other_alphabet // OTHER_ALPHABET_CHARS_PER_TOKEN) + -(-latin // LATIN_CHARS_PER_TOKEN)
