"""`route`: route one query or every prompt of a file, without calling any model."""

from __future__ import annotations

import argparse
import sys
from collections import Counter

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from cli.app import CommandError, err_console
from cli.inputs import read_prompts
from cli.paths import path_option
from cli.render import console, percent, print_lifecycle_warnings, usd
from feedback.store import FeedbackStore
from router.catalog import load_catalog
from router.engine import LLMRouter
from router.exceptions import ConfigurationError, InvalidQueryError
from router.models import RoutingDecision
from router.text import text_problem

DECISION_FIELDS = {
    "decision_id",
    "created_at",
    "selected_tier",
    "selected_model",
    "estimated_cost_usd",
    "baseline_cost_usd",
    "estimated_savings_usd",
    "reasoning",
    "routing_table_version",
    "cell",
    "classification",
    "explored",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("route", help="route a query or a file of prompts (no model is called)")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--query", help="the query text to route")
    source.add_argument(
        "--file",
        type=path_option,
        help="JSONL or .json array (a 'prompt' field), CSV (a 'prompt' column) or text file",
    )
    parser.add_argument("--system", help="system prompt sent with --query (not with --file)")
    parser.add_argument("--profile", help="catalog profile (default: LLM_ROUTER_CATALOG_PROFILE or 'current')")
    parser.add_argument("--json", action="store_true", help="print one decision per line as JSON")
    parser.add_argument("--no-store", action="store_true", help="do not log decisions to the store")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.query is not None and not args.query.strip():
        raise CommandError("--query is empty: give the text to route")
    if args.system is not None and args.file is not None:
        raise CommandError("--system applies to --query only: a --file routes each prompt without a system prompt")
    if args.profile is not None and not args.profile.strip():
        raise CommandError("--profile is empty: name a catalog profile (`python main.py models` lists them)")
    # Checked before the store opens, because opening it creates its file.
    problem = None if args.query is None else text_problem(args.query)
    if problem is not None:
        raise CommandError(f"--query: query {problem}")
    if args.profile is not None:
        try:
            load_catalog().profile(args.profile)
        except ConfigurationError as exc:
            raise CommandError(f"--profile {args.profile}: {exc}") from exc
    opened = FeedbackStore()
    # The router follows the active routing table (the configured file, else the store's
    # current version), so `retrain` takes effect here.
    table = opened.active_routing_table()
    try:
        router = LLMRouter(profile=args.profile, routing_table=table)
    except ConfigurationError as exc:
        if args.profile is None:
            raise
        raise CommandError(f"--profile {args.profile}: {exc}") from exc
    print_lifecycle_warnings(router.lifecycle_warnings(), err_console)
    store = None if args.no_store else opened
    if args.query is not None:
        return _route_one(router, store, args)
    return _route_file(router, store, args)


def _route_one(router: LLMRouter, store: FeedbackStore | None, args: argparse.Namespace) -> int:
    try:
        decision = router.route(args.query, system=args.system)
    except InvalidQueryError as exc:
        raise CommandError(f"--query: {exc}") from exc
    if store is not None:
        store.log_decision(decision)
    if args.json:
        print(decision.model_dump_json(include=DECISION_FIELDS))
        return 0
    result = decision.classification
    table = Table(show_header=False, title=f"decision {decision.decision_id}")
    rows = [
        ("Tier", f"{decision.selected_tier.value} ({decision.selected_model})"),
        ("Reasoning", decision.reasoning),
        (
            "Score",
            f"{result.score:.3f} (reasoning {result.reasoning_depth:.2f}, domain "
            f"{result.domain_specificity:.2f}, output {result.output_sensitivity:.2f})",
        ),
        ("Domain", f"{result.domain.value} (confidence {result.domain_confidence:.2f})"),
        ("High stakes", result.high_stakes_term or "no"),
        ("Language", result.language),
        ("Cell", decision.cell.key),
        ("Tokens", f"{decision.estimated_input_tokens} in, {decision.estimated_output_tokens} out (estimated)"),
        ("Est. cost", f"{usd(decision.estimated_cost_usd)} vs Tier 3 {usd(decision.baseline_cost_usd)}"),
        ("Table version", str(decision.routing_table_version)),
        ("Features", ", ".join(result.features) or "-"),
    ]
    for name, value in rows:
        table.add_row(name, value)
    console.print(table)
    return 0


def _route_file(router: LLMRouter, store: FeedbackStore | None, args: argparse.Namespace) -> int:
    rows = read_prompts(args.file)
    decisions: list[RoutingDecision] = []
    skipped = 0
    progress = Progress(
        TextColumn("routing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    )
    with progress:
        task = progress.add_task("route", total=len(rows))
        try:
            for row in rows:
                decision = _route_row(router, row.prompt, f"{args.file}:{row.line}")
                if decision is None:
                    skipped += 1
                else:
                    if store is not None:
                        store.log_decision(decision)
                    if args.json:
                        sys.stdout.write(decision.model_dump_json(include=DECISION_FIELDS) + "\n")
                    decisions.append(decision)
                progress.advance(task)
        except KeyboardInterrupt:
            stored = f"{len(decisions):,} decisions stored" if store is not None else "nothing stored"
            err_console.print(
                f"interrupted after {len(decisions) + skipped:,} of {len(rows):,} prompts: {stored}; "
                "running again routes every prompt again",
                highlight=False,
            )
            raise
    if not decisions:
        raise CommandError(f"--file {args.file}: no prompt could be routed: all {skipped} were invalid")
    if not args.json:
        _print_summary(decisions, skipped)
    return 0


def _route_row(router: LLMRouter, prompt: str | list | dict, where: str) -> RoutingDecision | None:
    """Route one prompt of a file; print why and return None when it is invalid."""
    try:
        return router.route(prompt)
    except InvalidQueryError as exc:
        err_console.print(f"[yellow]skipped[/yellow] {where}: {exc}", highlight=False)
        return None


def _print_summary(decisions: list[RoutingDecision], skipped: int) -> None:
    total = sum(d.estimated_cost_usd for d in decisions)
    baseline = sum(d.baseline_cost_usd for d in decisions)
    tiers = Counter(d.selected_tier.value for d in decisions)
    domains = Counter(d.domain.value for d in decisions)
    count = len(decisions)

    tier_table = Table(title=f"tier mix of {count:,} prompts")
    for column in ("Tier", "Prompts", "Share"):
        tier_table.add_column(column, justify="right")
    for tier in (1, 2, 3):
        tier_table.add_row(str(tier), f"{tiers[tier]:,}", percent(tiers[tier], count))
    console.print(tier_table)

    domain_table = Table(title="domain mix")
    for column in ("Domain", "Prompts", "Share"):
        domain_table.add_column(column, justify="right" if column != "Domain" else "left")
    for domain, n in domains.most_common():
        domain_table.add_row(domain, f"{n:,}", percent(n, count))
    console.print(domain_table)

    saved = baseline - total
    console.print(
        f"Estimated cost {usd(total)} vs all Tier 3 {usd(baseline)}: saved {usd(saved)} ({percent(saved, baseline)}).",
        highlight=False,
    )
    if skipped:
        console.print(f"{skipped} prompt(s) skipped as invalid.", highlight=False)
