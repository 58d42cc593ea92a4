"""Compile the output of `sam build` to bytecode that Lambda can use.

Usage: python scripts/compile_build.py [--build-dir .aws-sam/build] [--python python3.12]

`sam build` (BuildMethod python3.12) copies the sources and unpacks the
dependencies' wheels without compiling them, so the deployment package contains
no `.pyc` files. Lambda's `/var/task` and `/opt` are read-only, so every cold
start compiles every module it imports and throws the result away. Compiling
in the usual timestamp mode would not help: SAM writes every zip entry with
the date 1980-01-01, so the sources' modification times never match the
times recorded in timestamp-based `.pyc` files, and Python recompiles them.

This script therefore writes hash-based bytecode in the unchecked-hash mode
(PEP 552), which Python uses without looking at the source's time or content.
That is safe for an immutable package. Run it right after every `sam build`
(`make build` runs both), because `.pyc` files left from an earlier build
would be used even if the sources had changed since.

It reads the built template to find each function's and layer's folder,
compiles it with the interpreter given by --python, which must be the
version the template's runtime names, and records the paths as Lambda sees
them (`/var/task` for a function, `/opt` for a layer) in the bytecode, so
tracebacks name the deployed files.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

FUNCTION_TYPES = {"AWS::Serverless::Function", "AWS::Lambda::Function"}
LAYER_TYPES = {"AWS::Serverless::LayerVersion", "AWS::Lambda::LayerVersion"}
FUNCTION_ROOT = "/var/task"
LAYER_ROOT = "/opt"
RUNTIME_PATTERN = re.compile(r"^python(\d+\.\d+)$")


class BuildError(Exception):
    """A problem with the build folder, its template or the interpreter, with what to do about it."""


@dataclass(frozen=True)
class Artifact:
    """One function's or layer's folder in the build output, and where Lambda puts its files."""

    logical_id: str
    folder: Path
    deployed_root: str
    runtimes: tuple[str, ...]


class _TemplateLoader(yaml.SafeLoader):
    """SafeLoader that reads CloudFormation short-form tags (!Ref, !Sub ...) as plain values."""


def _construct_tag(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    assert isinstance(node, yaml.MappingNode)
    return loader.construct_mapping(node, deep=True)


_TemplateLoader.add_multi_constructor("!", _construct_tag)


def find_artifacts(build_dir: Path) -> list[Artifact]:
    """Return the Python functions and layers of the template that `sam build` wrote into `build_dir`."""
    template_path = build_dir / "template.yaml"
    if not template_path.is_file():
        raise BuildError(f"{template_path} not found: run `sam build` first, or pass the build folder with --build-dir")
    template = yaml.load(template_path.read_text(encoding="utf-8"), Loader=_TemplateLoader)  # noqa: S506
    if not isinstance(template, dict) or not isinstance(template.get("Resources"), dict):
        raise BuildError(f"{template_path} has no Resources section: is it a SAM template?")

    global_runtime = ((template.get("Globals") or {}).get("Function") or {}).get("Runtime")
    artifacts = []
    for logical_id, resource in template["Resources"].items():
        kind = resource.get("Type")
        properties = resource.get("Properties") or {}
        if kind in FUNCTION_TYPES:
            if properties.get("PackageType", "Zip") != "Zip":
                continue
            location, root = properties.get("CodeUri") or properties.get("Code"), FUNCTION_ROOT
            runtimes = (properties.get("Runtime") or global_runtime,)
        elif kind in LAYER_TYPES:
            location, root = properties.get("ContentUri") or properties.get("Content"), LAYER_ROOT
            build_method = (resource.get("Metadata") or {}).get("BuildMethod")
            runtimes = tuple(properties.get("CompatibleRuntimes") or [build_method])
        else:
            continue
        python_runtimes = tuple(r for r in runtimes if isinstance(r, str) and RUNTIME_PATTERN.match(r))
        if not python_runtimes:
            continue
        if not isinstance(location, str):
            raise BuildError(
                f"{logical_id} in {template_path} has no local folder ({location!r}): "
                "compile before `sam package` or `sam deploy` uploads it"
            )
        folder = build_dir / location
        if not folder.is_dir():
            raise BuildError(f"{logical_id}'s folder {folder} not found: run `sam build` again")
        artifacts.append(Artifact(logical_id, folder, root, python_runtimes))
    if not artifacts:
        raise BuildError(f"{template_path} has no Python function or layer to compile")
    return artifacts


def interpreter_version(python: str) -> str:
    """Return the "major.minor" version of the interpreter `python`."""
    try:
        completed = subprocess.run(
            [python, "-c", "import sys; print(f'{sys.version_info[0]}.{sys.version_info[1]}')"],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
    except (OSError, subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        raise BuildError(f"--python {python} could not be run ({error}): name a python3.12 interpreter") from error
    return completed.stdout.strip()


def check_versions(artifacts: list[Artifact], python: str, version: str) -> None:
    """Raise BuildError unless every artifact's runtime is the interpreter's version."""
    for artifact in artifacts:
        expected_versions = {match[1] for runtime in artifact.runtimes if (match := RUNTIME_PATTERN.match(runtime))}
        if version not in expected_versions:
            names = ", ".join(sorted(f"python{v}" for v in expected_versions))
            raise BuildError(
                f"--python {python} is Python {version}, but {artifact.logical_id} runs {names}: "
                "bytecode only loads in the version that wrote it, so name that interpreter"
            )


def compile_artifact(artifact: Artifact, python: str) -> int:
    """Compile every module in the artifact's folder in place; return the number of `.pyc` files now there."""
    command = [
        python,
        "-m",
        "compileall",
        "-q",
        "-f",
        "-j",
        "0",
        "--invalidation-mode",
        "unchecked-hash",
        "-s",
        str(artifact.folder),
        "-p",
        artifact.deployed_root,
        str(artifact.folder),
    ]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        detail = (completed.stdout + completed.stderr).strip()
        raise BuildError(f"compiling {artifact.logical_id} ({artifact.folder}) failed:\n{detail}")
    return sum(1 for _ in artifact.folder.rglob("*.pyc"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", type=Path, default=Path(".aws-sam/build"), help="output folder of `sam build`")
    parser.add_argument(
        "--python",
        default="python3.12",
        help="interpreter of the functions' runtime version, which writes the bytecode (default python3.12)",
    )
    args = parser.parse_args(argv)
    try:
        artifacts = find_artifacts(args.build_dir)
        version = interpreter_version(args.python)
        check_versions(artifacts, args.python, version)
    except BuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    failures = []
    # Every artifact is compiled, so one run reports every module that fails.
    for artifact in artifacts:
        try:
            count = compile_artifact(artifact, args.python)
        except BuildError as error:
            failures.append(str(error))
            continue
        noun = "file" if count == 1 else "files"
        print(f"{artifact.logical_id}: {count} bytecode {noun} for Python {version} in {artifact.folder}")
    for failure in failures:
        print(f"error: {failure}", file=sys.stderr)
    return 2 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
