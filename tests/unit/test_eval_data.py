"""Reading evaluation rows: filters, null scores and costs, seeded sampling, input errors."""

import json

import pytest

from evaluation.data import EvaluationInputError, RowFilter, load_rows

MODELS = ["small", "large"]


def write_rows(path, rows):
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def row(index, small=1.0, large=1.0, subset="a", category="x", contaminated=False, costs=None):
    record = {
        "id": f"r{index}",
        "prompt": f"question {index}",
        "subset": subset,
        "category": category,
        "scores": {"small": small, "large": large},
        "score_meaning": "1 = correct",
        "contaminated": contaminated,
    }
    if costs is not None:
        record["cost_usd"] = costs
    return record


def test_null_score_skipped_and_counted(tmp_path):
    path = write_rows(tmp_path / "rows.jsonl", [row(0), row(1, small=None), row(2)])
    result = load_rows(path, MODELS)
    assert [r.id for r in result.rows] == ["r0", "r2"]
    assert result.null_scores == 1


def test_contaminated_excluded_by_default(tmp_path):
    path = write_rows(tmp_path / "rows.jsonl", [row(0), row(1, contaminated=True)])
    assert len(load_rows(path, MODELS).rows) == 1
    assert len(load_rows(path, MODELS, RowFilter(exclude_contaminated=False)).rows) == 2


@pytest.mark.parametrize(("row_filter", "kept"), [(RowFilter(subset="b"), ["r1"]), (RowFilter(category="y"), ["r2"])])
def test_subset_and_category_filters(tmp_path, row_filter, kept):
    path = write_rows(tmp_path / "rows.jsonl", [row(0), row(1, subset="b"), row(2, category="y")])
    assert [r.id for r in load_rows(path, MODELS, row_filter).rows] == kept


def test_cost_field_read_per_model(tmp_path):
    path = write_rows(
        tmp_path / "rows.jsonl",
        [row(0, costs={"small": 0.1, "large": 2.0}), row(1, costs={"small": None, "large": 2.0})],
    )
    result = load_rows(path, MODELS, cost_field="cost_usd")
    assert result.rows[0].costs_usd == (0.1, 2.0)
    assert result.null_costs == 1


def test_limit_seeded_sample_in_file_order(tmp_path):
    path = write_rows(tmp_path / "rows.jsonl", [row(index) for index in range(50)])
    first = [r.id for r in load_rows(path, MODELS, limit=10, seed=4).rows]
    again = [r.id for r in load_rows(path, MODELS, limit=10, seed=4).rows]
    assert first == again
    assert first == sorted(first, key=lambda key: int(key[1:]))
    assert len(first) == 10


def test_unknown_model_lists_models(tmp_path):
    path = write_rows(tmp_path / "rows.jsonl", [row(0)])
    with pytest.raises(EvaluationInputError, match="models in the file: large, small") as raised:
        load_rows(path, ["small", "huge"])
    assert raised.value.option == "--tiers"


def test_missing_file_names_data_option(tmp_path):
    with pytest.raises(EvaluationInputError, match="--data"):
        load_rows(tmp_path / "absent.jsonl", MODELS)


def test_invalid_json_names_line(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_text(json.dumps(row(0)) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(EvaluationInputError, match="rows.jsonl:2"):
        load_rows(path, MODELS)


def test_binary_file_names_line(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_bytes(json.dumps(row(0)).encode() + b"\n\xff\xfe\x00binary\n")
    with pytest.raises(EvaluationInputError, match="rows.jsonl:2 is not UTF-8 text") as raised:
        load_rows(path, MODELS)
    assert raised.value.option == "--data"


def test_byte_order_mark_accepted(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_text(json.dumps(row(0)) + "\n", encoding="utf-8-sig")
    assert len(load_rows(path, MODELS).rows) == 1


@pytest.mark.parametrize("score", ["high", True, [1], float("nan")])
def test_non_numeric_score_names_line(tmp_path, score):
    path = write_rows(tmp_path / "rows.jsonl", [row(0), row(1, small=score)])
    with pytest.raises(EvaluationInputError) as raised:
        load_rows(path, MODELS)
    assert raised.value.option == "--data"
    assert "rows.jsonl:2" in str(raised.value)
    assert "model 'small'" in str(raised.value)


def test_non_numeric_cost_names_option(tmp_path):
    path = write_rows(tmp_path / "rows.jsonl", [row(0, costs={"small": "cheap", "large": 0.01})])
    with pytest.raises(EvaluationInputError, match="rows.jsonl:1") as raised:
        load_rows(path, MODELS, cost_field="cost_usd")
    assert raised.value.option == "--cost-field"


@pytest.mark.parametrize("text", ["", "\n\n  \n"])
def test_empty_file_has_no_rows(tmp_path, text):
    path = tmp_path / "empty.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(EvaluationInputError, match="empty.txt: no rows") as raised:
        load_rows(path, MODELS)
    assert raised.value.option == "--data"


@pytest.mark.parametrize("score", [1e308, 10.5, -5, -0.001, 1e6, pytest.param(10**400, id="integer-beyond-float")])
def test_score_out_of_range_names_line(tmp_path, score):
    path = write_rows(tmp_path / "rows.jsonl", [row(0), row(1, large=score)])
    with pytest.raises(EvaluationInputError) as raised:
        load_rows(path, MODELS)
    assert raised.value.option == "--data"
    assert "rows.jsonl:2" in str(raised.value)
    assert "model 'large'" in str(raised.value)
    assert "expected a number from 0 to 10" in str(raised.value)


def test_score_range_ends_accepted(tmp_path):
    path = write_rows(tmp_path / "rows.jsonl", [row(0, small=0, large=10), row(1, small=0.0, large=10.0)])
    assert [r.scores for r in load_rows(path, MODELS).rows] == [(0.0, 10.0), (0.0, 10.0)]


def test_cost_beyond_float_names_option(tmp_path):
    path = write_rows(tmp_path / "rows.jsonl", [row(0, costs={"small": 10**400, "large": 0.01})])
    with pytest.raises(EvaluationInputError, match="expected a finite number") as raised:
        load_rows(path, MODELS, cost_field="cost_usd")
    assert raised.value.option == "--cost-field"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"prompt": "a", "scores": {"small": 1' + "0" * 5000 + ', "large": 1}}', "integer of more than"),
        ('{"prompt": "a", "scores": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deep"),
    ],
)
def test_unparsable_number_or_nesting_names_line(tmp_path, line, message):
    path = tmp_path / "rows.jsonl"
    path.write_text(json.dumps(row(0)) + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(EvaluationInputError, match=message) as raised:
        load_rows(path, MODELS)
    assert raised.value.option == "--data"
    assert "rows.jsonl:2" in str(raised.value)
