"""Classifier and quality-scorer regexes built from stored compiled code, so init skips most of `re`'s compiler.

`re.compile` parses a pattern and compiles it to code for the regex engine in
pure Python. For the vocabulary's three trie regexes that takes about 70 ms on
the benchmark machine in docs/benchmarks.md, most of it in the parser, and a
class of large Unicode ranges such as `router.vocabulary.CJK_RE` takes about
3 ms. `router.vocabulary_compiled`, which `router.vocabulary_codegen`
generates, stores the code that `re` builds for such patterns, keyed by source
and flags. This module hands that code straight to `_sre.compile`, the call
that ends `re.compile`. The result compares equal to
`re.compile(source, flags)`, and CPython's pattern equality compares the
flags, the source and the code.

The code format is private to CPython and changes between minor versions, so
the module keeps one copy per interpreter, keyed by its cache tag, the regex
engine's magic number and the byte order. A pattern without stored code for
the running interpreter is compiled by `re.compile`, so a stale or missing
module costs time, never correctness. `tests/unit/test_vocabulary_prebuilt.py`
fails while the generated module is stale.
"""

from __future__ import annotations

import _sre  # type: ignore[import-not-found]  # CPython's regex engine; typeshed has no stub
import base64
import hashlib
import logging
import re
import sys
import zlib
from array import array
from collections.abc import Iterable
from functools import cache
from types import ModuleType

logger = logging.getLogger(__name__)

# Layout of the generated module that this code reads. `router.vocabulary_codegen`
# writes it into the module, and a module of another layout is treated as missing.
LAYOUT_VERSION = 2

# (source, flags) pairs passed to `compile_pattern` in this process, in order:
# the code generator stores code for each of them.
_requested: dict[tuple[str, int], None] = {}


def interpreter_key() -> str:
    """Return the key of the running interpreter's copy of the stored code."""
    return f"{sys.implementation.cache_tag}-sre{_sre.MAGIC}-{sys.byteorder}"


def groups_fingerprint(groups: Iterable[tuple[str, str, float, str]]) -> str:
    """Return a SHA-256 digest of the vocabulary groups that the stored vocabulary regexes were built from."""
    return hashlib.sha256(repr(list(groups)).encode("utf-8")).hexdigest()


def compile_pattern(source: str, flags: int = 0) -> re.Pattern[str]:
    """Build a pattern equal to `re.compile(source, flags)`, from stored code when there is some.

    The pair is recorded, so the code generator stores code for it. Inline
    flags such as `(?i)` need nothing special: they are part of the source,
    and the stored flags include them as `re.compile` does. Named groups and
    `re.DEBUG` are not supported: the code generator rejects them.
    """
    # `re.RegexFlag` values hash and compare as ints, but the generated module stores plain ints.
    flags = int(flags)
    _requested[source, flags] = None
    return _compile(source, flags)


def _compile(source: str, flags: int) -> re.Pattern[str]:
    stored = _stored_code().get((source, flags))
    if stored is None:
        return re.compile(source, flags)
    pattern_flags, group_count, packed = stored
    return _sre.compile(source, pattern_flags, _unpack(packed), group_count - 1, {}, (None,) * group_count)


def requested_patterns() -> list[tuple[str, int]]:
    """Return the (source, flags) pairs passed to `compile_pattern` so far, in the order of their first request."""
    return list(_requested)


def load_regexes(groups: Iterable[tuple[str, str, float, str]]) -> tuple[re.Pattern[str], ...] | None:
    """Return the word, symbol and CJK regexes of `groups`, or None if the stored ones were built from other groups.

    None means the caller has to build the regexes from the groups.
    """
    compiled = _generated_module()
    if compiled is None:
        return None
    if groups_fingerprint(groups) != compiled.FINGERPRINT:
        logger.warning("router/vocabulary_compiled.py is stale; building the vocabulary regexes instead")
        return None
    return tuple(_compile(source, flags) for source, flags in compiled.PATTERNS[: compiled.VOCABULARY_PATTERNS])


@cache
def _generated_module() -> ModuleType | None:
    try:
        from router import vocabulary_compiled as compiled
    except ImportError:
        logger.warning("router/vocabulary_compiled.py is missing; compiling the classifier regexes instead")
        return None
    # Modules written before LAYOUT_VERSION existed have layout 1.
    layout = getattr(compiled, "LAYOUT_VERSION", 1)
    if layout != LAYOUT_VERSION:
        logger.warning(
            "router/vocabulary_compiled.py has layout %s, not %s; compiling the classifier regexes instead. "
            "Regenerate it with `python -m router.vocabulary_codegen`.",
            layout,
            LAYOUT_VERSION,
        )
        return None
    return compiled


@cache
def _stored_code() -> dict[tuple[str, int], tuple[int, int, str]]:
    compiled = _generated_module()
    if compiled is None:
        return {}
    stored = compiled.CODE.get(interpreter_key())
    if stored is None:
        logger.info("router/vocabulary_compiled.py has no code for %s; compiling its regexes", interpreter_key())
        return {}
    return dict(zip(compiled.PATTERNS, stored, strict=True))


def _unpack(packed: str) -> list[int]:
    code = array("I")
    code.frombytes(zlib.decompress(base64.b64decode(packed)))
    return code.tolist()
