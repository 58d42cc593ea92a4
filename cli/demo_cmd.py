"""`demo`: route ten built-in queries and show what tiered routing saves."""

from __future__ import annotations

import argparse

from rich.table import Table

from cli.render import add_model_column, console, percent, print_lifecycle_warnings, shorten, usd
from feedback.store import FeedbackStore
from router.engine import LLMRouter
from router.models import Tier

# From a greeting to a legal question: one of each kind a router sees daily.
DEMO_QUERIES = (
    "Hi! How are you today?",
    "What is the capital of Australia?",
    "Translate 'good morning, see you tomorrow' into French.",
    "Write a short, cheerful birthday message for my colleague Ana.",
    "Explain the difference between a list and a tuple in Python.",
    "Summarize the main causes of the 2008 financial crisis in five bullet points.",
    "Write a Python function that merges overlapping intervals and explain its time complexity.",
    "Prove that there are infinitely many primes of the form 4k+3, step by step.",
    "Design a fault-tolerant, multi-region event-sourcing architecture for a payments platform, "
    "comparing consistency trade-offs, failure modes and the migration path from a monolith.",
    "My landlord is withholding my deposit and threatening to sue. What are my legal rights "
    "and should I sign the settlement agreement he sent?",
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("demo", help="route 10 built-in queries (no network, no API key)")
    parser.add_argument("--no-store", action="store_true", help="do not log the decisions to the local store")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    store = None if args.no_store else FeedbackStore()
    router = LLMRouter(routing_table=store.active_routing_table() if store else None)
    print_lifecycle_warnings(router.lifecycle_warnings(), console)
    table = Table(title=f"llm-router demo (catalog profile '{router.profile}')")
    for column in ("Query", "Domain", "Score", "Tier"):
        table.add_column(column, justify="right" if column in {"Score", "Tier"} else "left")
    add_model_column(table, [router.catalog.model_for(tier, router.profile).anthropic_id for tier in Tier])
    table.add_column("Est. cost", justify="right")
    total = baseline = 0.0
    for query in DEMO_QUERIES:
        decision = router.route(query, explore=False)
        if store is not None:
            store.log_decision(decision)
        total += decision.estimated_cost_usd
        baseline += decision.baseline_cost_usd
        high = " [red](high stakes)[/red]" if decision.classification.high_stakes else ""
        table.add_row(
            shorten(query, 56),
            decision.domain.value + high,
            f"{decision.score:.2f}",
            str(decision.selected_tier.value),
            decision.selected_model,
            usd(decision.estimated_cost_usd),
        )
    console.print(table)
    saved = baseline - total
    console.print(
        f"Routed total {usd(total)} vs all Tier 3 {usd(baseline)}: saved {usd(saved)} ({percent(saved, baseline)}).",
        highlight=False,
    )
    if store is not None:
        console.print(f"Decisions logged to {store.settings.db_path}; see `python main.py report`.", highlight=False)
    return 0
