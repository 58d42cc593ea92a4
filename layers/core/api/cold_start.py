"""Init of a Lambda function with Python's cyclic garbage collector paused.

A handler's init imports pydantic, Powertools, botocore and the router and
compiles the classifier's vocabulary. The collections that this triggers find
almost no garbage: after the route function's init the collector tracks about
93,000 objects and has freed fewer than 1,000, and its collections took 80 to
120 ms, about a sixth of that init on the benchmark machine
(docs/benchmarks.md). This module imports only the standard library, so a
handler can enter it before its first heavy import.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_garbage_collector() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block, then freeze what it built.

    Without the freeze, every object created in the block would still sit in
    the youngest generation, and the first collection after it (in the first
    request) would scan them all. `gc.freeze` moves them to a generation that
    collections skip, so they are never scanned or freed: right for what a
    handler builds once and keeps. If the block raises, nothing is frozen.
    The collector's state before the block is restored either way.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        gc.freeze()
    finally:
        if was_enabled:
            gc.enable()
