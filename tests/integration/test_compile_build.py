"""scripts/compile_build.py: bytecode for the `sam build` output that still loads after SAM zips it."""

from __future__ import annotations

import marshal
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from tests.support.handlers import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "scripts"))

import compile_build  # noqa: E402

SAM_PYTHON = REPO_ROOT / ".venv-sam" / "bin" / "python"
RUNTIME = f"python{sys.version_info[0]}.{sys.version_info[1]}"
CACHE_TAG = sys.implementation.cache_tag

BUILT_TEMPLATE = f"""
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: {RUNTIME}
    Handler: app.lambda_handler
Resources:
  CoreLayer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      LayerName: !Sub "${{AWS::StackName}}-core"
      ContentUri: CoreLayer
      CompatibleRuntimes: [{RUNTIME}]
    Metadata:
      BuildMethod: {RUNTIME}
  RouteFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: RouteFunction
      Layers: [!Ref CoreLayer]
  ImageFunction:
    Type: AWS::Serverless::Function
    Properties:
      PackageType: Image
  NodeFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: NodeFunction
      Runtime: nodejs22.x
  Table:
    Type: AWS::DynamoDB::Table
"""


def write_build(root: Path, template: str = BUILT_TEMPLATE) -> Path:
    """Write a small `sam build` output: a layer with one package and a function with app.py."""
    (root / "CoreLayer" / "python" / "corepkg").mkdir(parents=True)
    (root / "CoreLayer" / "python" / "corepkg" / "__init__.py").write_text("")
    (root / "CoreLayer" / "python" / "corepkg" / "greeting.py").write_text("TEXT = 'from the layer'\n")
    (root / "RouteFunction").mkdir()
    (root / "RouteFunction" / "app.py").write_text("from corepkg.greeting import TEXT\n")
    (root / "NodeFunction").mkdir()
    (root / "template.yaml").write_text(template)
    return root


def read_pyc(path: Path) -> tuple[int, object]:
    """Return a .pyc file's flags word (PEP 552) and its code object."""
    data = path.read_bytes()
    return int.from_bytes(data[4:8], "little"), marshal.loads(data[16:])


def require_sam_python() -> Path:
    if SAM_PYTHON.is_file():
        return SAM_PYTHON
    reason = f"{SAM_PYTHON} not found: run `make install-sam`"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def test_compile_writes_unchecked_hash_bytecode(tmp_path, capsys):
    build = write_build(tmp_path)

    assert compile_build.main(["--build-dir", str(build), "--python", sys.executable]) == 0

    layer_pyc = build / "CoreLayer" / "python" / "corepkg" / "__pycache__" / f"greeting.{CACHE_TAG}.pyc"
    function_pyc = build / "RouteFunction" / "__pycache__" / f"app.{CACHE_TAG}.pyc"
    layer_flags, layer_code = read_pyc(layer_pyc)
    function_flags, function_code = read_pyc(function_pyc)
    assert layer_flags == 0b01, "hash-based, source not checked"
    assert function_flags == 0b01
    assert layer_code.co_filename == "/opt/python/corepkg/greeting.py"
    assert function_code.co_filename == "/var/task/app.py"
    assert not list((build / "NodeFunction").rglob("*.pyc"))
    output = capsys.readouterr().out
    assert "CoreLayer: 2 bytecode files" in output
    assert "RouteFunction: 1 bytecode file for" in output
    assert "NodeFunction" not in output


def test_bytecode_survives_sam_zip(tmp_path):
    sam_python = require_sam_python()
    build = write_build(tmp_path / "build")
    assert compile_build.main(["--build-dir", str(build), "--python", sys.executable]) == 0
    # Zip the layer with SAM CLI's own function, as `sam deploy` does, and unzip it as Lambda would.
    zipped = subprocess.run(
        [
            str(sam_python),
            "-c",
            "import sys\nfrom samcli.lib.package.utils import make_zip\nprint(make_zip(sys.argv[1], sys.argv[2]))",
            str(tmp_path / "layer"),
            str(build / "CoreLayer"),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    opt = tmp_path / "opt"
    with zipfile.ZipFile(zipped.stdout.strip().splitlines()[-1]) as package:
        package.extractall(opt)

    imported = subprocess.run(
        [sys.executable, "-v", "-c", "import corepkg.greeting"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(opt / "python"), "PYTHONDONTWRITEBYTECODE": "1"},
        check=True,
    )

    cached = opt / "python" / "corepkg" / "__pycache__" / f"greeting.{CACHE_TAG}.pyc"
    assert f"code object from '{cached}'" in imported.stderr
    assert f"code object from {opt / 'python' / 'corepkg' / 'greeting.py'}" not in imported.stderr


def test_compile_replaces_stale_bytecode(tmp_path):
    build = write_build(tmp_path)
    assert compile_build.main(["--build-dir", str(build), "--python", sys.executable]) == 0
    (build / "CoreLayer" / "python" / "corepkg" / "greeting.py").write_text("TEXT = 'rebuilt'\n")

    assert compile_build.main(["--build-dir", str(build), "--python", sys.executable]) == 0

    _, code = read_pyc(build / "CoreLayer" / "python" / "corepkg" / "__pycache__" / f"greeting.{CACHE_TAG}.pyc")
    assert "rebuilt" in code.co_consts


def test_compile_rejects_other_python_version(tmp_path, capsys):
    build = write_build(tmp_path, BUILT_TEMPLATE.replace(RUNTIME, "python3.99"))

    assert compile_build.main(["--build-dir", str(build), "--python", sys.executable]) == 2

    message = capsys.readouterr().err
    assert f"--python {sys.executable} is Python {RUNTIME[len('python') :]}" in message
    assert "runs python3.99" in message
    assert not list(build.rglob("*.pyc"))


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("no template", "template.yaml not found: run `sam build` first"),
        ("no resources", "has no Resources section"),
        ("missing folder", "RouteFunction's folder"),
        ("remote code", "has no local folder"),
        ("no python", "has no Python function or layer to compile"),
        ("syntax error", "compiling CoreLayer"),
    ],
)
def test_compile_bad_build(tmp_path, capsys, setup, expected):
    build = write_build(tmp_path)
    template = build / "template.yaml"
    if setup == "no template":
        template.unlink()
    elif setup == "no resources":
        template.write_text("Globals: {}\n")
    elif setup == "missing folder":
        (build / "RouteFunction" / "app.py").unlink()
        (build / "RouteFunction").rmdir()
    elif setup == "remote code":
        template.write_text(BUILT_TEMPLATE.replace("CodeUri: RouteFunction", "CodeUri: {Bucket: b, Key: k.zip}"))
    elif setup == "no python":
        template.write_text(
            textwrap.dedent(
                """
                Resources:
                  Table:
                    Type: AWS::DynamoDB::Table
                """
            )
        )
    elif setup == "syntax error":
        (build / "CoreLayer" / "python" / "corepkg" / "broken.py").write_text("def broken(:\n")

    assert compile_build.main(["--build-dir", str(build), "--python", sys.executable]) == 2

    assert expected in capsys.readouterr().err


def test_compile_reports_every_broken_artifact(tmp_path, capsys):
    build = write_build(tmp_path)
    (build / "CoreLayer" / "python" / "corepkg" / "broken.py").write_text("def broken(:\n")
    (build / "RouteFunction" / "app.py").write_text("def app(:\n")

    assert compile_build.main(["--build-dir", str(build), "--python", sys.executable]) == 2

    message = capsys.readouterr().err
    assert "compiling CoreLayer" in message
    assert "compiling RouteFunction" in message


def test_compile_bad_interpreter(tmp_path, capsys):
    build = write_build(tmp_path)

    assert compile_build.main(["--build-dir", str(build), "--python", str(tmp_path / "python3.12")]) == 2

    assert f"--python {tmp_path / 'python3.12'} could not be run" in capsys.readouterr().err


def test_compile_reads_project_template():
    # The source template names the same folders that `sam build` turns into artifacts.
    artifacts = {artifact.logical_id: artifact for artifact in compile_build.find_artifacts(REPO_ROOT)}

    assert set(artifacts) == {"CoreLayer", "RouteFunction", "FeedbackFunction", "RetrainFunction"}
    assert artifacts["CoreLayer"].deployed_root == "/opt"
    assert artifacts["CoreLayer"].runtimes == ("python3.12",)
    for name in ("RouteFunction", "FeedbackFunction", "RetrainFunction"):
        assert artifacts[name].deployed_root == "/var/task"
        assert artifacts[name].runtimes == ("python3.12",)
