"""Report files: written complete or not at all, never over the --data file, never with NaN or infinity."""

import json
import os

import pytest

from evaluation.data import EvaluationInputError
from evaluation.report import check_data_not_overwritten, write_report
from evaluation.runner import EvaluationConfig, run_evaluation
from evaluation.tiers import parse_tiers
from router.engine import LLMRouter


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "rows.jsonl"
    records = [{"prompt": f"What is {n} plus {n}?", "scores": {"s": n % 2, "l": 1}} for n in range(30)]
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    config = EvaluationConfig(data=path, tier_map=parse_tiers("1=s,3=l"), resamples=0)
    return run_evaluation(config, LLMRouter())


def copy_of(report):
    return json.loads(json.dumps(report))


def test_write_report_leaves_only_outputs(tmp_path, report):
    out = tmp_path / "out"
    written = write_report(report, out, "rows")
    assert sorted(path.name for path in written) == ["quality_cost.png", "report.json"]
    assert sorted(os.listdir(out)) == ["quality_cost.png", "report.json"]


def test_non_finite_report_writes_nothing(tmp_path, report):
    broken = copy_of(report)
    broken["analysis"]["curves"]["oracle"]["qualities"][0] = float("inf")
    out = tmp_path / "out"
    with pytest.raises(ValueError, match=r"analysis\.curves\.oracle\.qualities\[0\] is NaN or infinite"):
        write_report(broken, out, "rows")
    assert not out.exists()


def test_failed_plot_keeps_earlier_report(tmp_path, report):
    broken = copy_of(report)
    # A missing end point makes matplotlib fail, after report.json is already rendered.
    broken["analysis"]["endpoints"]["q_weak"]["value"] = None
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.json").write_text("earlier\n", encoding="utf-8")
    with pytest.raises(TypeError):
        write_report(broken, out, "rows")
    assert (out / "report.json").read_text(encoding="utf-8") == "earlier\n"
    assert os.listdir(out) == ["report.json"]


def data_file(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["report.json", "quality_cost.png"])
def test_output_named_like_data_rejected(tmp_path, name):
    data = data_file(tmp_path / "out" / name)
    with pytest.raises(EvaluationInputError) as raised:
        check_data_not_overwritten(tmp_path / "out", data, replay=False)
    assert raised.value.option == "--out"
    assert f"--data file {data}" in str(raised.value)


def test_replay_plot_rejected_only_with_replay(tmp_path):
    data = data_file(tmp_path / "out" / "replay.png")
    check_data_not_overwritten(tmp_path / "out", data, replay=False)
    with pytest.raises(EvaluationInputError, match="replay.png"):
        check_data_not_overwritten(tmp_path / "out", data, replay=True)


def test_out_through_dot_dot_rejected(tmp_path):
    data = data_file(tmp_path / "report.json")
    (tmp_path / "sub").mkdir()
    with pytest.raises(EvaluationInputError, match="--out"):
        check_data_not_overwritten(tmp_path / "sub" / "..", data, replay=False)


def test_symbolic_link_to_data_rejected(tmp_path):
    data = data_file(tmp_path / "rows.jsonl")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "quality_cost.png").symlink_to(data)
    with pytest.raises(EvaluationInputError, match="--out"):
        check_data_not_overwritten(tmp_path / "out", data, replay=False)


def test_data_as_symbolic_link_rejected(tmp_path):
    (tmp_path / "out").mkdir()
    target = data_file(tmp_path / "out" / "report.json")
    data = tmp_path / "rows.jsonl"
    data.symlink_to(target)
    with pytest.raises(EvaluationInputError, match="--out"):
        check_data_not_overwritten(tmp_path / "out", data, replay=False)


def test_hard_link_to_data_rejected(tmp_path):
    data = data_file(tmp_path / "rows.jsonl")
    (tmp_path / "out").mkdir()
    os.link(data, tmp_path / "out" / "report.json")
    with pytest.raises(EvaluationInputError, match="--out"):
        check_data_not_overwritten(tmp_path / "out", data, replay=False)


def test_other_data_file_accepted(tmp_path):
    data = data_file(tmp_path / "out" / "rows.jsonl")
    (tmp_path / "out" / "report.json").write_text("earlier\n", encoding="utf-8")
    check_data_not_overwritten(tmp_path / "out", data, replay=True)
