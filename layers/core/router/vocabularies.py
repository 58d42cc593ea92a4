"""The classifier's combined vocabulary, compiled once at import."""

from __future__ import annotations

from router import vocabulary_coding, vocabulary_domains, vocabulary_markers, vocabulary_stakes, vocabulary_subjects
from router.vocabulary import Vocabulary

VOCABULARY = Vocabulary(
    vocabulary_coding.GROUPS
    + vocabulary_domains.GROUPS
    + vocabulary_stakes.GROUPS
    + vocabulary_markers.GROUPS
    + vocabulary_subjects.GROUPS
)
