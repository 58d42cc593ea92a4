"""The classifier's combined vocabulary, built once at import from stored regex code where possible."""

from __future__ import annotations

from router import vocabulary_coding, vocabulary_domains, vocabulary_markers, vocabulary_stakes, vocabulary_subjects
from router.vocabulary import Vocabulary
from router.vocabulary_prebuilt import load_regexes

GROUPS = (
    vocabulary_coding.GROUPS
    + vocabulary_domains.GROUPS
    + vocabulary_stakes.GROUPS
    + vocabulary_markers.GROUPS
    + vocabulary_subjects.GROUPS
)

VOCABULARY = Vocabulary(GROUPS, regexes=load_regexes(GROUPS))
