"""Lambda init helper: the garbage collector pause restores state and freezes only on success."""

import gc

import pytest

from api.cold_start import paused_garbage_collector


@pytest.fixture(autouse=True)
def clean_gc_state():
    was_enabled = gc.isenabled()
    yield
    gc.unfreeze()
    if was_enabled:
        gc.enable()
    else:
        gc.disable()


def test_pause_disables_inside_block():
    gc.enable()
    with paused_garbage_collector():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_pause_keeps_disabled_collector_off():
    gc.disable()
    with paused_garbage_collector():
        pass
    assert not gc.isenabled()


def test_pause_freezes_block_objects():
    gc.unfreeze()
    with paused_garbage_collector():
        kept = [[] for _ in range(100)]
    assert gc.get_freeze_count() >= len(kept)


def test_pause_no_freeze_when_block_raises():
    gc.unfreeze()
    gc.enable()
    with pytest.raises(RuntimeError), paused_garbage_collector():
        raise RuntimeError("init failed")
    assert gc.get_freeze_count() == 0
    assert gc.isenabled()
