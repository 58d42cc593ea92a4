"""llm-router command line: `python main.py COMMAND --help` describes each command."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "layers" / "core"))

from cli.app import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
