"""`report`: decisions, cost by tier, savings against Tier 3, quality by tier and cell, table changes."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, date

from rich.table import Table

from cli.app import CommandError
from cli.paths import open_existing_store
from cli.render import change_table, console, fraction, percent, rate, shorten, tier_or_dash, usd
from feedback.report import Report, build_report

VERSIONS_SHOWN = 10


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("report", help="cost, savings and quality from the local store")
    parser.add_argument("--since", metavar="YYYY-MM-DD", help="count decisions from this UTC day on (default: all)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    since = _parse_since(args.since)
    store = open_existing_store("report")
    try:
        report = build_report(store, since)
    finally:
        store.close()
    if args.json:
        print(json.dumps(report.model_dump(mode="json"), indent=2))
        return 0
    _print_totals(report)
    _print_tiers(report)
    _print_cells(report)
    _print_versions(report)
    return 0


def _parse_since(raw: str | None) -> date | None:
    if raw is None:
        return None
    try:
        # fromisoformat also reads the basic form 20261205, which the message does not offer.
        if len(raw) != len("YYYY-MM-DD"):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise CommandError(f"--since {shorten(repr(raw))} is invalid: expected a date as YYYY-MM-DD") from None


def _print_totals(report: Report) -> None:
    totals = report.totals
    period = f"since {report.since.isoformat()}" if report.since else "all time"
    table = Table(show_header=False, title=f"llm-router report ({period}, routing table v{report.current_version})")
    table.add_row("Decisions", str(totals.decisions))
    table.add_row("Estimated cost", usd(totals.estimated_cost_usd))
    table.add_row("Actual cost", f"{usd(totals.actual_cost_usd)} ({totals.completed} executed)")
    table.add_row("All on Tier 3 (estimated)", usd(totals.baseline_cost_usd))
    table.add_row(
        "Savings vs Tier 3", f"{usd(totals.savings_usd)} ({percent(totals.savings_usd, totals.baseline_cost_usd)})"
    )
    console.print(table)


def _print_tiers(report: Report) -> None:
    table = Table(title="cost and quality by tier")
    columns = ("Tier", "Decisions", "Est. cost", "Actual cost", "Samples", "Mean quality", "Low rate", "Failures")
    for column in columns:
        table.add_column(column, justify="right")
    for tier in report.tiers:
        table.add_row(
            str(tier.tier),
            str(tier.decisions),
            usd(tier.estimated_cost_usd),
            usd(tier.actual_cost_usd),
            str(tier.samples),
            fraction(tier.mean_quality),
            rate(tier.low_quality_rate),
            str(tier.failures),
        )
    console.print(table)


def _print_cells(report: Report) -> None:
    if not report.cells:
        console.print("no feedback yet: `python main.py feedback --decision ID --rating N` adds some", highlight=False)
        return
    table = Table(title="quality by cell and tier served (all time)")
    for column in ("Domain", "Bucket", "Tier", "Samples", "Mean quality", "Low rate", "Failures", "Learned tier"):
        table.add_column(column, justify="left" if column == "Domain" else "right")
    for cell in report.cells:
        table.add_row(
            cell.domain,
            str(cell.bucket),
            str(cell.tier),
            str(cell.samples),
            fraction(cell.mean_quality),
            rate(cell.low_quality_rate),
            str(cell.failures),
            tier_or_dash(cell.learned_tier),
        )
    console.print(table)


def _print_versions(report: Report) -> None:
    if not report.versions:
        console.print("routing table: no version published yet, the built-in default is in use", highlight=False)
        return
    for version in report.versions[:VERSIONS_SHOWN]:
        created = version.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
        title = f"routing table v{version.version} ({created} UTC, {version.created_by})"
        if version.changes:
            console.print(change_table(version.changes, title=title, caption=shorten(version.reason, 100)))
        else:
            console.print(f"{title}: {shorten(version.reason, 100)}", highlight=False)
    hidden = len(report.versions) - VERSIONS_SHOWN
    if hidden > 0:
        console.print(f"{hidden} older version(s) not shown: `retrain --history` lists them", highlight=False)
