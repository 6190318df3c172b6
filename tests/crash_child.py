"""A pipeline run that SIGKILLs itself at a chosen point inside a stage (for test_crashes.py).

    python -m tests.crash_child HOME POINT

Runs the real stages of learnloop.pipeline, in the DAG's order, on LEARNLOOP_HOME=HOME. One
real function of the stage is wrapped so that the process sends itself SIGKILL there: no
teardown, no `finally`, no flush, as when the machine loses power or the OOM killer strikes.
Nothing in learnloop knows about this; the wrapping exists only in this process.

`killed_run` starts it without paying the imports of Great Expectations, dbt, pandas and
DuckDB for each kill point: forked from run_cli's pre-imported helper (tests/cli_zygote.py),
as `python -m tests.crash_child HOME POINT` would run.
"""

from __future__ import annotations

import importlib
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

from learnloop.paths import PROJECT_ROOT, Home
from tests.conftest import _clean_environment
from tests.published_build import publishing_run
from tests.session_state import CLI_ZYGOTE, OPTIONS

MODULE = "tests.crash_child"

# point -> (module, function, kill on the n-th call (after: the n-th that returned), kill
#           before or after the call runs, which calls count)
KillPoint = tuple[str, str, int, str, Callable[..., bool]]
ANY: Callable[..., bool] = lambda *args, **kwargs: True  # noqa: E731
KILL_POINTS: dict[str, KillPoint] = {
    # discover: the second landed file is copied (and hashed) into the run folder
    "discover": ("learnloop.ingest.landing", "copy_hashed", 2, "after", ANY),
    # ingest: the second file's rows are inserted, its transaction not committed (the loader
    # reads a format's files together; two that fail together are inserted one at a time)
    "ingest": ("learnloop.ingest.loader", "insert_rows", 2, "after", ANY),
    # raw gate: GX has validated the first expectation (once per run: both gates use it)
    "gate_raw": ("learnloop.gates.runner", "_outcome", 1, "after", lambda g, *a: g == "raw_batch"),
    # dbt: dbt has started writing models (the third node finished)
    "dbt_build": ("learnloop.transform", "_invoke", 1, "dbt-node-3", ANY),
    # mart gate: GX has validated the first mart expectation
    "gate_marts": ("learnloop.gates.runner", "_outcome", 1, "after", lambda g, *a: g == "marts"),
    # publish: the new file is written and its snapshot linked, the rename not done
    "publish": ("os", "link", 1, "after", ANY),
}
# test_crashes.py kills the mart gate through the real DAG instead (one full pipeline less).
IN_SUBPROCESS = ("discover", "ingest", "gate_raw", "dbt_build", "publish")


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _kill_after_dbt_nodes(nodes: int) -> Callable[..., Any]:
    """Wrap transform._invoke: a dbt callback kills the process after `nodes` nodes finished."""
    from learnloop import transform

    original = transform._invoke
    finished = 0

    def on_event(event: Any) -> None:
        nonlocal finished
        if event.info.name == "NodeFinished":
            finished += 1
            if finished >= nodes:
                die()

    @wraps(original)
    def invoke(runner: Any, *args: Any, **kwargs: Any) -> Any:
        runner.callbacks.append(on_event)
        return original(runner, *args, **kwargs)

    return invoke


def install(point: str) -> None:
    module_name, function, nth, when, counts = KILL_POINTS[point]
    module = importlib.import_module(module_name)
    if when.startswith("dbt-node-"):
        setattr(module, function, _kill_after_dbt_nodes(int(when.rsplit("-", 1)[1])))
        return
    original = getattr(module, function)
    calls = 0

    @wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        if not counts(*args, **kwargs):
            return original(*args, **kwargs)
        if when == "before":
            calls += 1
            if calls == nth:
                die()
            return original(*args, **kwargs)
        result = original(*args, **kwargs)  # a call that raises does not count
        calls += 1
        if calls == nth:
            die()
        return result

    setattr(module, function, wrapper)


def main(home: str, point: str) -> None:
    install(point)
    publishing_run(Home(Path(home)))
    print("the run completed without reaching its kill point", file=sys.stderr)
    sys.exit(2)


def killed_run(home: Home, point: str) -> subprocess.CompletedProcess[str]:
    """`python -m tests.crash_child HOME POINT` run to its end, forked from run_cli's helper
    (tests/cli_zygote.py: the stages' libraries imported once per pytest process) unless it
    cannot stand in; its exit code is -9 (SIGKILL, as `subprocess` reports it) when the
    kill point was reached."""
    env = _clean_environment(home)
    args = [str(home.root), point]
    result = None if OPTIONS["cli_subprocess"] else CLI_ZYGOTE.run(args, env, 600, MODULE)
    if result is None:
        result = subprocess.run(
            [sys.executable, "-m", MODULE, *args],
            env=env,
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    return result


if __name__ == "__main__":
    main(*sys.argv[1:])
