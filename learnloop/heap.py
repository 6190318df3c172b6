"""Python's garbage collector and the large libraries a run loads."""

from __future__ import annotations

import contextlib
import gc
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def loading_libraries() -> Iterator[None]:
    """Import what stays loaded until the process ends (Airflow, dbt, Great Expectations)
    without the garbage collector, then keep it out of the collector's sight.

    Importing them makes hundreds of thousands of objects and almost no garbage, yet each
    full collection on the way walks every object made so far, and every later one walks
    them again: a tenth of a 1M daily run went to the collector (2.3 of 23.7 s,
    DECISIONLOG.md, "The garbage collector leaves what a run loaded alone"). Frozen, they are
    never scanned; garbage made afterwards is collected as before.

    Only a block that imported something freezes: freezing takes whatever is alive, garbage
    not yet collected included, which then stays in memory for good. The first import of a
    library leaves little of it; a later call in the same process (a home with workspaces
    builds each in turn) could find the last build's dbt manifest waiting for the collector.
    """
    enabled = gc.isenabled()
    modules = len(sys.modules)
    gc.disable()
    try:
        yield
    finally:
        if len(sys.modules) > modules:
            gc.freeze()
        if enabled:
            gc.enable()
