"""Progress lines for people watching a run; the command line decides where they go.

Stages report here rather than through logging, so that `learnloop run` can show a short,
readable progress while Airflow's own logs go to a file. A stage that fails reports its
one-line reason here too, so the command line can end with this run's own outcome.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from contextvars import ContextVar

log = logging.getLogger("learnloop.progress")

# The tasks of the `learnloop` DAG (dags/learnloop_dag.py), then `report` of the
# `learnloop_weekly_report` DAG that follows a publish, and the names people see, in run order.
STAGES = {
    "discover": "discover",
    "erase": "erase",  # only a forget run reports it
    "ingest": "ingest",
    "gate_raw": "gate raw_batch",
    "dbt_build": "dbt build",
    "gate_marts": "gate marts",
    "publish": "publish",
    "report": "report",
}

Sink = Callable[[str, str], None]
_sink: Sink | None = None
_failure_sink: Sink | None = None
# The workspace whose stage is reporting ("" in a home without workspaces): a sink asks for
# it (`workspace()`), so the stages' lines need not say it themselves.
_workspace: ContextVar[str] = ContextVar("learnloop_progress_workspace", default="")


@contextlib.contextmanager
def in_workspace(name: str) -> Iterator[None]:
    token = _workspace.set(name)
    try:
        yield
    finally:
        _workspace.reset(token)


def workspace() -> str:
    return _workspace.get()


def set_sink(sink: Sink | None, on_failure: Sink | None = None) -> None:
    global _sink, _failure_sink
    _sink, _failure_sink = sink, on_failure


def step(stage: str, detail: str) -> None:
    log.info("%s%s: %s", _prefix(), stage, detail)
    if _sink is not None:
        _sink(stage, detail)


def failed(stage: str, reason: str) -> None:
    log.error("%s%s failed: %s", _prefix(), stage, reason)
    if _failure_sink is not None:
        _failure_sink(stage, reason)


def _prefix() -> str:
    from learnloop.workspaces import label

    return label(_workspace.get())
