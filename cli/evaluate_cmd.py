"""`evaluate`: measure the router's quality-cost trade-off on a file of prompts with per-model scores."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from cli.app import CommandError, err_console
from cli.evaluate_summary import print_summary
from cli.paths import path_option, writable_folder
from cli.render import console, print_lifecycle_warnings
from evaluation.data import MAX_SCORE, MIN_SCORE, EvaluationInputError, RowFilter
from evaluation.replay import ReplayConfig
from evaluation.report import check_data_not_overwritten, write_report
from evaluation.runner import EvaluationConfig, run_evaluation
from evaluation.tiers import TIERS_EXAMPLE, parse_costs, parse_tiers
from router.engine import LLMRouter
from router.exceptions import ConfigurationError

# 32-bit seeds, the range numpy's legacy RandomState also accepts, so the seed
# recorded in report.json can seed any numpy generator.
MAX_SEED = 2**32 - 1
# Each resample keeps about 5 KB of metrics until the intervals are computed, so the
# maximum needs about 0.5 GB (estimated from the peak memory of 40-row runs).
MAX_BOOTSTRAP = 100_000
DEFAULT_RETRAIN_EVERY = 200


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "evaluate",
        help="measure quality against cost on a JSONL file of prompts with per-model scores (no model is called)",
        description="Route every prompt of a benchmark file, score the router and its baselines (random, "
        "prompt length, oracle) with APGR, CPT and savings at 95% quality, and write report.json and PNG plots.",
    )
    parser.add_argument(
        "--data",
        type=path_option,
        required=True,
        metavar="FILE",
        help=f"JSONL file with 'prompt' and 'scores' ({MIN_SCORE:g} to {MAX_SCORE:g}, higher is better) per line",
    )
    parser.add_argument(
        "--tiers",
        required=True,
        metavar="TIER=MODEL,...",
        help=f"model of the file serving each tier, two or three of 1, 2, 3, e.g. {TIERS_EXAMPLE}; "
        "with two tiers a decision goes to the cheapest configured tier at or above it",
    )
    costs = parser.add_mutually_exclusive_group()
    costs.add_argument("--costs", metavar="TIER=USD,...", help='USD per call of each tier, e.g. "1=0.0006,3=0.03"')
    costs.add_argument("--cost-field", metavar="FIELD", help="per-row field with USD per model, e.g. cost_usd")

    parser.add_argument("--profile", help="catalog profile for routing and default prices (default: the active one)")
    parser.add_argument("--subset", help="keep only rows whose 'subset' equals this value")
    parser.add_argument("--category", help="keep only rows whose 'category' equals this value")
    parser.add_argument(
        "--include-contaminated", action="store_true", help="keep rows marked contaminated (left out by default)"
    )
    parser.add_argument("--limit", type=int, metavar="N", help="evaluate a seeded random sample of this many rows")
    parser.add_argument(
        "--bootstrap",
        type=int,
        default=1000,
        metavar="N",
        help=f"bootstrap resamples for 95%% CIs, 0 to {MAX_BOOTSTRAP} (default 1000)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        metavar="N",
        help=f"seed of sampling, baselines and bootstrap, 0 to {MAX_SEED} (default 0)",
    )

    parser.add_argument("--replay", action="store_true", help="also replay the rows as traffic with retraining")
    # No default in argparse, so that giving the option without --replay can be rejected.
    parser.add_argument(
        "--retrain-every",
        type=int,
        metavar="N",
        help=f"rows between retrain runs of --replay (default {DEFAULT_RETRAIN_EVERY})",
    )
    parser.add_argument("--shuffle", action="store_true", help="replay the rows of --replay in a seeded random order")
    parser.add_argument(
        "--out",
        type=_folder_path,
        default=Path("evaluation-report"),
        metavar="DIR",
        help="output folder (default ./evaluation-report)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    config = _config(args)
    try:
        router = LLMRouter(profile=args.profile)
    except ConfigurationError as exc:
        raise CommandError(f"--profile: {exc}") if args.profile else exc from exc
    # Evaluation only routes, so a profile with retired models still works; the
    # engine would log the same warning again for each router the run creates.
    print_lifecycle_warnings(router.lifecycle_warnings(), err_console)
    # The output folder is checked first, so a bad --out fails before minutes of evaluation.
    with writable_folder(args.out, "--out", args.out):
        try:
            with _ProgressBars() as progress:
                report = run_evaluation(config, router, progress)
        except EvaluationInputError as exc:
            raise CommandError(str(exc)) from exc
        written = _write(report, args)
    print_summary(report)
    console.print("wrote " + ", ".join(str(path) for path in written), highlight=False)
    return 0


def _write(report: dict, args: argparse.Namespace) -> list[Path]:
    title = (
        f"{args.data.name}"
        + (f" [{args.subset}]" if args.subset else "")
        + (f" [{args.category}]" if args.category else "")
    )
    try:
        return write_report(report, args.out, title)
    except OSError as exc:
        raise CommandError(f"--out {args.out}: writing the report failed: {exc}") from exc


def _check_numbers(args: argparse.Namespace) -> None:
    for option, value, low, high in (
        ("--limit", args.limit, 1, None),
        ("--bootstrap", args.bootstrap, 0, MAX_BOOTSTRAP),
        ("--retrain-every", args.retrain_every, 1, None),
        ("--seed", args.seed, 0, MAX_SEED),
    ):
        if value is None:
            continue
        if value < low or (high is not None and value > high):
            limit = f"at least {low}" if high is None else f"from {low} to {high}"
            raise CommandError(f"{option} {value} is out of range: it must be {limit}")


def _check_replay_options(args: argparse.Namespace) -> None:
    if args.replay:
        return
    if args.shuffle:
        raise CommandError(
            "--shuffle requires --replay, because it sets the order of the replayed rows. "
            "Add --replay or drop --shuffle"
        )
    if args.retrain_every is not None:
        raise CommandError(
            f"--retrain-every {args.retrain_every} requires --replay, because it sets the rows between the replay's "
            "retrain runs. Add --replay or drop --retrain-every"
        )


def _config(args: argparse.Namespace) -> EvaluationConfig:
    _check_numbers(args)
    _check_replay_options(args)
    if not args.data.is_file():
        raise CommandError(f"--data {args.data}: file not found")
    try:
        check_data_not_overwritten(args.out, args.data, args.replay)
        tier_map = parse_tiers(args.tiers)
        costs = parse_costs(args.costs, tier_map) if args.costs else None
    except EvaluationInputError as exc:
        raise CommandError(str(exc)) from exc
    return EvaluationConfig(
        data=args.data,
        tier_map=tier_map,
        costs=costs,
        cost_field=args.cost_field,
        row_filter=RowFilter(args.subset, args.category, exclude_contaminated=not args.include_contaminated),
        limit=args.limit,
        resamples=args.bootstrap,
        seed=args.seed,
        replay=args.replay,
        replay_config=ReplayConfig(
            retrain_every=DEFAULT_RETRAIN_EVERY if args.retrain_every is None else args.retrain_every,
            seed=args.seed,
            shuffle=args.shuffle,
        ),
    )


class _ProgressBars:
    """Rich progress bars on stderr, one per phase, handed to the runner as callbacks."""

    def __enter__(self):
        self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console.__class__(stderr=True),
            transient=True,
        )
        self.bar.__enter__()
        return self

    def __exit__(self, *exc_info) -> None:
        self.bar.__exit__(*exc_info)

    def __call__(self, phase: str, total: int):
        task = self.bar.add_task(phase, total=total)
        return lambda: self.bar.advance(task)


def _folder_path(text: str) -> Path:
    # Path("") is the current folder, so an empty --out would write there.
    if not text.strip():
        raise argparse.ArgumentTypeError("is empty: give a folder name, such as evaluation-report")
    return Path(text)
