"""Stored classifier regex code: fresh for the vocabulary, equal to `re.compile`'s, and safe when stale."""

import re
import sys

import pytest

from router import vocabulary_compiled
from router.vocabularies import GROUPS, VOCABULARY
from router.vocabulary import DOMAIN, Vocabulary
from router.vocabulary_codegen import render_module
from router.vocabulary_prebuilt import (
    compile_pattern,
    groups_fingerprint,
    interpreter_key,
    load_regexes,
    requested_sources,
)

REGENERATE = "stale: regenerate with `python -m router.vocabulary_codegen` (see that module's docstring)"
cpython_only = pytest.mark.skipif(sys.implementation.name != "cpython", reason="the stored code is CPython's")


@pytest.fixture(scope="module")
def compiled_fresh() -> Vocabulary:
    return Vocabulary(GROUPS)


def test_fingerprint_matches_groups():
    assert groups_fingerprint(GROUPS) == vocabulary_compiled.FINGERPRINT, REGENERATE


def test_vocabulary_sources_match_fresh_build(compiled_fresh):
    fresh = (compiled_fresh.word_regex.pattern, compiled_fresh.symbol_regex.pattern, compiled_fresh.cjk_regex.pattern)
    stored = vocabulary_compiled.PATTERNS[: vocabulary_compiled.VOCABULARY_PATTERNS]
    assert fresh == stored, REGENERATE


def test_requested_patterns_stored():
    missing = [source[:60] for source in requested_sources() if source not in vocabulary_compiled.PATTERNS]
    assert missing == [], REGENERATE


def test_code_stored_for_lambda_runtime():
    # template.yaml runs the functions on python3.12.
    assert any(key.startswith("cpython-312-") for key in vocabulary_compiled.CODE)


@cpython_only
def test_code_stored_for_this_interpreter():
    assert interpreter_key() in vocabulary_compiled.CODE, REGENERATE


@cpython_only
def test_loaded_regexes_equal_compiled(compiled_fresh):
    loaded = load_regexes(GROUPS)
    assert loaded is not None
    # CPython's pattern equality compares the flags, the source and the compiled code.
    assert loaded[0] == compiled_fresh.word_regex
    assert loaded[1] == compiled_fresh.symbol_regex
    assert loaded[2] == compiled_fresh.cjk_regex


@cpython_only
@pytest.mark.parametrize("index", range(len(vocabulary_compiled.PATTERNS)))
def test_stored_pattern_equals_compiled(index):
    source = vocabulary_compiled.PATTERNS[index]
    assert compile_pattern(source) == re.compile(source)


@cpython_only
def test_shared_vocabulary_uses_stored_code(compiled_fresh):
    assert VOCABULARY.word_regex == compiled_fresh.word_regex
    assert VOCABULARY.symbol_regex == compiled_fresh.symbol_regex
    assert VOCABULARY.cjk_regex == compiled_fresh.cjk_regex


def test_shared_vocabulary_finds_same_hits(compiled_fresh):
    text = 'debug this python3 function: printf("%d") in c++ and 用python实现 step by step, lock-free'
    assert VOCABULARY.find(text) == compiled_fresh.find(text)
    assert VOCABULARY.find(text)


def test_unstored_pattern_compiles(monkeypatch):
    # A separate record of requests, so this pattern does not count as one the module must store.
    monkeypatch.setattr("router.vocabulary_prebuilt._requested", {})
    assert compile_pattern("(a|b)+c") == re.compile("(a|b)+c")


def test_stale_groups_load_nothing(caplog):
    changed = [*GROUPS, (DOMAIN, "coding", 1.0, "a term added after generation")]
    assert load_regexes(changed) is None
    assert "stale" in caplog.text


def test_rendered_module_round_trips():
    code = {"cpython-399-sre1-little": [[32, 1, "eNpjYGBgAAAABQAB"]]}
    namespace: dict = {}
    exec(render_module("abc", ["a\\b", 'q"ü'], 1, code), namespace)
    assert namespace["FINGERPRINT"] == "abc"
    assert namespace["PATTERNS"] == ("a\\b", 'q"ü')
    assert namespace["VOCABULARY_PATTERNS"] == 1
    assert namespace["CODE"] == {"cpython-399-sre1-little": ((32, 1, "eNpjYGBgAAAABQAB"),)}
