"""Generate router/vocabulary_compiled.py, the stored regex code that `router.vocabulary_prebuilt` loads.

Run it after changing a vocabulary, how `router.vocabulary` builds its
regexes, or any pattern passed to `compile_pattern`, with every interpreter
the code runs on: python3.12 in Lambda (template.yaml) and the development
interpreter that runs the tests. It stores code for the patterns that the
modules in `PATTERN_MODULES` pass to `compile_pattern` at import. From the
repository root:

    PYTHONPATH=layers/core .venv/bin/python -m router.vocabulary_codegen \\
        --python .venv/bin/python --python python3.12

Each interpreter compiles the patterns in a subprocess that needs only the
standard library, so it may lack the project's dependencies.
"""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
from pathlib import Path

from router.vocabulary_prebuilt import LAYOUT_VERSION, groups_fingerprint, requested_patterns

GENERATED_MODULE = Path(__file__).with_name("vocabulary_compiled.py")

# Modules that call `compile_pattern` at import. tests/unit/test_vocabulary_prebuilt.py
# fails if a module under layers/core calls it and is missing here.
PATTERN_MODULES = (
    "router.vocabulary",
    "router.vocabularies",
    "router.language",
    "router.injection",
    "router.structure",
    "router.terms",
    "feedback.phrases",
    "feedback.quality",
)

# Reads [source, flags] pairs as JSON on stdin and prints the interpreter key
# and, per pair, the pattern's flags (the requested ones, the inline ones and
# re.UNICODE), group count and code. It mirrors `re._compiler.compile` and
# checks that the code gives a pattern equal to `re.compile`'s.
_COMPILE_SCRIPT = """
import _sre, base64, json, re, sys, zlib
from array import array
from re import _compiler, _parser

if array("I").itemsize != _sre.CODESIZE:
    raise SystemExit("array('I') does not match the size of a regex code word")
patterns = []
for source, requested_flags in json.load(sys.stdin):
    if requested_flags & re.DEBUG:
        raise SystemExit(f"re.DEBUG is not supported: compile {source[:80]!r} without it")
    parsed = _parser.parse(source, requested_flags)
    code = _compiler._code(parsed, requested_flags)
    if parsed.state.groupdict:
        raise SystemExit(f"named groups are not supported: {source[:80]!r}")
    flags, groups = requested_flags | parsed.state.flags, parsed.state.groups
    pattern = _sre.compile(source, flags, code, groups - 1, {}, (None,) * groups)
    if pattern != re.compile(source, requested_flags):
        raise SystemExit(f"code differs from re.compile's: {source[:80]!r}")
    packed = base64.b64encode(zlib.compress(array("I", code).tobytes(), 9)).decode("ascii")
    patterns.append([flags, groups, packed])
key = f"{sys.implementation.cache_tag}-sre{_sre.MAGIC}-{sys.byteorder}"
print(json.dumps({"key": key, "patterns": patterns}))
"""


def compile_with(python: str, patterns: list[tuple[str, int]]) -> tuple[str, list[list[object]]]:
    """Compile (source, flags) pairs with the interpreter `python`.

    Returns the interpreter's key and, per pair, the pattern's flags, its group count and its packed code.
    """
    result = subprocess.run(
        [python, "-I", "-c", _COMPILE_SCRIPT],
        input=json.dumps(patterns),
        capture_output=True,
        text=True,
        check=True,
    )
    output = json.loads(result.stdout)
    return output["key"], output["patterns"]


def render_module(
    fingerprint: str, patterns: list[tuple[str, int]], vocabulary_patterns: int, code: dict[str, list[list[object]]]
) -> str:
    """Return the text of the generated module, laid out as `ruff format` leaves it."""
    lines = [
        '"""Compiled regex code, loaded by router.vocabulary_prebuilt. Generated: do not edit."""',
        "",
        "# ruff: noqa: E501",
        "# Regenerate with `python -m router.vocabulary_codegen`; its docstring gives the command.",
        "",
        "# Layout of this module, checked by router.vocabulary_prebuilt.",
        f"LAYOUT_VERSION = {LAYOUT_VERSION}",
        "",
        "# Digest of the vocabulary groups that the vocabulary's regexes were built from.",
        f"FINGERPRINT = {_literal(fingerprint)}",
        "",
        "# The first VOCABULARY_PATTERNS patterns are the vocabulary's word, symbol and CJK regexes.",
        f"VOCABULARY_PATTERNS = {vocabulary_patterns}",
        "# (source, flags) as passed to compile_pattern.",
        "PATTERNS = (",
    ]
    for source, requested_flags in patterns:
        lines.extend(("    (", f"        {_literal(source)},", f"        {requested_flags},", "    ),"))
    lines += [
        ")",
        "",
        "# Interpreter key -> (flags of the pattern, groups, base64 of the zlib-compressed code) for each of PATTERNS.",
        "CODE: dict[str, tuple[tuple[int, int, str], ...]] = {",
    ]
    for key in sorted(code):
        lines.append(f"    {_literal(key)}: (")
        for flags, groups, packed in code[key]:
            lines.extend(("        (", f"            {flags},", f"            {groups},"))
            lines.extend((f"            {_literal(packed)},", "        ),"))
        lines.append("    ),")
    lines.append("}")
    return "\n".join(lines) + "\n"


def import_pattern_modules() -> None:
    """Import `PATTERN_MODULES`, which runs every module-level `compile_pattern` call."""
    for name in PATTERN_MODULES:
        importlib.import_module(name)


def _literal(text: object) -> str:
    # A JSON string is also a Python string literal with the same value, in the double quotes ruff prefers.
    return json.dumps(text, ensure_ascii=False)


def main() -> None:
    parser = argparse.ArgumentParser(description="Write router/vocabulary_compiled.py.")
    parser.add_argument(
        "--python",
        action="append",
        required=True,
        help="an interpreter to store code for; repeat the option for each one the code runs on",
    )
    args = parser.parse_args()

    import_pattern_modules()
    from router.vocabularies import GROUPS
    from router.vocabulary import Vocabulary

    fresh = Vocabulary(GROUPS)
    regexes = (fresh.word_regex, fresh.symbol_regex, fresh.cjk_regex)
    vocabulary = [(regex.pattern, 0) for regex in regexes]
    patterns = vocabulary + [pattern for pattern in requested_patterns() if pattern not in vocabulary]
    code = dict(compile_with(python, patterns) for python in args.python)
    text = render_module(groups_fingerprint(GROUPS), patterns, len(vocabulary), code)
    GENERATED_MODULE.write_text(text, encoding="utf-8")
    print(f"wrote {GENERATED_MODULE}: {len(patterns)} patterns for {', '.join(sorted(code))}")


if __name__ == "__main__":
    main()
