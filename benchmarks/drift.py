"""Drift benchmark of the retrainer: one cell's Tier 1 gets worse half way, then recovers.

Usage: python benchmarks/drift.py [--rows N] [--drop-at N] [--recover-at N] [--retrain-every N]
                                  [--exploration-rate R] [--seed N] [--plot PNG] [--json FILE]

Prints the samples the drifting cell needed until it was promoted and, after
recovery, until it was demoted; the tier changes of the cells that did not
change; and the flips. See `evaluation/drift.py` for the stream.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "layers" / "core"), str(ROOT)]

from evaluation.drift import DriftConfig, DriftResult, run_drift  # noqa: E402
from router.settings import Settings  # noqa: E402


def plot(config: DriftConfig, result: DriftResult, path: Path) -> Path:
    """Draw each cell's served tier after every retrain run, with the drop and recovery marked."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(6.4, 2.8), dpi=100)
    rows = [run["after_rows"] for run in result.runs]
    for offset, key in enumerate(config.cells):
        tiers = [run["tiers"][key] + 0.04 * offset for run in result.runs]
        axes.step(rows, tiers, where="post", label=key, linewidth=2.0 if key == config.drifting else 1.0)
    axes.axvspan(config.drop_at, config.recover_at, color="tab:red", alpha=0.1, label="Tier 1 at 40 %")
    axes.set_yticks([1, 2, 3])
    axes.set_xlabel("rows of the stream")
    axes.set_ylabel("tier served")
    axes.legend(fontsize=7, loc="upper left")
    figure.tight_layout()
    figure.savefig(path)
    pyplot.close(figure)
    return path


def output_problem(option: str, path: Path | None) -> str | None:
    """Return why `path` cannot take the output of `option`, or None when it can."""
    if path is None:
        return None
    if not path.resolve().parent.is_dir():
        return f"{option} {path}: folder {path.resolve().parent} does not exist"
    if path.is_dir():
        return f"{option} {path}: is a folder: give a file name"
    if option == "--plot" and path.suffix.lower() != ".png":
        return f"--plot {path}: expected a .png file name"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2400, help="rows in the stream (default 2400)")
    parser.add_argument("--drop-at", type=int, help="row where Tier 1 of the drifting cell drops (default rows / 3)")
    parser.add_argument("--recover-at", type=int, help="row where it recovers (default 2 * rows / 3)")
    parser.add_argument("--retrain-every", type=int, default=40, help="rows between retrain runs (default 40)")
    parser.add_argument(
        "--exploration-rate", type=float, default=0.05, help="share of promoted traffic explored (default 0.05)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the stream (default 0)")
    parser.add_argument("--plot", type=Path, help="write the tier-per-run plot to this PNG")
    parser.add_argument("--json", type=Path, help="write the figures and every run's tiers to this file")
    args = parser.parse_args()
    if args.rows < 1:
        parser.error(f"--rows {args.rows} is invalid: expected at least 1")
    if args.retrain_every < 1:
        parser.error(f"--retrain-every {args.retrain_every} is invalid: expected at least 1")
    if args.seed < 0:
        parser.error(f"--seed {args.seed} is invalid: expected 0 or more")
    for option, path in (("--plot", args.plot), ("--json", args.json)):
        problem = output_problem(option, path)
        if problem:
            parser.error(problem)
    drop_at = args.rows // 3 if args.drop_at is None else args.drop_at
    recover_at = 2 * args.rows // 3 if args.recover_at is None else args.recover_at
    if not 0 <= drop_at <= recover_at <= args.rows:
        parser.error(
            f"--drop-at {drop_at} and --recover-at {recover_at} are invalid: "
            f"expected 0 <= --drop-at <= --recover-at <= --rows ({args.rows})"
        )
    if not 0.0 <= args.exploration_rate <= 0.5:
        parser.error(f"--exploration-rate {args.exploration_rate} is out of range: expected 0 to 0.5")
    config = DriftConfig(
        rows=args.rows,
        retrain_every=args.retrain_every,
        drop_at=drop_at,
        recover_at=recover_at,
        seed=args.seed,
    )
    result = run_drift(config, Settings(exploration_rate=args.exploration_rate))
    figures = result.to_dict()
    runs = figures.pop("runs")
    for name, value in figures.items():
        print(f"{name}: {value if value is not None else 'never'}")
    if args.json:
        args.json.write_text(json.dumps({**figures, "runs": runs}, indent=2) + "\n", encoding="utf-8")
    if args.plot:
        print(f"wrote {plot(config, result, args.plot)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
