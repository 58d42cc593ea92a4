"""The report that `batch` prints: cost and quality by tier over the answers file's latest records."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from rich.table import Table

from cli.render import console, fraction, percent, usd


class TierTotals:
    """Sums over the records of one tier."""

    def __init__(self) -> None:
        self.answered = 0
        self.failures = 0
        self.actual = 0.0
        self.estimated = 0.0
        self.baseline = 0.0
        self.quality_sum = 0.0
        self.quality_count = 0

    def add(self, record: dict[str, Any]) -> None:
        if record.get("error") is not None:
            self.failures += 1
            return
        self.answered += 1
        cost = record.get("cost") or {}
        self.actual += cost.get("actual_usd") or 0.0
        self.estimated += cost.get("estimated_usd") or 0.0
        self.baseline += cost.get("baseline_usd") or 0.0
        if record.get("quality") is not None:
            self.quality_sum += record["quality"]
            self.quality_count += 1

    @property
    def mean_quality(self) -> float | None:
        return self.quality_sum / self.quality_count if self.quality_count else None


def tier_totals(records: list[dict[str, Any]]) -> dict[str, TierTotals]:
    """Group records by the tier that answered ("-" for prompts that never got a decision)."""
    totals: dict[str, TierTotals] = defaultdict(TierTotals)
    for record in records:
        tier = record.get("tier")
        totals["-" if tier is None else str(tier)].add(record)
    return dict(sorted(totals.items()))


def print_report(records: list[dict[str, Any]], output: Path) -> None:
    """Print the by-tier cost and quality table and a one-line summary of the batch."""
    totals = tier_totals(records)
    overall = TierTotals()
    for record in records:
        overall.add(record)

    table = Table(title=f"cost and quality by tier: {len(records):,} prompts")
    for column in ("Tier", "Answered", "Actual", "Estimated", "Tier 3", "Saved", "Quality", "Failures"):
        table.add_column(column, justify="right")
    for tier, tier_total in [*totals.items(), ("all", overall)]:
        saved = tier_total.baseline - tier_total.actual
        table.add_row(
            tier,
            f"{tier_total.answered:,}",
            usd(tier_total.actual),
            usd(tier_total.estimated),
            usd(tier_total.baseline),
            f"{usd(saved)} ({percent(saved, tier_total.baseline)})",
            fraction(tier_total.mean_quality),
            f"{tier_total.failures:,}",
        )
    console.print(table)
    console.print(
        f"Answers in {output}. Actual, Estimated (the router's estimate), Tier 3 (the same prompts on Tier 3), "
        "Saved and Quality (mean automatic score) count answered prompts only; "
        "the tier is the one that answered, after any fallback.",
        highlight=False,
        soft_wrap=True,
    )
    if overall.failures:
        console.print(
            f"{overall.failures} prompt(s) failed: rerun the same command to retry them; answered ones are skipped.",
            highlight=False,
        )
