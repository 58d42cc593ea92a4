"""Stored classifier regex code: fresh for the vocabulary, equal to `re.compile`'s, and safe when stale."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from router import vocabulary_compiled, vocabulary_prebuilt
from router.vocabularies import GROUPS, VOCABULARY
from router.vocabulary import DOMAIN, Vocabulary
from router.vocabulary_codegen import PATTERN_MODULES, compile_with, import_pattern_modules, render_module
from router.vocabulary_prebuilt import (
    LAYOUT_VERSION,
    compile_pattern,
    groups_fingerprint,
    interpreter_key,
    load_regexes,
    requested_patterns,
)

CORE = Path(__file__).resolve().parents[2] / "layers" / "core"

REGENERATE = "stale: regenerate with `python -m router.vocabulary_codegen` (see that module's docstring)"
cpython_only = pytest.mark.skipif(sys.implementation.name != "cpython", reason="the stored code is CPython's")


@pytest.fixture(scope="module")
def compiled_fresh() -> Vocabulary:
    return Vocabulary(GROUPS)


def test_fingerprint_matches_groups():
    assert groups_fingerprint(GROUPS) == vocabulary_compiled.FINGERPRINT, REGENERATE


def test_layout_version_matches():
    assert vocabulary_compiled.LAYOUT_VERSION == LAYOUT_VERSION, REGENERATE


def test_vocabulary_sources_match_fresh_build(compiled_fresh):
    regexes = (compiled_fresh.word_regex, compiled_fresh.symbol_regex, compiled_fresh.cjk_regex)
    stored = vocabulary_compiled.PATTERNS[: vocabulary_compiled.VOCABULARY_PATTERNS]
    assert tuple((regex.pattern, 0) for regex in regexes) == stored, REGENERATE


def test_requested_patterns_stored():
    import_pattern_modules()
    stored = set(vocabulary_compiled.PATTERNS)
    missing = [(source[:60], flags) for source, flags in requested_patterns() if (source, flags) not in stored]
    assert missing == [], REGENERATE


def test_sources_independent_of_hash_seed():
    # Code is looked up by source, so a source built in set order would miss it in some processes.
    script = (
        "import hashlib\n"
        "from router.vocabulary_codegen import import_pattern_modules\n"
        "from router.vocabulary_prebuilt import requested_patterns\n"
        "import_pattern_modules()\n"
        "print(hashlib.sha256(repr(requested_patterns()).encode()).hexdigest())\n"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONPATH": str(CORE), "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(digests) == 1


def test_pattern_modules_listed():
    # The generator stores code only for the patterns of the modules it imports.
    callers = {
        ".".join(path.relative_to(CORE).with_suffix("").parts)
        for path in CORE.rglob("*.py")
        if "compile_pattern(" in path.read_text(encoding="utf-8")
    }
    callers -= {"router.vocabulary_prebuilt", "router.vocabulary_codegen"}
    assert callers <= set(PATTERN_MODULES)


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
    source, flags = vocabulary_compiled.PATTERNS[index]
    assert (source, flags) in vocabulary_prebuilt._stored_code()
    assert compile_pattern(source, flags) == re.compile(source, flags)


@cpython_only
def test_stored_flags_kept():
    import_pattern_modules()
    from feedback.phrases import REFUSAL_PATTERN

    assert REFUSAL_PATTERN.flags == re.IGNORECASE | re.UNICODE
    assert REFUSAL_PATTERN.search("I Cannot  help with that")


@cpython_only
def test_inline_and_argument_flags(monkeypatch):
    patterns = [("(?s)a.b", int(re.IGNORECASE)), ("(?i)x", 0)]
    key, code = compile_with(sys.executable, patterns)
    assert key == interpreter_key()
    monkeypatch.setattr("router.vocabulary_prebuilt._stored_code", lambda: dict(zip(patterns, code, strict=True)))
    monkeypatch.setattr("router.vocabulary_prebuilt._requested", {})
    assert compile_pattern("(?s)a.b", re.IGNORECASE) == re.compile("(?s)a.b", re.IGNORECASE)
    assert compile_pattern("(?i)x") == re.compile("(?i)x")


def test_flag_enum_requested_as_int(monkeypatch):
    monkeypatch.setattr("router.vocabulary_prebuilt._requested", {})
    compile_pattern("a+", re.MULTILINE)
    [(source, flags)] = requested_patterns()
    assert type(flags) is int
    assert flags == re.MULTILINE


def test_other_layout_loads_nothing(monkeypatch, caplog):
    monkeypatch.setattr(vocabulary_compiled, "LAYOUT_VERSION", LAYOUT_VERSION - 1)
    assert vocabulary_prebuilt._generated_module.__wrapped__() is None
    assert "layout" in caplog.text


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
    exec(render_module("abc", [("a\\b", 0), ('q"ü', 2)], 1, code), namespace)
    assert namespace["LAYOUT_VERSION"] == LAYOUT_VERSION
    assert namespace["FINGERPRINT"] == "abc"
    assert namespace["PATTERNS"] == (("a\\b", 0), ('q"ü', 2))
    assert namespace["VOCABULARY_PATTERNS"] == 1
    assert namespace["CODE"] == {"cpython-399-sre1-little": ((32, 1, "eNpjYGBgAAAABQAB"),)}
