"""Airflow's local settings for the test cluster (tests/celery_cluster.py), on its PYTHONPATH.

`worker_hostname` is the workers' `[core] hostname_callable`: every worker runs on this one
machine, so each records its own name (TEST_CLUSTER_WORKER) as the task instance hostname.

A worker (TEST_CLUSTER_WORKER set) also imports the libraries the DAG's tasks use, once, as
it starts. Airflow runs each task in a process forked from the worker's pool process, so the
tasks inherit them instead of importing Great Expectations (about 3.5 CPU-seconds, in each
gate task), dbt (about 2, in each build) and pandas again. The libraries are the ones the
tests' CLI helper preloads for the same reason (tests/cli_zygote.py: PRELOAD, none reads
LEARNLOOP_* or AIRFLOW* when imported), without its LearnLoop module: LearnLoop's own modules
and the DAG file are still imported by each task, as on any worker.

With TEST_SESSION_VECTORS, the session's embeddings folder (tests/session_vectors.py), the
process that takes a task from Celery first takes the vectors other test processes handed in,
and the task's process, forked from it, starts with them: a build still embeds and caches
every text its database lacks, without asking the engine for a vector the session knows.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from pathlib import Path
from types import ModuleType


def worker_hostname() -> str:
    return os.environ["TEST_CLUSTER_WORKER"]


def _test_module(name: str) -> ModuleType:
    # By path: the tests are not a package on the cluster's PYTHONPATH.
    path = Path(__file__).resolve().parent.parent / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"_cluster_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _task_libraries() -> tuple[str, ...]:
    zygote = _test_module("cli_zygote")
    return tuple(name for name in zygote.PRELOAD if not name.startswith("learnloop"))


def _take_session_vectors_before_each_task(folder: Path) -> None:
    from celery.signals import task_prerun

    session_vectors = _test_module("session_vectors")

    def take(**_: object) -> None:
        session_vectors.take(folder)

    task_prerun.connect(take, weak=False)


if os.environ.get("TEST_CLUSTER_WORKER"):
    for name in _task_libraries():
        importlib.import_module(name)
    if os.environ.get("TEST_SESSION_VECTORS"):
        _take_session_vectors_before_each_task(Path(os.environ["TEST_SESSION_VECTORS"]))
