"""Python's garbage collector and the large libraries a run loads."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def loading_libraries() -> Iterator[None]:
    """Load what stays loaded until the process ends (Airflow, dbt, Great Expectations)
    without the garbage collector, then keep it out of the collector's sight.

    Importing them makes millions of objects and almost no garbage, yet each full collection
    on the way walks every object made so far, and every later one walks them again: a tenth
    of a 1M daily run went to the collector (2.3 of 23.7 s, DECISIONLOG.md, "The garbage
    collector leaves what a run loaded alone"). Frozen, they are never scanned; garbage made
    afterwards is collected as before. What little was garbage when frozen stays in memory
    (memory only: every stage closes the files it opens)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
