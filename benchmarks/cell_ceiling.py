"""Ceiling of learning per cell: the best two-tier routing given every outcome of each cell.

Usage: python benchmarks/cell_ceiling.py --data FILE --tiers "1=WEAK,3=STRONG" [--subset NAME] [--seed N]

The feedback loop learns one tier per cell, so no amount of feedback can rank
two rows of one cell apart. This script measures how far that can go. Each
row gets the router's cell. Then, at each of three granularities (domain,
domain/subdomain, and the full key domain/subdomain:bucket), cells move from
the weak to the strong model in order of their mean quality gain. The
resulting curve is summed up as the percent of strong calls saved at 95 % of
always-strong quality, the figure `evaluate --replay` reports.

- in-sample: the gains are measured on all rows and applied to the same rows,
  the best any cell-level learner could do with perfect knowledge;
- held-out: the gains come from the first half of a seeded shuffle, with both
  models' outcomes known for every row, and are applied to the second half,
  the replay's scoring window. A learner that sees only the served tier's
  outcome knows less than this.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "layers" / "core"), str(ROOT)]

from evaluation.data import EvaluationInputError, RowFilter, load_rows  # noqa: E402
from evaluation.metrics import Endpoints, savings_at_quality  # noqa: E402
from evaluation.tiers import parse_tiers  # noqa: E402
from router.classifier import ComplexityClassifier  # noqa: E402
from router.models import Cell, complexity_bucket  # noqa: E402

GRANULARITIES = ("domain", "domain/subdomain", "cell key")


def cell_names(cells: list[Cell], granularity: str) -> np.ndarray:
    """Return each row's group at `granularity`: its domain, its domain/subdomain or its full cell key."""
    if granularity == "domain":
        return np.array([cell.domain.value for cell in cells])
    if granularity == "domain/subdomain":
        return np.array([cell.key.partition(":")[0] for cell in cells])
    return np.array([cell.key for cell in cells])


def cell_order(groups: np.ndarray, gain: np.ndarray) -> list[str]:
    """Return the groups sorted by mean gain of the strong model over the weak one, largest first."""
    means = {name: float(gain[groups == name].mean()) for name in np.unique(groups)}
    return sorted(means, key=lambda name: (-means[name], name))


def saved_at_95(groups: np.ndarray, quality: np.ndarray, order: list[str]) -> float:
    """Return the percent of strong calls saved at 95 % of always-strong quality, moving groups in `order`."""
    rows = len(groups)
    ends = Endpoints(0.0, float(quality[:, 0].mean()), 1.0, float(quality[:, 1].mean()))
    strong = np.zeros(rows, dtype=bool)
    costs, qualities = [], []
    for name in order:
        strong |= groups == name
        costs.append(strong.mean())
        qualities.append(np.where(strong, quality[:, 1], quality[:, 0]).mean())
    return savings_at_quality(np.array(costs), np.array(qualities), ends)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="evaluation file (JSON lines)")
    parser.add_argument("--tiers", required=True, help='two tiers, such as "1=weak-model,3=strong-model"')
    parser.add_argument("--subset", help="keep only rows of this subset")
    parser.add_argument("--seed", type=int, default=0, help="seed of the shuffle that splits the halves (default 0)")
    args = parser.parse_args()
    if not 0 <= args.seed < 2**32:
        parser.error(f"--seed {args.seed} is out of range: expected 0 to 2**32 - 1")
    if args.data.is_dir():
        parser.error(f"--data {args.data} is a folder: give the path of a JSONL evaluation file")
    try:
        tier_map = parse_tiers(args.tiers)
        if not tier_map.two_tier:
            parser.error(f"--tiers {args.tiers!r} names three tiers: the ceiling is defined for two")
        loaded = load_rows(args.data, tier_map.model_names, RowFilter(subset=args.subset))
    except EvaluationInputError as exc:
        parser.error(str(exc))
    if len(loaded.rows) < 2:
        where = f" of subset {args.subset!r}" if args.subset else ""
        parser.error(f"--data {args.data}: {len(loaded.rows)} rows{where} left: the halves need at least 2")
    classifier = ComplexityClassifier()
    cells = []
    for row in loaded.rows:
        result = classifier.classify(row.prompt)
        cells.append(Cell(domain=result.domain, subdomain=result.subdomain, bucket=complexity_bucket(result.score)))
    quality = np.array([row.scores for row in loaded.rows], dtype=float)
    gain = quality[:, 1] - quality[:, 0]
    shuffled = np.random.default_rng(args.seed).permutation(len(cells))
    first, second = shuffled[: len(cells) // 2], shuffled[len(cells) // 2 :]

    print(f"{len(cells)} rows of {args.data.name}" + (f", subset {args.subset}" if args.subset else ""))
    if quality[:, 1].mean() <= quality[:, 0].mean():
        print(f"warning: Tier 1 ({tier_map.model_names[0]}) scores at least as well as Tier 3: are --tiers swapped?")
    print("percent of strong calls saved at 95 % of always-strong quality")
    print(f"{'granularity':<18} {'groups':>6} {'in-sample':>10} {'held-out':>9}")
    for granularity in GRANULARITIES:
        groups = cell_names(cells, granularity)
        in_sample = saved_at_95(groups, quality, cell_order(groups, gain))
        learned = cell_order(groups[first], gain[first])
        # Groups never seen in the first half go to the strong model first:
        # nothing shows that the weak one is good enough for them.
        unseen = sorted(set(groups[second]) - set(learned))
        held_out = saved_at_95(groups[second], quality[second], unseen + learned)
        print(f"{granularity:<18} {len(np.unique(groups)):>6} {in_sample:>9.1f}% {held_out:>8.1f}%")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
