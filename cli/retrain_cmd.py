"""`retrain`: learn cell tiers from feedback, roll the routing table back, or list its versions."""

from __future__ import annotations

import argparse
from datetime import UTC

from rich.table import Table

from cli.app import CommandError
from cli.paths import open_existing_store
from cli.render import change_table, console, shorten
from feedback.retrainer import Retrainer, RetrainResult
from feedback.store import FeedbackStore
from router.table import RoutingTable

HISTORY_LIMIT = 50
# Versions are SQLite INTEGERs (64-bit signed) and DynamoDB numbers.
MAX_VERSION = 2**63 - 1


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("retrain", help="promote or demote cells from feedback; roll back or list versions")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--dry-run", action="store_true", help="show the changes without publishing a version")
    action.add_argument(
        "--rollback", type=int, metavar="VERSION", help="publish a copy of VERSION (0 = built-in default)"
    )
    action.add_argument("--history", action="store_true", help=f"list the newest {HISTORY_LIMIT} table versions")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.rollback is not None and not 0 <= args.rollback <= MAX_VERSION:
        raise CommandError(f"--rollback {args.rollback} is invalid: expected a version number from 0 to {MAX_VERSION}")
    # Only a real run may start a new store. The other modes only read, or roll back to a
    # version that a new store cannot have, so a missing store is an error there.
    needs_store = args.history or args.dry_run or args.rollback is not None
    store = open_existing_store("retrain") if needs_store else FeedbackStore()
    try:
        if args.history:
            _print_history(store.routing_table_history(HISTORY_LIMIT))
        elif args.rollback is not None:
            _print_rollback(Retrainer(store).rollback(args.rollback), args.rollback)
        else:
            _print_run(Retrainer(store).run(dry_run=args.dry_run))
    finally:
        store.close()
    return 0


def _version_name(version: int | None) -> str:
    return f"v{version}" if version is not None else "the built-in default"


def _print_run(result: RetrainResult) -> None:
    start = _version_name(result.previous_version)
    if result.dry_run:
        headline = f"dry run (as run {result.run}): {len(result.changes)} change(s) to {start}; nothing was written"
    elif result.published_version is None:
        headline = f"retrain run {result.run}: no cell changed; the routing table stays at {start}"
    else:
        headline = f"retrain run {result.run}: published v{result.published_version} from {start}"
    console.print(f"{headline} ({result.cells_evaluated} cells evaluated)", highlight=False)
    if result.changes:
        console.print(change_table(result.changes, title="cell changes"))


def _print_rollback(table: RoutingTable, restored: int) -> None:
    console.print(f"published v{table.version}: a copy of {_version_name(restored or None)}", highlight=False)
    if table.changes:
        console.print(change_table(table.changes, title="cells restored"))
    else:
        console.print("no learned cell tier differs", highlight=False)


def _print_history(tables: list[RoutingTable]) -> None:
    if not tables:
        console.print("no routing table version published yet: the built-in default is in use", highlight=False)
        return
    table = Table(title="routing table versions (newest first)")
    for column in ("Version", "Parent", "Created (UTC)", "Created by", "Changes", "Reason"):
        table.add_column(column, justify="right" if column in {"Version", "Parent", "Changes"} else "left")
    for version in tables:
        table.add_row(
            str(version.version),
            str(version.parent_version) if version.parent_version is not None else "-",
            version.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
            version.created_by,
            str(len(version.changes)),
            shorten(version.reason, 70),
        )
    console.print(table)
