"""Locate the public evaluation data; tests skip without it, except under CI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def eval_data_dir() -> Path:
    return Path(os.environ.get("EVAL_DATA_DIR") or REPO_ROOT.parent / "shared" / "data")


def require_data_file(name: str) -> Path:
    """Return the path of a data file, or skip (fail under CI) when it is absent."""
    path = eval_data_dir() / name
    if path.is_file():
        return path
    reason = f"{path} not found: set EVAL_DATA_DIR to the folder of the public evaluation data"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)
