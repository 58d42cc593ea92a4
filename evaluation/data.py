"""Read evaluation rows: a prompt and each model's score on it, one JSON object per line.

The files follow one schema: `id`, `prompt`, `category`, `scores` ({model: score
or null}), `score_meaning`, and optionally `subset`, `contaminated` and a
per-model cost field such as RouterBench's `cost_usd`. Higher scores are better
and scores are comparable only inside one file. A score must lie from
`MIN_SCORE` to `MAX_SCORE`.
"""

from __future__ import annotations

import json
import math
import reprlib
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

# 0/1 correctness and judge grades of 1 to 10 both fit this range. A score
# outside it is more likely a column of another kind (a cost, a token count)
# than a score, and bounded scores keep the sums of the bootstrap far from
# float overflow.
MIN_SCORE = 0.0
MAX_SCORE = 10.0


class EvaluationInputError(ValueError):
    """An evaluation input is invalid; `option` names the command-line option it came from."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(f"{option}: {message}")
        self.option = option


@dataclass(frozen=True)
class RowFilter:
    """Row filters; a None field keeps every value."""

    subset: str | None = None
    category: str | None = None
    exclude_contaminated: bool = True


@dataclass
class EvalRow:
    """One prompt with the scores (and optional costs) of the models under evaluation."""

    id: str
    prompt: str
    subset: str | None
    category: str | None
    scores: tuple[float, ...]
    costs_usd: tuple[float, ...] | None = None


@dataclass
class LoadResult:
    """Rows kept, and why the others were left out."""

    rows: list[EvalRow]
    read: int = 0
    filtered_out: int = 0
    contaminated: int = 0
    null_scores: int = 0
    null_costs: int = 0
    sampled_out: int = 0
    models: set[str] = field(default_factory=set)
    subsets: Counter = field(default_factory=Counter)
    categories: Counter = field(default_factory=Counter)
    score_meaning: str | None = None

    def skipped(self) -> dict[str, int]:
        return {
            "filtered_out": self.filtered_out,
            "contaminated": self.contaminated,
            "null_score": self.null_scores,
            "null_cost": self.null_costs,
            "sampled_out": self.sampled_out,
        }


def iter_json_lines(path: Path) -> Iterator[tuple[int, dict]]:
    """Yield (line number, object) for each non-blank line; raise on text that is not UTF-8 JSON."""
    if not path.is_file():
        raise EvaluationInputError("--data", f"{path} not found: give the path of a JSONL evaluation file")
    # Lines are read as bytes and decoded one at a time, so an error names its line.
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                raise EvaluationInputError(
                    "--data", f"{path}:{number} is not UTF-8 text ({exc.reason} at byte {exc.start} of the line)"
                ) from exc
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise EvaluationInputError("--data", f"{path}:{number} is not valid JSON: {exc.msg}") from exc
            except ValueError as exc:
                # json.loads raises a plain ValueError for an integer longer than sys.get_int_max_str_digits().
                raise EvaluationInputError(
                    "--data", f"{path}:{number} has an integer of more than {sys.get_int_max_str_digits():,} digits"
                ) from exc
            except RecursionError as exc:
                raise EvaluationInputError("--data", f"{path}:{number} has arrays or objects nested too deep") from exc
            if not isinstance(record, dict) or not isinstance(record.get("scores"), dict):
                raise EvaluationInputError("--data", f"{path}:{number} has no 'scores' object")
            yield number, record


def load_rows(
    path: Path,
    models: list[str],
    row_filter: RowFilter | None = None,
    cost_field: str | None = None,
    limit: int | None = None,
    seed: int = 0,
) -> LoadResult:
    """Read the rows of `path` that pass `row_filter` and have a score for every model of `models`.

    `models` is ordered from the cheapest tier to the strongest. A row whose
    score, or cost under `cost_field`, is null for one of them is skipped and
    counted. `limit` keeps a seeded random sample of that many rows, in file order.
    """
    row_filter = row_filter or RowFilter()
    result = LoadResult(rows=[])
    for number, record in iter_json_lines(path):
        result.read += 1
        result.models.update(record["scores"])
        result.subsets[record.get("subset")] += 1
        result.categories[record.get("category")] += 1
        result.score_meaning = result.score_meaning or record.get("score_meaning")
        row = _keep(record, models, row_filter, cost_field, result, f"{path}:{number}")
        if row is not None:
            result.rows.append(row)
    if result.read == 0:
        raise EvaluationInputError(
            "--data", f"{path}: no rows: expected one JSON object per line with 'prompt' and 'scores'"
        )
    _check_models(path, models, result.models)
    if limit is not None and limit < len(result.rows):
        keep = np.sort(np.random.default_rng(seed).choice(len(result.rows), size=limit, replace=False))
        result.sampled_out = len(result.rows) - limit
        result.rows = [result.rows[i] for i in keep]
    return result


def _keep(
    record: dict,
    models: list[str],
    row_filter: RowFilter,
    cost_field: str | None,
    result: LoadResult,
    where: str,
) -> EvalRow | None:
    if row_filter.subset is not None and record.get("subset") != row_filter.subset:
        result.filtered_out += 1
        return None
    if row_filter.category is not None and record.get("category") != row_filter.category:
        result.filtered_out += 1
        return None
    if row_filter.exclude_contaminated and record.get("contaminated") is True:
        result.contaminated += 1
        return None
    scores = [record["scores"].get(model) for model in models]
    if any(score is None for score in scores):
        result.null_scores += 1
        return None
    costs = None
    if cost_field is not None:
        costs = _row_costs(record, models, cost_field, where)
        if costs is None:
            result.null_costs += 1
            return None
    prompt = record.get("prompt")
    if not isinstance(prompt, str):
        raise EvaluationInputError("--data", f"{where} has no 'prompt' string")
    return EvalRow(
        id=str(record.get("id", where)),
        prompt=prompt,
        subset=record.get("subset"),
        category=record.get("category"),
        scores=_numbers(scores, models, "--data", where, "scores", bounds=(MIN_SCORE, MAX_SCORE)),
        costs_usd=costs,
    )


def _row_costs(record: dict, models: list[str], cost_field: str, where: str) -> tuple[float, ...] | None:
    table = record.get(cost_field)
    if not isinstance(table, dict):
        raise EvaluationInputError("--cost-field", f"{where} has no '{cost_field}' object of per-model costs")
    costs = [table.get(model) for model in models]
    if any(cost is None for cost in costs):
        return None
    return _numbers(costs, models, "--cost-field", where, cost_field)


def _numbers(
    values: list,
    models: list[str],
    option: str,
    where: str,
    field_name: str,
    bounds: tuple[float, float] | None = None,
) -> tuple[float, ...]:
    """Convert the per-model values of `field_name` to floats, raising with the line and model for a bad value.

    A value must be a finite number, and inside `bounds` (ends included) when they are given.
    """
    expected = "a finite number" if bounds is None else f"a number from {bounds[0]:g} to {bounds[1]:g}"
    numbers = []
    for model, value in zip(models, values, strict=True):
        number = _finite_float(value)
        if number is None or (bounds is not None and not bounds[0] <= number <= bounds[1]):
            raise EvaluationInputError(
                option, f"{where}: '{field_name}' of model {model!r} is {reprlib.repr(value)}: expected {expected}"
            )
        numbers.append(number)
    return tuple(numbers)


def _finite_float(value: object) -> float | None:
    """Return `value` as a finite float, or None when it is not a number or does not fit in a float."""
    # bool is an int subclass, but true/false is no score.
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        # JSON integers have no size limit, and float() rejects one beyond about 1.8e308.
        return None
    return number if math.isfinite(number) else None


def _check_models(path: Path, models: list[str], present: set[str]) -> None:
    missing = [model for model in models if model not in present]
    if missing:
        listed = ", ".join(sorted(present)) or "(none)"
        raise EvaluationInputError("--tiers", f"model {missing[0]!r} not found in {path}; models in the file: {listed}")
