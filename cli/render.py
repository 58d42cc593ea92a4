"""Rich rendering helpers shared by the commands."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

console = Console()


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
