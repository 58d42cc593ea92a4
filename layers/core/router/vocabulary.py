"""Term vocabularies of the classifier, compiled at import into three combined regexes.

The `vocabulary_*` modules list terms as `|`-separated strings, each group with
a kind, a label and a weight. A term is lower case and may use two operators:

- a space, or a hyphen between letters, matches any run of whitespace and
  hyphens, so "lock free" also finds "lock-free" and "lock  free";
- a `*` at the end of a word accepts any further letters, so "debug*" finds
  "debugging" and "vertrag*" finds "Vertragsprüfung".

Matching rules:

- A term written in an alphabet (Latin, Greek, Cyrillic) matches whole words:
  neither a letter nor a digit may come before it and no letter after it, so
  "ping" is not found in "shipping" nor "error" in "terrorism". Digits may
  follow ("python3"). A term that starts or ends with a symbol ("c++",
  "#include") has no boundary on that side.
- CJK, kana and hangul terms match as substrings, because these scripts do not
  separate words. Their characters also count as boundaries for alphabetic
  terms, so "用python实现" finds "python".

Terms are compiled into three trie-shaped regexes (alphabetic terms that start
with a letter or digit, terms that start with a symbol, CJK terms), so a text
is scanned a fixed number of times however many terms there are.
`router.vocabularies` loads the shared vocabulary's regexes from stored code
instead of compiling them (router.vocabulary_prebuilt).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import NamedTuple

from router.vocabulary_prebuilt import compile_pattern

# Scripts written without spaces between words: kana, CJK ideographs, hangul.
CJK_CHARS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
# `re` takes about 3 ms to compile a class of such large ranges, so this one and
# the alphabet classes below come from stored code (router.vocabulary_prebuilt).
CJK_RE = compile_pattern(f"[{CJK_CHARS}]")

# Lower-case letters of the Latin, Greek and Cyrillic alphabets, the ones the
# vocabularies are written in. Matching runs on lower-cased text.
_ALPHABET = "a-z\u00df-\u00f6\u00f8-\u024f\u0370-\u03ff\u0400-\u052f\u1e00-\u1eff"
_ALPHABET_LETTER = compile_pattern(f"[{_ALPHABET}]")
_LETTERS = compile_pattern(f"[{_ALPHABET}]+")
# The regex compiler is pure Python and the tries hold thousands of atoms, so the
# pieces below are kept cheap to compile: a class with large Unicode ranges costs
# about 0.2 ms per copy. The right boundary checks ASCII letters only and appears
# once per regex, and `Vocabulary.find` checks the other letters. A star may
# swallow CJK characters, which `_lookup_uncached` trims off again.
_RIGHT_BOUNDARY = "(?![a-z])"
_STAR_LETTERS = r"[^\W\d_]*"
_SEPARATOR = r"[\s\-]+"

# Trie atoms that are not literal characters.
_SEP = "\x00sep"
_STAR = "\x00star"
_END = "\x00end"
_ATOM_RANK = {_SEP: 1, _STAR: 2, _END: 3}

_SPACES = re.compile(r"\s+")
_HYPHEN_BETWEEN_WORDS = re.compile(r"(?<=\w)-+(?=\w)")
_WORD_CHAR = re.compile(r"\w")
# re.escape of each character met so far: building the tries escapes tens of thousands of characters.
_ESCAPED: dict[str, str] = {}

# Kinds of term. A group's label names a Domain value for DOMAIN terms, the
# area of harm for STAKES terms, the signal for MARKER terms and a
# "domain/subject" pair for SUBJECT terms.
DOMAIN = "domain"
SUBJECT = "subject"
STAKES = "stakes"
MARKER = "marker"
NEGATION = "negation"


class Term(NamedTuple):
    """One vocabulary entry: the term as written in its group, and what it signals."""

    term: str
    kind: str
    label: str
    weight: float


class Hit(NamedTuple):
    """A match in the analysed text: its character span and the terms it stands for."""

    start: int
    end: int
    terms: tuple[Term, ...]


class _Lookup(NamedTuple):
    terms: tuple[Term, ...]
    length: int  # characters of the match that belong to the term
    needs_boundary: bool  # the term ends in a letter or digit


def split_terms(spec: str) -> list[str]:
    """Split a `|`-separated group into stripped, lower-case terms."""
    return [term.strip().lower() for term in spec.split("|") if term.strip()]


def is_cjk_term(term: str) -> bool:
    return CJK_RE.search(term) is not None


def canonical_form(text: str) -> str:
    """Collapse whitespace, and hyphens between words, to one space: the lookup key of a match."""
    if " " in text or "-" in text or "\n" in text or "\t" in text:
        text = _HYPHEN_BETWEEN_WORDS.sub(" ", _SPACES.sub(" ", text))
    return text


def _atoms(term: str) -> list[str]:
    """Trie atoms of `term`: literal characters, separators, stars and an end atom."""
    atoms: list[str] = []
    for index, char in enumerate(term):
        is_hyphen_separator = (
            char == "-"
            and 0 < index < len(term) - 1
            and _WORD_CHAR.match(term[index - 1])
            and _WORD_CHAR.match(term[index + 1])
        )
        if char == " " or is_hyphen_separator:
            if atoms and atoms[-1] != _SEP:
                atoms.append(_SEP)
        elif char == "*":
            at_word_end = index == len(term) - 1 or term[index + 1] == " "
            if index == 0 or not _WORD_CHAR.match(term[index - 1]) or not at_word_end:
                raise ValueError(f"term {term!r}: '*' may only end a word")
            atoms.append(_STAR)
        else:
            escaped = _ESCAPED.get(char)
            if escaped is None:
                escaped = _ESCAPED[char] = re.escape(char)
            atoms.append(escaped)
    atoms.append(_END)
    return atoms


def _ends_in_letter(term: str) -> bool:
    last = term.rstrip("*")[-1]
    return _WORD_CHAR.match(last) is not None and not is_cjk_term(last)


def _atom_order(atom: str) -> tuple[int, str]:
    return _ATOM_RANK.get(atom, 0), atom


def _atom_regex(atom: str) -> str:
    if atom == _SEP:
        return _SEPARATOR
    if atom == _STAR:
        return _STAR_LETTERS
    if atom == _END:
        return ""
    return atom


def trie_regex(terms: Iterable[str]) -> str:
    """Build one regex matching any of `terms`, factored as a trie of shared prefixes.

    A plain alternation makes the regex engine try every term at every position.
    Factoring common prefixes leaves about one branch test per character.
    """
    root: dict = {}
    for term in terms:
        node = root
        for atom in _atoms(term):
            node = node.setdefault(atom, {})

    def to_regex(node: dict) -> str:
        if not node:  # the node after an end atom
            return ""
        if len(node) == 1:  # most nodes: the rest of one term
            (atom,) = node
            return _atom_regex(atom) + to_regex(node[atom])
        # Regex alternation takes the first branch that succeeds, not the longest:
        # literal characters and separators go before end atoms so "step by step"
        # is tried before "step".
        order = sorted(node, key=_atom_order)
        return "(?:" + "|".join(_atom_regex(atom) + to_regex(node[atom]) for atom in order) + ")"

    return to_regex(root) if root else "(?!)"


def _words_match(pattern: tuple[str, ...], words: list[str]) -> bool:
    """Return whether `words` fit `pattern`, where a word ending in `*` accepts further letters."""
    if len(pattern) != len(words):
        return False
    for expected, word in zip(pattern, words, strict=True):
        if expected.endswith("*"):
            stem = expected[:-1]
            rest = word[len(stem) :]
            if not word.startswith(stem) or (rest and not _LETTERS.fullmatch(rest)):
                return False
        elif expected != word:
            return False
    return True


def regex_sources(alphabetic: set[str], cjk: set[str]) -> tuple[str, str, str]:
    """Return the sources of the word, symbol and CJK regexes for the given terms."""
    word_start = {term for term in alphabetic if _WORD_CHAR.match(term[0])}
    word_end = {term for term in word_start if _ends_in_letter(term)}
    symbol_start = alphabetic - word_start
    # The word regex starts by consuming the character before the term, which
    # must not be a letter or digit. A pattern that starts with a character class
    # lets the regex engine skip the letters inside words in a tight loop instead
    # of trying the trie at every position: about twice as fast as a lookbehind.
    # Terms that end in a symbol go first, so "print(" wins over "print". When
    # the boundary after a word fails, the engine backtracks into the trie and
    # tries shorter terms ("step" when "step by step" is followed by "ping").
    word = (
        f"[^0-9{_ALPHABET}](?:({trie_regex(sorted(word_start - word_end))})"
        f"|({trie_regex(sorted(word_end))}){_RIGHT_BOUNDARY})"
    )
    return word, trie_regex(sorted(symbol_start)), trie_regex(sorted(cjk))


class Vocabulary:
    """Terms grouped by kind and label, and the compiled matcher over all of them."""

    def __init__(
        self,
        groups: Iterable[tuple[str, str, float, str]],
        *,
        regexes: Sequence[re.Pattern[str]] | None = None,
    ) -> None:
        """Index the terms of `groups` and compile the matcher.

        `regexes` replaces compiling: the word, symbol and CJK patterns that
        `regex_sources` returns for the same groups, compiled elsewhere.
        """
        self._exact: dict[str, list[Term]] = defaultdict(list)
        # Terms with a `*`, as word tuples keyed by their first three characters.
        self._starred: dict[str, list[tuple[tuple[str, ...], Term]]] = defaultdict(list)
        alphabetic: set[str] = set()
        cjk: set[str] = set()

        for kind, label, weight, spec in groups:
            for text in split_terms(spec):
                self._add(Term(text, kind, label, weight))
                (cjk if is_cjk_term(text) else alphabetic).add(text)

        if regexes is None:
            regexes = [re.compile(source) for source in regex_sources(alphabetic, cjk)]
        self.word_regex, self.symbol_regex, self.cjk_regex = regexes
        self.size = len(alphabetic) + len(cjk)
        self._lookup = lru_cache(maxsize=8192)(self._lookup_uncached)

    def _add(self, term: Term) -> None:
        key = canonical_form(term.term)
        if "*" not in key:
            self._exact[key].append(term)
            return
        stem = key.split("*", 1)[0]
        if len(stem) < 3:
            raise ValueError(f"term {term.term!r} needs at least 3 characters before '*'")
        self._starred[key[:3]].append((tuple(key.split(" ")), term))

    def _lookup_uncached(self, matched: str) -> _Lookup:
        # A star runs on through CJK characters ("debug这段代码"), so the term ends before them.
        cjk = CJK_RE.search(matched)
        if cjk and not is_cjk_term(matched[0]):
            matched = matched[: cjk.start()]
        key = canonical_form(matched)
        found = list(self._exact.get(key, ()))
        starred = self._starred.get(key[:3])
        if starred:
            words = key.split(" ")
            found.extend(term for pattern, term in starred if _words_match(pattern, words))
        needs_boundary = bool(matched) and _ends_in_letter(matched)
        return _Lookup(tuple(found), len(matched), needs_boundary)

    def find(self, text: str) -> list[Hit]:
        """Find every vocabulary term in `text`, which must already be lower case.

        Where matches overlap, the one that starts first (then the longer) is kept.
        """
        # The leading space gives a term at the start of the text its boundary
        # character. A match begins at that character, which sits one place before
        # the term in the padded text, so match.start() is the term's index in `text`.
        spans = [(m.start(), m.group(m.lastindex or 0)) for m in self.word_regex.finditer(" " + text)]
        spans.extend((m.start(), m.group()) for m in self.symbol_regex.finditer(text))
        if CJK_RE.search(text):
            spans.extend((m.start(), m.group()) for m in self.cjk_regex.finditer(text))
            spans.sort()
        elif len(spans) > 1:
            spans.sort()
        return self._hits(text, spans)

    def _hits(self, text: str, spans: list[tuple[int, str]]) -> list[Hit]:
        hits: list[Hit] = []
        covered_to = 0
        for start, matched in spans:
            found = self._lookup(matched)
            end = start + found.length
            if not found.terms or start < covered_to:
                continue
            # The regex checks only ASCII letters after a term, so check the others here.
            after = text[end : end + 1]
            if found.needs_boundary and after > "\x7f" and _ALPHABET_LETTER.match(after):
                continue
            hits.append(Hit(start, end, found.terms))
            covered_to = end
        return hits
