"""Pausing the cyclic garbage collector while a large file streams through.

Reading a million-row file allocates tens of millions of tuples, lists and numbers; each
few hundred allocations the collector scans the young ones, and every so often it walks
every object the process holds, including the caches of parsed cells, which are large by
design. Nothing in the reading loop makes a reference cycle (rows, errors and cached cells
are plain trees), so the work finds nothing: pausing the collector for the loop made
reading and validating the benchmark file a third quicker (bench/measurement_import.py).
Reference counting still frees everything as usual.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """The collector off for the block, and back as it was after it (nested blocks
    leave it to the outermost)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
