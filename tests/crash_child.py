"""A pipeline run that SIGKILLs itself at a chosen point inside a stage (for test_crashes.py).

    python -m tests.crash_child HOME POINT

Runs the real stages of learnloop.pipeline, in the DAG's order, on LEARNLOOP_HOME=HOME. One
real function of the stage is wrapped so that the process sends itself SIGKILL there: no
teardown, no `finally`, no flush, as when the machine loses power or the OOM killer strikes.
Nothing in learnloop knows about this; the wrapping exists only in this process.

`KilledRuns` runs several such processes without paying the imports of Great Expectations,
dbt, pandas and DuckDB for each: one server process (`python -m tests.crash_child --serve`)
imports them once and forks a child per kill point, which then runs exactly what
`python -m tests.crash_child HOME POINT` runs (the server forks only while it runs one
thread, with tests/cli_zygote.py's imports and checks).
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import subprocess
import sys
import traceback
from collections.abc import Callable, Mapping
from functools import wraps
from pathlib import Path
from typing import Any

from learnloop.paths import PROJECT_ROOT, Home
from tests import cli_zygote
from tests.published_build import publishing_run

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


# --- several killed runs from one server process -------------------------------------------


class KilledRuns:
    """`python -m tests.crash_child HOME POINT` for several points, each a child forked from
    one server process that imported the stages' libraries once. Use as a context manager;
    the server ends when it is left."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self._server = subprocess.Popen(
            [sys.executable, "-m", "tests.crash_child", "--serve"],
            env=dict(env),
            cwd=PROJECT_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def __enter__(self) -> KilledRuns:
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server.stdin is not None
        self._server.stdin.close()  # the server ends at the end of its input
        try:
            self._server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self._server.kill()
            self._server.wait()

    def run(self, home: Home, point: str, stderr: Path) -> int:
        """The exit code of the run killed at `point` (-9: SIGKILL, as `subprocess` reports
        it); its standard error goes to `stderr`."""
        assert self._server.stdin is not None and self._server.stdout is not None
        request = {"home": str(home.root), "point": point, "stderr": str(stderr)}
        self._server.stdin.write(json.dumps(request) + "\n")
        self._server.stdin.flush()
        reply = self._server.stdout.readline()
        if not reply:
            raise RuntimeError(f"the crash_child server ended (exit {self._server.wait()})")
        return os.waitstatus_to_exitcode(json.loads(reply)["status"])


def serve() -> None:
    """Fork a killed run per request line on stdin; reply with its wait status."""
    # The CLI helper's imports (none reads LEARNLOOP_* or AIRFLOW*) and warm-up: the stages
    # import the same libraries when they run.
    for module in cli_zygote.PRELOAD:
        importlib.import_module(module)
    cli_zygote._warm_up()
    cli_zygote._fork_once()  # numpy's OpenBLAS stops its start-up thread in its fork handler
    replies = sys.stdout
    for line in sys.stdin:
        request = json.loads(line)
        cli_zygote._check_single_thread()
        pid = os.fork()
        if pid == 0:
            _become_killed_run(request)
        _, status = os.waitpid(pid, 0)
        replies.write(json.dumps({"status": status}) + "\n")
        replies.flush()


def _become_killed_run(request: dict[str, str]) -> None:
    """In the forked child: standard streams of its own, then `main`; never returns."""
    code = 3
    try:
        err = os.open(request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(err, 2)
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
        sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115
        os.environ["LEARNLOOP_HOME"] = request["home"]
        main(request["home"], request["point"])
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stderr.flush()
        os._exit(code)


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve"]:
        serve()
    else:
        main(*sys.argv[1:])
