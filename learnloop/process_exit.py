"""The end of a `learnloop` process, without the interpreter's teardown."""

from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import NoReturn


def exit_without_teardown(code: int) -> NoReturn:
    """Exit with `code` after what an exit owes the program, in the interpreter's order:
    non-daemon threads joined, atexit handlers run (logging's flush, Airflow disposing of its
    database engine), standard streams flushed (code 120 when that fails, as Python's own
    exit). What it skips is the teardown that frees every object one by one: after a run,
    with Airflow, dbt and Great Expectations loaded, about 2 s for a process that is ending
    (DECISIONLOG.md, "A run's process exits without the interpreter's teardown")."""
    threading._shutdown()  # type: ignore[attr-defined]
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            code = 120
    os._exit(code)
