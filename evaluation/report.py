"""Write an evaluation report: `report.json` and PNG plots drawn with matplotlib's Agg backend."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display on servers and in CI

import matplotlib.pyplot as plt  # noqa: E402

CURVE_STYLES: dict[str, dict] = {
    "router (score)": {"color": "tab:blue", "linewidth": 2.0},
    "router (table)": {"color": "tab:cyan", "marker": ".", "linewidth": 1.2},
    "random": {"color": "tab:gray", "linestyle": "--"},
    "prompt length": {"color": "tab:orange", "linestyle": "-."},
    "oracle": {"color": "tab:green", "linestyle": ":"},
}
FIGURE_SIZE = (7.0, 4.5)
DPI = 90


def write_report(report: dict, out_dir: Path, title: str) -> list[Path]:
    """Write report.json, quality_cost.png and, after a replay, replay.png; return the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / "report.json"
    json_path.write_text(json.dumps(report, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    written = [json_path, plot_quality_cost(report, out_dir / "quality_cost.png", title)]
    if "replay" in report:
        written.append(plot_replay(report, out_dir / "replay.png", title))
    return written


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
