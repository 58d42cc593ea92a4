"""The README's Python API example runs as written."""

import re
import subprocess
import sys

from tests.support.data import REPO_ROOT


def readme_python_blocks() -> list[str]:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)


def test_readme_api_example_runs(tmp_path):
    example = readme_python_blocks()[0]
    env = {"PYTHONPATH": str(REPO_ROOT / "layers" / "core"), "LLM_ROUTER_DB_PATH": str(tmp_path / "r.db")}
    completed = subprocess.run(
        [sys.executable, "-c", example], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60
    )
    assert completed.returncode == 0, completed.stderr
    assert "claude-" in completed.stdout


def test_readme_chat_example_routes():
    from router.engine import LLMRouter

    example = readme_python_blocks()[1]
    decision = eval(example.strip().removeprefix("LLMRouter()."), {"route": LLMRouter().route})
    assert decision.domain.value == "coding"
