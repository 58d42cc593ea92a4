"""The summary that `evaluate` prints after a run: the curves' metrics and, with --replay, the replay result."""

from __future__ import annotations

from rich.table import Table

from cli.render import console
from evaluation.runner import ROUTER_POINT, describe_skipped

CURVE_ORDER = ("router (score)", "router (table)", "random", "prompt length", "oracle")


def _fmt(estimate: dict, digits: int = 1, suffix: str = "") -> str:
    value = estimate.get("value")
    if value is None:
        return "-"
    low, high = estimate.get("low"), estimate.get("high")
    interval = f" [{_decimal(low, digits)}, {_decimal(high, digits)}]" if low is not None and high is not None else ""
    return f"{_decimal(value, digits)}{suffix}{interval}"


def _decimal(number: float, digits: int) -> str:
    text = f"{number:.{digits}f}"
    # A tiny negative value such as -1e-9, or -0.0 itself, would print as "-0.0".
    return text.removeprefix("-") if float(text) == 0 else text


def print_summary(report: dict) -> None:
    """Print the run's facts, each curve's APGR, CPT and savings, and the replay result if there is one."""
    run_facts = report["run"]
    analysis = report["analysis"]
    ends = analysis["endpoints"]
    console.print(
        f"{run_facts['data_file']}: {run_facts['rows_evaluated']:,} rows ({run_facts['mode']}, cost: "
        f"{run_facts['cost_axis']}); always cheapest {_fmt(ends['q_weak'], 3)}, always strongest "
        f"{_fmt(ends['q_strong'], 3)}; {describe_skipped(run_facts['skipped'])}",
        highlight=False,
    )

    curves = Table(title="quality-cost curves (95% bootstrap CI)")
    for column in ("Router", "APGR", "CPT(50%)", "CPT(80%)", "Saved at 95% quality"):
        curves.add_column(column, justify="left" if column == "Router" else "right")
    for name in CURVE_ORDER:
        metrics = analysis["curves"][name]["metrics"]
        curves.add_row(
            name,
            _fmt(metrics["apgr"], 3),
            _fmt(metrics["cpt50"], 1, "%"),
            _fmt(metrics["cpt80"], 1, "%"),
            _fmt(metrics["savings95"], 1, "%"),
        )
    console.print(curves)

    points = Table(title="operating points")
    tier_keys = [key for key in analysis["points"][ROUTER_POINT] if key.startswith("tier")]
    tier_columns = [key.removeprefix("tier").removesuffix("_pct") for key in tier_keys]
    columns = ("Quality % of top", "Cost saved", "USD saved", "Saved at 95%")
    for column in ("Router", *(f"Tier {tier}" for tier in tier_columns), *columns):
        points.add_column(column, justify="left" if column == "Router" else "right")
    for name, metrics in analysis["points"].items():
        points.add_row(
            name,
            *(_fmt(metrics[key], 1, "%") for key in tier_keys),
            _fmt(metrics["quality_pct"], 1, "%"),
            _fmt(metrics["cost_saved_pct"], 1, "%"),
            _fmt(metrics["usd_saved_pct"], 1, "%"),
            _fmt(metrics["savings95"], 1, "%"),
        )
    console.print(points)
    if "replay" in report:
        _print_replay(report["replay"])


def _print_replay(replay: dict) -> None:
    half = replay["second_half"]
    same_cost = replay["static_at_replay_cost"]
    published = sum(1 for retrain in replay["retrains"] if retrain["published_version"] is not None)
    table = Table(title=f"replay, second half ({len(replay['retrains'])} retrain runs, {published} published)")
    for column in ("Router", "Quality % of top", "Cost saved", "USD saved", "Saved at 95% quality"):
        table.add_column(column, justify="left" if column == "Router" else "right")
    for name, metrics in half["points"].items():
        table.add_row(
            name,
            _fmt(metrics["quality_pct"], 1, "%"),
            _fmt(metrics["cost_saved_pct"], 1, "%"),
            _fmt(metrics["usd_saved_pct"], 1, "%"),
            _fmt(metrics["savings95"], 1, "%"),
        )
    for name, metrics in half["differences"].items():
        table.add_row(
            name,
            _fmt(metrics["quality_pct"], 2, " pp"),
            _fmt(metrics["cost_saved_pct"], 2, " pp"),
            _fmt(metrics["usd_saved_pct"], 2, " pp"),
            "",
        )
    console.print(table)
    console.print(
        f"At the replay's cost ({100 * same_cost['cost']:.1f}% of all-top-tier cost) the static table, moved along "
        f"its threshold shift, reaches a mean score of {same_cost['static_table_quality']:.3f}; the replay reaches "
        f"{same_cost['replay_quality']:.3f} ({same_cost['gain_pct_of_top']:+.2f} points of top-tier quality).",
        highlight=False,
    )
