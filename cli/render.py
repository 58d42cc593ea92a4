"""Rich rendering helpers shared by the commands."""

from __future__ import annotations

from rich.console import Console

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
