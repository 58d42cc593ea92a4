"""`feedback`: rate a routed decision, or score its response, and add the sample to its cell."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.table import Table

from cli.app import CommandError, err_console
from cli.paths import open_existing_store, path_option
from cli.render import console, fraction, shorten
from feedback.records import MAX_DECISION_ID_CHARS, FeedbackResult, normalize_source

MIN_STARS = 1
MAX_STARS = 5


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("feedback", help="rate a decision's response and update its cell's quality")
    parser.add_argument("--decision", required=True, metavar="ID", help="decision id printed by `route`")
    rating = parser.add_mutually_exclusive_group()
    rating.add_argument(
        "--rating", type=float, metavar="STARS", help="user rating, 1 to 5 stars (fractions such as 4.5 allowed)"
    )
    rating.add_argument("--thumbs", choices=("up", "down"), help="user rating as thumbs up or down")
    parser.add_argument(
        "--response-file",
        type=path_option,
        metavar="FILE",
        help="model response to score automatically ('-' = stdin)",
    )
    parser.add_argument(
        "--source", default="user", help="who sends the feedback; one record per decision and source (default: user)"
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if not args.decision or any(char.isspace() for char in args.decision):
        raise CommandError(
            f"--decision {shorten(repr(args.decision))} is invalid: a decision id has no spaces and is not empty"
        )
    if len(args.decision) > MAX_DECISION_ID_CHARS:
        raise CommandError(
            f"--decision {shorten(args.decision)} is invalid: longer than {MAX_DECISION_ID_CHARS} characters"
        )
    rating = _rating(args)
    _check_source(args.source)
    response = _read_response(args.response_file)
    if rating is None and response is None:
        raise CommandError("--rating, --thumbs or --response-file is required: give a rating, a response or both")

    store = open_existing_store("feedback")
    try:
        result = store.record_feedback(args.decision, rating=rating, response=response, source=args.source)
    finally:
        store.close()

    if args.json:
        print(result.model_dump_json())
    else:
        _print_result(result)
    return 0


def _rating(args: argparse.Namespace) -> float | str | None:
    if args.thumbs is not None:
        return args.thumbs
    if args.rating is None:
        return None
    # NaN fails both comparisons, so it is rejected here too.
    if not MIN_STARS <= args.rating <= MAX_STARS:
        raise CommandError(f"--rating {args.rating:g} is out of range: allowed {MIN_STARS} to {MAX_STARS} stars")
    return args.rating


def _check_source(source: str) -> None:
    try:
        normalize_source(source)
    except ValueError as exc:
        raise CommandError(f"--{exc}") from None


def _read_response(path: Path | None) -> str | None:
    if path is None:
        return None
    if str(path) == "-":
        return _warn_if_empty(sys.stdin.read(), "standard input")
    try:
        return _warn_if_empty(path.read_text(encoding="utf-8"), str(path))
    except FileNotFoundError:
        raise CommandError(f"--response-file {path}: file not found") from None
    except UnicodeDecodeError:
        raise CommandError(f"--response-file {path}: not UTF-8 text") from None
    except OSError as exc:
        raise CommandError(f"--response-file {path}: cannot be read: {exc.strerror}") from None


def _warn_if_empty(text: str, where: str) -> str:
    if not text.strip():
        err_console.print(
            f"[yellow]warning:[/yellow] --response-file {where} is empty: "
            "it is recorded as an empty response, a provider failure that is not a quality sample",
            highlight=False,
        )
    return text


def _print_result(result: FeedbackResult) -> None:
    if result.repeat:
        console.print(
            f"[yellow]repeat:[/yellow] feedback from source '{result.source}' for decision {result.decision_id} "
            "was already recorded; this submission was ignored. The recorded feedback:",
            highlight=False,
        )
    table = Table(show_header=False)
    table.add_row("Decision", result.decision_id)
    table.add_row("Source", result.source)
    if result.failure is not None:
        table.add_row("Failure", f"{result.failure} (not a quality sample)")
    else:
        table.add_row("Quality", fraction(result.quality))
        table.add_row("Low quality", "yes" if result.low_quality else "no")
    for name, value in sorted(result.signals.items()):
        table.add_row(f"  {name}", fraction(value))
    console.print(table)
