"""Init time of the route function from its deployment package, with and without compiled bytecode.

Usage:

    .venv/bin/python benchmarks/package_cold_start.py [--python python3.12] [--runs 7]
        [--sam .venv-sam/bin/sam] [--build-dir DIR]

Without --build-dir, the script runs `sam build` on a copy of the template
whose architecture is this machine's (x86_64 or arm64), because the layer's
pydantic-core wheel only loads on the architecture it was built for. That
downloads the layer's dependencies from PyPI. With --build-dir, it uses an
existing `sam build` output, which must be for this machine's architecture.

It then makes two copies of the route function's and the core layer's
build folders:

- "as sam build ships it": every `__pycache__` folder removed, which is what
  `sam build` with BuildMethod python3.12 writes;
- "compiled": the same, then compiled by scripts/compile_build.py
  (unchecked-hash bytecode, the paths that Lambda uses), as `make build` does.

Each copy is zipped with SAM CLI's own zip function, so its entries carry the
dates that `sam deploy` gives them, and unzipped into a `var/task` and an
`opt` folder. Then `--runs` fresh interpreters (`--python`, the runtime's
version) load `app.py` from there and time it, with the two folders on the
module path in Lambda's order, `LAMBDA_TASK_ROOT` set (so the Tracer loads
the X-Ray SDK, as in Lambda) and PYTHONDONTWRITEBYTECODE set, because
Lambda's `/var/task` and `/opt` are read-only and no cold start can keep what
it compiles. The interpreter's own standard library keeps its bytecode, as
the Lambda runtime's does. The timed load is the one the route function's
init does: imports plus the module-level store, cache, router and resolver,
with the DynamoDB store, whose client is built without a network call.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "scripts"))

from compile_build import (  # noqa: E402
    Artifact,
    BuildError,
    check_versions,
    compile_artifact,
    find_artifacts,
    interpreter_version,
)

FUNCTION_ID = "RouteFunction"
LAYER_ID = "CoreLayer"

LOAD_HANDLER = """
import json, sys, time
started, cpu_started = time.perf_counter(), time.process_time()
import importlib.util
spec = importlib.util.spec_from_file_location("app", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
init_ms = (time.perf_counter() - started) * 1000
init_cpu_ms = (time.process_time() - cpu_started) * 1000
print(json.dumps({"init_ms": init_ms, "init_cpu_ms": init_cpu_ms, "modules": len(sys.modules)}))
"""

ZIP_WITH_SAM = """
import sys
from samcli.lib.package.utils import make_zip
print(make_zip(sys.argv[1], sys.argv[2]))
"""


def zip_and_extract(source: Path, target: Path, sam_python: str) -> None:
    """Zip `source` as `sam deploy` does and unzip it into `target`."""
    with tempfile.TemporaryDirectory() as scratch:
        completed = subprocess.run(
            [sam_python, "-c", ZIP_WITH_SAM, str(Path(scratch) / "package"), str(source)],
            capture_output=True,
            text=True,
            check=True,
        )
        archive = completed.stdout.strip().splitlines()[-1]
        with zipfile.ZipFile(archive) as package:
            package.extractall(target)


def prepare_variant(root: Path, artifacts: dict[str, Artifact], python: str, sam_python: str, compiled: bool) -> Path:
    """Lay out one variant under `root` as Lambda would: `var/task` and `opt`. Return `root`."""
    for logical_id, deployed in ((FUNCTION_ID, "var/task"), (LAYER_ID, "opt")):
        artifact = artifacts[logical_id]
        staging = root / "staging" / logical_id
        shutil.copytree(artifact.folder, staging, ignore=shutil.ignore_patterns("__pycache__"))
        if compiled:
            compile_artifact(Artifact(logical_id, staging, artifact.deployed_root, artifact.runtimes), python)
        zip_and_extract(staging, root / deployed, sam_python)
    shutil.rmtree(root / "staging")
    return root


def load_once(root: Path, python: str, version: str) -> dict[str, float]:
    """Time one fresh interpreter's load of the variant's app.py; `version` is "major.minor"."""
    task, layer = root / "var" / "task", root / "opt" / "python"
    module_path = [task, layer / "lib" / f"python{version}" / "site-packages", layer]
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": os.pathsep.join(str(p) for p in module_path),
        "PYTHONDONTWRITEBYTECODE": "1",
        "LAMBDA_TASK_ROOT": str(task),
        "POWERTOOLS_SERVICE_NAME": "llm-router",
        "POWERTOOLS_METRICS_NAMESPACE": "LLMRouter",
        "LLM_ROUTER_STORE": "dynamodb",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
    }
    completed = subprocess.run(
        [python, "-s", "-c", LOAD_HANDLER, str(task / "app.py")],
        capture_output=True,
        text=True,
        env=env,
        cwd=task,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"loading {task / 'app.py'} failed:\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def machine_architecture() -> str:
    """Return this machine's architecture as Lambda names it (x86_64 or arm64)."""
    machine = platform.machine().lower()
    return {"amd64": "x86_64", "aarch64": "arm64"}.get(machine, machine)


def build_for_this_machine(scratch: Path, sam: str, python: str) -> Path:
    """Run `sam build` on a copy of the project whose template targets this machine; return the build folder."""
    source = scratch / "source"
    for folder in ("layers", "functions"):
        shutil.copytree(REPO_ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__"))
    template = (REPO_ROOT / "template.yaml").read_text(encoding="utf-8")
    (source / "template.yaml").write_text(template.replace("arm64", machine_architecture()), encoding="utf-8")
    # SAM looks for an interpreter named after the runtime (python3.12) on PATH.
    interpreter_dir = Path(shutil.which(python) or python).parent
    env = {**os.environ, "SAM_CLI_TELEMETRY": "0", "PATH": f"{interpreter_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    build_dir = scratch / "build"
    print(f"sam build for {machine_architecture()} in {source} ...", flush=True)
    completed = subprocess.run(
        [sam, "build", "--template-file", "template.yaml", "--build-dir", str(build_dir)],
        cwd=source,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise BuildError(f"sam build failed:\n{completed.stdout[-2000:]}{completed.stderr[-2000:]}")
    return build_dir


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default="python3.12", help="interpreter of the runtime's version (python3.12)")
    parser.add_argument("--runs", type=int, default=7, help="fresh interpreters per variant (default 7)")
    parser.add_argument("--sam", default=str(REPO_ROOT / ".venv-sam" / "bin" / "sam"), help="SAM CLI executable")
    parser.add_argument(
        "--build-dir",
        type=Path,
        help="existing `sam build` output for this machine's architecture (default: build one)",
    )
    args = parser.parse_args()
    if args.runs < 1:
        parser.error(f"--runs {args.runs} is invalid: expected at least 1")
    # Absolute, because `sam build` runs in a temporary folder.
    args.sam = str(Path(args.sam).absolute())
    sam_python = Path(args.sam).parent / "python"
    if not Path(args.sam).is_file() or not sam_python.is_file():
        parser.error(f"--sam {args.sam} not found, or has no python beside it: run `make install-sam`")

    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        try:
            version = interpreter_version(args.python)
            # The source template names the runtime, so a wrong --python fails before the build.
            check_versions(find_artifacts(REPO_ROOT), args.python, version)
            if args.build_dir is not None:
                artifacts = checked_artifacts(args.build_dir, args.python, version)
            if args.build_dir is None:
                artifacts = checked_artifacts(
                    build_for_this_machine(scratch, args.sam, args.python), args.python, version
                )
        except BuildError as error:
            parser.error(str(error))
        results = measure_variants(scratch, artifacts, args.python, str(sam_python), version, args.runs)

    load = os.getloadavg()[0]
    print(f"route function init from its deployment package, {args.runs} fresh interpreters each, load {load:.2f}")
    for label, runs in results.items():
        times = sorted(run["init_ms"] for run in runs)
        cpu = statistics.median(run["init_cpu_ms"] for run in runs)
        print(
            f"  {label:<24} median {statistics.median(times):5.0f} ms (range {times[0]:.0f}-{times[-1]:.0f}),"
            f" CPU {cpu:.0f} ms, {runs[0]['modules']:.0f} modules"
        )
    return 0


def checked_artifacts(build_dir: Path, python: str, version: str) -> dict[str, Artifact]:
    """Return the route function's and the core layer's artifacts in `build_dir`, checked against `python`."""
    artifacts = {artifact.logical_id: artifact for artifact in find_artifacts(build_dir)}
    check_versions(list(artifacts.values()), python, version)
    missing = {FUNCTION_ID, LAYER_ID} - artifacts.keys()
    if missing:
        raise BuildError(f"{build_dir} lacks {', '.join(sorted(missing))}: run `sam build` again")
    return artifacts


def measure_variants(
    scratch: Path, artifacts: dict[str, Artifact], python: str, sam_python: str, version: str, runs: int
) -> dict[str, list[dict[str, float]]]:
    """Time `runs` loads of each variant, alternating between them so a change in load hits both alike."""
    roots = {
        label: prepare_variant(scratch / label.replace(" ", "-"), artifacts, python, sam_python, compiled)
        for label, compiled in (("as sam build ships it", False), ("compiled", True))
    }
    results: dict[str, list[dict[str, float]]] = {label: [] for label in roots}
    for root in roots.values():
        load_once(root, python, version)  # untimed: warms the file cache, writes nothing
    for _ in range(runs):
        for label, root in roots.items():
            results[label].append(load_once(root, python, version))
    return results


if __name__ == "__main__":
    raise SystemExit(main())
