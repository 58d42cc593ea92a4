"""Counts of one `batch` run, what stopped it early, and the messages that report both."""

from __future__ import annotations

import signal
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def signal_label(signum: int) -> str:
    """Return the word that messages use for a stop by `signum`: "interrupted" for Ctrl-C (SIGINT)."""
    if signum == signal.SIGINT:
        return "interrupted"
    return f"{signal.Signals(signum).name} received"


@dataclass
class Tally:
    """What became of the prompts that one run set out to execute, and what stopped new calls.

    `signal` is the first stopping signal (SIGINT, SIGTERM or SIGHUP).
    `write_error` is the failure that ended appends to the answers file, after
    which finished records are counted as unwritten. `error` is a worker's
    exception that is not one prompt's failure (a missing API key, a store
    that cannot log a decision). Each of the three stops new calls.
    """

    total: int
    answered: int = 0
    failed: int = 0
    # Answers written with "recorded": false, because the store failed to save their outcome.
    unrecorded: int = 0
    unwritten_answers: int = 0
    unwritten_failures: int = 0
    signal: int | None = None
    # True once the message about the first signal is printed. Only a signal after it quits at once.
    announced: bool = False
    write_error: OSError | None = None
    error: BaseException | None = None

    @property
    def interrupted(self) -> bool:
        return self.signal is not None

    def add(self, record: dict[str, Any]) -> None:
        """Count a record that was written."""
        if record["error"] is not None:
            self.failed += 1
            return
        self.answered += 1
        if record.get("recorded") is False:
            self.unrecorded += 1

    def add_unwritten(self, record: dict[str, Any]) -> None:
        """Count a finished record that could not be written."""
        if record["error"] is None:
            self.unwritten_answers += 1
        else:
            self.unwritten_failures += 1

    @property
    def undone(self) -> int:
        """Prompts whose call never started."""
        return self.total - self.answered - self.failed - self.unwritten_answers - self.unwritten_failures

    def written_text(self, output: Path) -> str:
        written = self.answered + self.failed
        text = f"{written} of {self.total} prompt(s) written to {output} "
        text += f"({self.answered} answered, {self.failed} failed)"
        return text + (f", {self.undone} left undone" if self.undone else "")

    def stop_summary(self, output: Path) -> str:
        """Return the line printed when a signal or a worker's exception stopped the run."""
        label = "stopped by an error" if self.signal is None else signal_label(self.signal)
        text = f"{label}: {self.written_text(output)}"
        return text + (": rerun the same command to execute them" if self.undone else "")

    def write_failure(self, output: Path) -> str:
        """Return the error message of a run whose appends to `output` failed."""
        text = f"--output {output}: write failed: {self.write_error}, so no new call was started after it. "
        unwritten = f"{self.unwritten_answers} answered prompt(s)"
        if self.unwritten_failures:
            unwritten += f" and {self.unwritten_failures} failed one(s)"
        text += f"{unwritten} could not be written, so a rerun pays for them again. "
        return text + f"{self.written_text(output)}. Fix the cause (such as a full disk), then rerun the same command"

    def unrecorded_warning(self, output: Path) -> str:
        return (
            f"[yellow]warning:[/yellow] the store failed to save the outcome of {self.unrecorded} answer(s) "
            f'(logged above). The answers are in {output}, marked "recorded": false, but the store lacks '
            "their cost, their quality or both"
        )
