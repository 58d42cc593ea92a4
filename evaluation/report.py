"""Write an evaluation report: `report.json` and PNG plots drawn with matplotlib's Agg backend."""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display on servers and in CI

import matplotlib.pyplot as plt  # noqa: E402

from evaluation.data import EvaluationInputError  # noqa: E402

CURVE_STYLES: dict[str, dict] = {
    "router (score)": {"color": "tab:blue", "linewidth": 2.0},
    "router (table)": {"color": "tab:cyan", "marker": ".", "linewidth": 1.2},
    "random": {"color": "tab:gray", "linestyle": "--"},
    "prompt length": {"color": "tab:orange", "linestyle": "-."},
    "oracle": {"color": "tab:green", "linestyle": ":"},
}
REPORT_FILE = "report.json"
QUALITY_COST_FILE = "quality_cost.png"
REPLAY_FILE = "replay.png"
FIGURE_SIZE = (7.0, 4.5)
DPI = 90


def output_paths(out_dir: Path, replay: bool) -> list[Path]:
    """Return the paths `write_report` writes in `out_dir`, the replay plot only when `replay` is set."""
    names = [REPORT_FILE, QUALITY_COST_FILE, *([REPLAY_FILE] if replay else [])]
    return [out_dir / name for name in names]


def check_data_not_overwritten(out_dir: Path, data: Path, replay: bool) -> None:
    """Raise `EvaluationInputError` when a file that `write_report` would write in `out_dir` is the `data` file.

    Comparing resolved paths catches symbolic links and "..", and comparing
    the files' device and inode catches hard links.
    """
    resolved_data = data.resolve()
    for path in output_paths(out_dir, replay):
        if path.resolve() == resolved_data or _same_file(path, data):
            raise EvaluationInputError(
                "--out",
                f"the report file {path} is the same file as the --data file {data}, so writing the report "
                "would overwrite the data. Choose another --out folder or move the data file",
            )


def _same_file(first: Path, second: Path) -> bool:
    try:
        return os.path.samefile(first, second)
    except OSError:
        # A missing output cannot be the data file. A path that stat() cannot reach fails later, at the write.
        return False


def write_report(report: dict, out_dir: Path, title: str) -> list[Path]:
    """Write report.json, quality_cost.png and, after a replay, replay.png; return the paths written.

    The files are written in a temporary folder inside `out_dir` and moved into
    place only after all of them are complete, so a failure leaves no partial
    file and keeps the files of an earlier run. Raises `ValueError`, before
    writing anything, when the report contains NaN or infinity, which JSON has
    no standard form for.
    """
    text = _report_json(report)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = output_paths(out_dir, "replay" in report)
    staging = Path(tempfile.mkdtemp(dir=out_dir, prefix=".report-"))
    try:
        (staging / REPORT_FILE).write_text(text, encoding="utf-8")
        plot_quality_cost(report, staging / QUALITY_COST_FILE, title)
        if "replay" in report:
            plot_replay(report, staging / REPLAY_FILE, title)
        for path in paths:
            os.replace(staging / path.name, path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return paths


def _report_json(report: dict) -> str:
    try:
        return json.dumps(report, indent=2, sort_keys=False, allow_nan=False) + "\n"
    except ValueError as exc:
        location = _non_finite_location(report) or "a value"
        raise ValueError(f"report not written: {location} is NaN or infinite, which JSON cannot store") from exc


def _non_finite_location(value: object, location: str = "") -> str | None:
    """Return the key path of the first NaN or infinity in `value`, such as "analysis.curves.oracle.costs[3]"."""
    if isinstance(value, float) and not math.isfinite(value):
        return location
    if isinstance(value, dict):
        children = ((f"{location}.{key}" if location else str(key), child) for key, child in value.items())
    elif isinstance(value, list | tuple):
        children = ((f"{location}[{index}]", child) for index, child in enumerate(value))
    else:
        return None
    for child_location, child in children:
        found = _non_finite_location(child, child_location)
        if found is not None:
            return found
    return None


def plot_quality_cost(report: dict, path: Path, title: str) -> Path:
    """Quality against cost of every curve, with the always-cheapest and always-strongest levels."""
    analysis = report["analysis"]
    ends = analysis["endpoints"]
    c_weak = ends["c_weak"]["value"]
    q_weak, q_strong = ends["q_weak"]["value"], ends["q_strong"]["value"]
    figure, axes = plt.subplots(figsize=FIGURE_SIZE)

    for name, curve in analysis["curves"].items():
        points = sorted(zip(curve["costs"], curve["qualities"], strict=True))
        xs = [100.0 * c_weak] + [100.0 * x for x, _ in points] + [100.0]
        ys = [q_weak] + [y for _, y in points] + [q_strong]
        apgr = curve["metrics"]["apgr"]["value"]
        label = f"{name} (APGR {apgr:.3f})" if apgr is not None else name
        axes.plot(xs, ys, label=label, **CURVE_STYLES.get(name, {}))

    point = analysis["points"].get("router (default table)")
    if point:
        axes.scatter(
            [100.0 - point["cost_saved_pct"]["value"]],
            [point["quality"]["value"]],
            color="black",
            zorder=5,
            label="router, default table",
        )

    tiers = report["run"]["tiers"]
    axes.axhline(q_weak, color="gray", linewidth=0.8, label=f"always {tiers[min(tiers)]}")
    axes.axhline(q_strong, color="red", linewidth=0.8, label=f"always {tiers[max(tiers)]}")

    axes.set_xlabel("strong-model calls (%)" if report["run"]["mode"] == "two-tier" else "cost (% of all-Tier-3 USD)")
    axes.set_ylabel("mean score")
    axes.set_title(title, fontsize=10)
    axes.legend(fontsize=7, loc="lower right")
    axes.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=DPI)
    plt.close(figure)
    return path


def plot_replay(report: dict, path: Path, title: str) -> Path:
    """Per-window quality and cost of the replayed (learning) router against the static one."""
    windows = report["replay"]["windows"]
    ends = [window["end"] for window in windows]
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(FIGURE_SIZE[0], 5.5), sharex=True)
    top.plot(ends, [w["replay_quality"] for w in windows], label="replay (learning)", color="tab:blue")
    top.plot(ends, [w["static_quality"] for w in windows], label="static table", color="tab:gray", linestyle="--")
    top.plot(ends, [w["strong_quality"] for w in windows], label="always strongest", color="red", linewidth=0.8)
    top.plot(ends, [w["weak_quality"] for w in windows], label="always cheapest", color="black", linewidth=0.8)
    top.set_ylabel("mean score per window")
    top.legend(fontsize=7)
    top.grid(alpha=0.3)
    bottom.plot(ends, [_percent(w["replay_cost"]) for w in windows], label="replay (learning)", color="tab:blue")
    bottom.plot(
        ends, [_percent(w["static_cost"]) for w in windows], label="static table", color="tab:gray", linestyle="--"
    )
    for retrain in report["replay"]["retrains"]:
        if retrain["published_version"] is not None:
            bottom.axvline(retrain["after_rows"], color="tab:green", alpha=0.3, linewidth=0.8)
    bottom.set_ylabel("cost (% of all strongest)")
    bottom.set_xlabel("rows replayed (green lines: retrain published a table)")
    bottom.legend(fontsize=7)
    bottom.grid(alpha=0.3)
    top.set_title(title, fontsize=10)
    figure.tight_layout()
    figure.savefig(path, dpi=DPI)
    plt.close(figure)
    return path


def _percent(value: float | None) -> float | None:
    return None if value is None else 100.0 * value
