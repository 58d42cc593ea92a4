"""Unit tests of the drift benchmark on a tiny synthetic stream (real SQLite store and retrainer)."""

from __future__ import annotations

from evaluation.drift import DriftConfig, count_flips, run_drift
from router.settings import Settings

CELLS = ("science/physics:1", "legal/law:1")


def test_drift_promotes_fresh_cell() -> None:
    # The drop starts at once, so the cell's evidence is all post-drop samples.
    config = DriftConfig(rows=240, retrain_every=20, drop_at=0, recover_at=240, cells=CELLS, drifting=CELLS[0])
    result = run_drift(config, Settings())
    assert result.samples_to_promote is not None
    assert result.samples_to_promote <= 30
    assert result.stable_cell_changes == 0
    assert result.flips == 0
    assert len(result.runs) == 12


def test_drift_after_good_history_promotes() -> None:
    # 300 good samples of history first: only a short evidence window contains just the drop.
    config = DriftConfig(rows=900, retrain_every=20, drop_at=600, recover_at=900, cells=CELLS, drifting=CELLS[0])
    result = run_drift(config, Settings())
    assert result.samples_to_promote is not None
    assert result.samples_to_promote <= 30


def test_drift_after_good_history_hidden_without_windows() -> None:
    config = DriftConfig(rows=900, retrain_every=20, drop_at=600, recover_at=900, cells=CELLS, drifting=CELLS[0])
    result = run_drift(config, Settings(evidence_windows=0))
    assert result.samples_to_promote is None


def test_drift_stable_stream_unchanged() -> None:
    config = DriftConfig(rows=200, retrain_every=20, drop_at=200, recover_at=200, cells=CELLS, drifting=CELLS[0])
    result = run_drift(config, Settings())
    assert result.samples_to_promote is None
    assert result.stable_cell_changes == 0


def test_count_flips_reversal() -> None:
    config = DriftConfig(rows=40, drop_at=10, recover_at=30, cells=("general:1",), drifting="general:1")
    runs = [
        {"after_rows": 10, "tiers": {"general:1": 1}},
        {"after_rows": 20, "tiers": {"general:1": 2}},
        {"after_rows": 25, "tiers": {"general:1": 1}},
        {"after_rows": 30, "tiers": {"general:1": 2}},
        {"after_rows": 40, "tiers": {"general:1": 1}},
    ]
    assert count_flips(config, runs) == 2
