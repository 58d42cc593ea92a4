"""Load the Lambda handlers and the events/ files for in-process tests.

The three handlers are all named `app.py`. Imported as `app`, the second
import would return the first module, so each is loaded from its file path
under its own module name.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS_DIR = REPO_ROOT / "functions"
EVENTS_DIR = REPO_ROOT / "events"
DECISION_ID_PLACEHOLDER = "REPLACE_WITH_DECISION_ID"
FUNCTION_NAMES = ("route", "feedback", "retrain")


def load_handler(name: str) -> ModuleType:
    """Import functions/<name>/app.py afresh as module `<name>_function_app`.

    The module builds its store at import, so call this after the environment
    (store backend, table names, moto) is in place; each call re-imports.
    """
    if name not in FUNCTION_NAMES:
        raise ValueError(f"unknown function {name!r}: allowed {', '.join(FUNCTION_NAMES)}")
    module_name = f"{name}_function_app"
    spec = importlib.util.spec_from_file_location(module_name, FUNCTIONS_DIR / name / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def load_event(name: str, decision_id: str | None = None) -> dict[str, Any]:
    """Read events/<name>.json; `decision_id` replaces the placeholder wherever it occurs."""
    text = (EVENTS_DIR / f"{name}.json").read_text(encoding="utf-8")
    if decision_id is not None:
        text = text.replace(DECISION_ID_PLACEHOLDER, decision_id)
    return json.loads(text)


def with_body(event: dict[str, Any], body: Any) -> dict[str, Any]:
    """Return a copy of an API event with `body` (a str as is, anything else as JSON)."""
    copied = json.loads(json.dumps(event))
    copied["body"] = body if isinstance(body, str) else json.dumps(body)
    return copied


def response_json(response: dict[str, Any]) -> Any:
    """Parse the JSON body of an API Gateway proxy response."""
    return json.loads(response["body"])


@dataclass
class FakeLambdaContext:
    """The attributes of a Lambda context that Powertools reads."""

    function_name: str = "llm-router-test"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 128
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:llm-router-test"
    aws_request_id: str = "00000000-0000-4000-8000-000000000000"
    log_group_name: str = "/aws/lambda/llm-router-test"
    log_stream_name: str = "2025/06/01/[$LATEST]test"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000
