"""Rich rendering helpers shared by the commands."""

from __future__ import annotations

import logging
import os
from typing import Any

from rich.console import Console, ConsoleDimensions
from rich.table import Table

# Rich assumes 80 columns when output is not a terminal, which cuts model ids
# in tables and breaks messages mid-sentence in pipes, files and CI logs.
MIN_PIPE_WIDTH = 120


class CliConsole(Console):
    """A rich Console at least MIN_PIPE_WIDTH columns wide outside a terminal, unless `width=` or COLUMNS is set."""

    def __init__(self, **kwargs: Any) -> None:
        # Set before rich's __init__, which may read `size`.
        self._width_chosen = kwargs.get("width") is not None or os.environ.get("COLUMNS", "").isdigit()
        super().__init__(**kwargs)

    @property
    def size(self) -> ConsoleDimensions:
        size = super().size
        if self._width_chosen or self.is_terminal:
            return size
        return ConsoleDimensions(max(MIN_PIPE_WIDTH, size.width), size.height)

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        Console.size.fset(self, new_size)  # type: ignore[attr-defined]

    def on_broken_pipe(self) -> None:
        # Rich's default exits with status 1. Raising instead lets cli.app.main
        # end every command on a closed pipe the same way, with status 141.
        self.quiet = True
        raise BrokenPipeError


console = CliConsole()


def usd(value: float | None) -> str:
    """Format a dollar amount with enough digits for sub-cent per-query costs."""
    if value is None:
        return "-"
    if value == 0:
        return "$0"
    if abs(value) < 0.01:
        return f"${value:.6f}"
    return f"${value:,.4f}"


def percent(part: float, whole: float) -> str:
    return f"{100.0 * part / whole:.1f}%" if whole else "-"


def shorten(text: str, width: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def tier_or_dash(tier: int | None) -> str:
    return f"Tier {tier}" if tier is not None else "-"


def fraction(value: float | None, digits: int = 3) -> str:
    """Format a quality score or bound in [0, 1]; None (no samples) prints as a dash."""
    return "-" if value is None else f"{value:.{digits}f}"


def rate(value: float | None) -> str:
    return "-" if value is None else f"{100.0 * value:.1f}%"


def change_table(changes: list, title: str, caption: str | None = None) -> Table:
    """Render routing-table changes (`router.table.TableChange`) as one row per cell."""
    table = Table(title=title, caption=caption)
    for column in ("Cell", "Action", "Learned tier", "Evidence", "Samples", "Low rate", "Bound"):
        table.add_column(column, justify="right" if column in {"Samples", "Low rate", "Bound"} else "left")
    for change in changes:
        table.add_row(
            change.cell,
            change.action,
            f"{tier_or_dash(change.old_tier)} -> {tier_or_dash(change.new_tier)}",
            tier_or_dash(change.evidence_tier),
            str(change.samples) if change.evidence_tier is not None else "-",
            rate(change.low_quality_rate),
            fraction(change.bound),
        )
    return table


def add_model_column(table: Table, model_ids: list[str], header: str = "Model") -> None:
    """Add a column of model ids that rich never wraps or cuts, so an id can be copied from the output."""
    width = max([len(header), *(len(model_id) for model_id in model_ids)])
    table.add_column(header, no_wrap=True, min_width=width)


class _DropRepeats(logging.Filter):
    """Drop log records whose message was already printed, so each lifecycle warning shows once."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() not in self.messages


# The engine logs each lifecycle warning when a profile is first used, for
# callers of the Python API. The CLI prints them itself and drops those records.
_printed_warnings = _DropRepeats()
ENGINE_LOGGER = "router.engine"


def print_lifecycle_warnings(warnings: list[str], target: Console) -> None:
    """Print lifecycle warnings (retired or deprecated models) and keep the engine from logging them again."""
    for warning in warnings:
        target.print(f"[yellow]warning:[/yellow] {warning}", highlight=False, soft_wrap=True)
    if warnings:
        _printed_warnings.messages.update(warnings)
        logging.getLogger(ENGINE_LOGGER).addFilter(_printed_warnings)


def forget_printed_warnings() -> None:
    """Remove the filter that `print_lifecycle_warnings` adds. `cli.app.main` calls this after each command."""
    logging.getLogger(ENGINE_LOGGER).removeFilter(_printed_warnings)
    _printed_warnings.messages.clear()
