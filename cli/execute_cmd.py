"""`execute`: route one query, call the chosen model, print the answer and what it cost."""

from __future__ import annotations

import argparse
import sys

from rich.table import Table

from cli.app import CommandError
from cli.render import CliConsole, fraction, print_lifecycle_warnings, usd
from feedback.store import FeedbackStore
from providers.executor import Executor, ProviderFactory, default_provider_factory
from providers.outcome import ExecutionResult
from router.engine import LLMRouter
from router.exceptions import ConfigurationError, InvalidQueryError

MAX_TOKENS_LIMIT = 128_000

# The summary goes to stderr, so `execute ... > answer.txt` keeps only the answer.
summary_console = CliConsole(stderr=True)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("execute", help="route a query, call the chosen model and print the answer")
    parser.add_argument("--query", required=True, help="the query text")
    parser.add_argument("--system", help="system prompt sent with the query")
    parser.add_argument("--stream", action="store_true", help="print the answer as it arrives")
    parser.add_argument(
        "--max-tokens", type=int, metavar="N", help="answer length limit in tokens (default: LLM_ROUTER_MAX_TOKENS)"
    )
    parser.add_argument("--profile", help="catalog profile (default: LLM_ROUTER_CATALOG_PROFILE or 'current')")
    parser.set_defaults(handler=run)


def provider_factory() -> ProviderFactory:
    """Return the factory that builds the model providers (the tests replace this function)."""
    return default_provider_factory()


def check_max_tokens(value: int | None) -> None:
    if value is not None and not 1 <= value <= MAX_TOKENS_LIMIT:
        raise CommandError(f"--max-tokens {value}: out of range: allowed 1 to {MAX_TOKENS_LIMIT}")


def build_executor(profile: str | None) -> Executor:
    """Build an executor on the default store, naming --profile when the profile is unknown."""
    try:
        router = LLMRouter(profile=profile)
    except ConfigurationError as exc:
        if profile is None:
            raise
        raise CommandError(f"--profile {profile}: {exc}") from exc
    print_lifecycle_warnings(router.lifecycle_warnings(), summary_console)
    return Executor(router, FeedbackStore(), provider_factory=provider_factory())


def run(args: argparse.Namespace) -> int:
    if not args.query.strip():
        raise CommandError("--query is empty: give the text to send")
    check_max_tokens(args.max_tokens)
    executor = build_executor(args.profile)
    streamed: list[str] = []

    def write_delta(text: str) -> None:
        streamed.append(text)
        sys.stdout.write(text)
        sys.stdout.flush()

    try:
        result = executor.execute(
            args.query,
            system=args.system,
            max_tokens=args.max_tokens,
            stream_callback=write_delta if args.stream else None,
        )
    except InvalidQueryError as exc:
        raise CommandError(f"--query: {exc}") from exc
    finally:
        if streamed:
            # Ends the streamed answer's last line; a call that failed before any text printed nothing to end.
            sys.stdout.write("\n")
            sys.stdout.flush()
        executor.close()
        executor.store.close()
    if not args.stream:
        sys.stdout.write(result.text + "\n")
        sys.stdout.flush()
    summary_console.print(summary_table(result))
    return 0


def summary_table(result: ExecutionResult) -> Table:
    """Render one execution's tier, model, latency, tokens, costs, fallback and quality."""
    decision = result.decision
    usage = result.usage

    fallback = "-"
    if result.fallback_from_tier is not None:
        fallback = f"from Tier {result.fallback_from_tier.value}: {result.fallback_reason}"
    quality = fraction(result.quality)
    if result.low_quality:
        quality += " (low)"
    if not result.recorded:
        quality = "- (the store failed; outcome not recorded)"

    rows = [
        ("Tier", str(decision.selected_tier.value)),
        ("Model", f"{decision.selected_model} ({decision.provider})"),
        ("Latency", f"{result.latency_ms / 1000.0:.2f} s, {result.attempts} attempt(s)"),
        ("Tokens", f"{usage.input_tokens:,} in, {usage.output_tokens:,} out"),
        (
            "Cache tokens",
            f"{usage.cache_write_5m_tokens:,} written (5 min), {usage.cache_write_1h_tokens:,} written (1 h), "
            f"{usage.cache_read_tokens:,} read",
        ),
        ("Actual cost", usd(result.actual_cost_usd)),
        ("Estimated cost", f"{usd(decision.estimated_cost_usd)} (Tier 3 baseline {usd(decision.baseline_cost_usd)})"),
        ("Fallback", fallback),
        ("Stop reason", result.stop_reason or "-"),
        ("Quality", quality),
    ]
    table = Table(show_header=False, title=f"decision {decision.decision_id}")
    for name, value in rows:
        table.add_row(name, value)
    return table
