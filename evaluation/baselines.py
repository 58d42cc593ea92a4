"""Routers to compare with: constant tiers, random, prompt length, and the oracle.

Every score-based router (the real classifier's score, a random number, the
prompt's length) goes through `score_curve`, which sweeps a shift of the
routing table's two thresholds across every point where some row changes tier.
"""

from __future__ import annotations

import numpy as np

from evaluation.analysis import Curve

DEFAULT_MAX_POINTS = 201


def constant_assignment(rows: int, column: int) -> np.ndarray:
    """Return an assignment of every row to one tier column."""
    return np.full(rows, column, dtype=np.int8)


def tiers_from_scores(scores: np.ndarray, thresholds: tuple[float, float], shifts: np.ndarray) -> np.ndarray:
    """Tier value (1 to 3) of each row at each shift: the table's score mapping, vectorised.

    A row goes to Tier 1 below `low + shift`, Tier 3 at or above `high + shift`,
    else Tier 2, the same comparisons as `RoutingTable.tier_from_score`.
    """
    low, high = thresholds
    shifted = np.asarray(shifts, dtype=float)[:, None]
    values = np.asarray(scores, dtype=float)[None, :]
    return (1 + (values >= low + shifted) + (values >= high + shifted)).astype(np.int8)


def score_curve(
    name: str,
    scores: np.ndarray,
    thresholds: tuple[float, float],
    lookup: np.ndarray,
    max_points: int = DEFAULT_MAX_POINTS,
) -> Curve:
    """Sweep the threshold shift over the points where a row changes tier; keep at most `max_points`.

    `lookup` maps a tier value to its configured column. When two tiers share a
    column (Tier 2 and 3 in two-tier mode), the threshold between them changes
    nothing and contributes no breakpoints, so the sweep ranks rows by score
    and moves the cut one distinct score at a time.
    """
    low, high = thresholds
    scores = np.asarray(scores, dtype=float)
    parts = []
    if lookup[1] != lookup[2]:
        parts.append(scores - low)
    if lookup[2] != lookup[3]:
        parts.append(scores - high)
    breakpoints = np.unique(np.concatenate(parts)) if parts else np.array([0.0])
    # Shifts sit halfway between breakpoints, never on one, so rounding in
    # `low + shift` cannot move a row across. The first shift keeps every row
    # on its upper tier, and the last sends every row to its lowest.
    middles = (breakpoints[1:] + breakpoints[:-1]) / 2.0
    shifts = np.concatenate(([breakpoints[0] - 1.0], middles, [breakpoints[-1] + 1.0]))
    if shifts.size > max_points:
        shifts = shifts[np.unique(np.linspace(0, shifts.size - 1, max_points).round().astype(int))]
    assignments = lookup[tiers_from_scores(scores, thresholds, shifts)]
    return Curve(name, assignments, [float(shift) for shift in shifts])


def random_scores(rows: int, seed: int) -> np.ndarray:
    """Uniform scores in [0, 1), independent of the prompt: the random router."""
    return np.random.default_rng(seed).random(rows)


def length_scores(prompts: list[str]) -> np.ndarray:
    """Share of prompts strictly shorter than each prompt: longer prompts rank higher, ties stay tied."""
    lengths = np.array([len(prompt) for prompt in prompts])
    return np.searchsorted(np.sort(lengths), lengths, side="left") / max(len(lengths), 1)


def random_same_mix(assignment: np.ndarray, seed: int) -> np.ndarray:
    """Deal the tier columns of `assignment` to rows at random, keeping each column's count."""
    return np.random.default_rng(seed).permutation(assignment)


def oracle_assignment(quality: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Per row, the cheapest column whose quality equals the row's best (lowest column on equal cost)."""
    best = quality.max(axis=1, keepdims=True)
    masked = np.where(quality >= best, cost, np.inf)
    return masked.argmin(axis=1).astype(np.int8)


def oracle_curve(quality: np.ndarray, cost: np.ndarray, max_points: int = DEFAULT_MAX_POINTS) -> Curve:
    """Build the best quality reachable at each cost when every outcome is known in advance.

    Each row starts on the cheapest column and moves up, at each step to the
    column with the most quality gained per cost added. Taking all rows' moves
    in descending order of that ratio climbs the concave upper envelope to the
    oracle's operating point, then spends the remaining cost with the least
    loss until every row is on the top column. In two-tier mode no assignment
    of rows to tiers lies above this curve.
    """
    moves = []
    for row in range(quality.shape[0]):
        moves.extend(_hull_moves(row, quality[row], cost[row]))
    moves.sort(key=lambda move: -move[0])
    current = np.zeros(quality.shape[0], dtype=np.int8)
    snapshots = {0: current.copy()}
    keep = set(np.linspace(0, len(moves), min(max_points, len(moves) + 1)).round().astype(int).tolist())
    for done, (_, row, column) in enumerate(moves, start=1):
        current[row] = column
        if done in keep:
            snapshots[done] = current.copy()
    order = sorted(snapshots)
    return Curve("oracle", np.stack([snapshots[index] for index in order]), [float(index) for index in order])


def _hull_moves(row: int, quality: np.ndarray, cost: np.ndarray) -> list[tuple[float, int, int]]:
    moves: list[tuple[float, int, int]] = []
    current = 0
    top = len(quality) - 1
    while current < top:
        ratios = [_gain_per_cost(quality, cost, current, column) for column in range(current + 1, top + 1)]
        step = int(np.argmax(ratios))
        ratio = ratios[step]
        # A row's moves must stay in order after the global sort, so a later
        # move never gets a higher ratio than the move before it.
        if moves:
            ratio = min(ratio, moves[-1][0])
        current = current + 1 + step
        moves.append((ratio, row, current))
    return moves


def _gain_per_cost(quality: np.ndarray, cost: np.ndarray, start: int, column: int) -> float:
    gain = float(quality[column] - quality[start])
    extra = float(cost[column] - cost[start])
    if extra > 0:
        return gain / extra
    if gain > 0:
        return float("inf")
    return gain


def category_oracle_assignment(categories: list[str], quality: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Per category, the one tier column with the best mean score (the cheaper on a tie) for all its rows.

    It knows each category's outcomes in advance, so it bounds what a router
    that learns one fixed tier per category could reach.
    """
    labels = np.asarray(categories)
    assignment = np.zeros(len(labels), dtype=np.int8)
    for label in np.unique(labels):
        rows = labels == label
        means = quality[rows].mean(axis=0)
        best = np.flatnonzero(means >= means.max())
        cheapest = best[np.argmin(cost[rows][:, best].sum(axis=0))]
        assignment[rows] = cheapest
    return assignment
