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
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from pathlib import Path


def worker_hostname() -> str:
    return os.environ["TEST_CLUSTER_WORKER"]


def _task_libraries() -> tuple[str, ...]:
    # By path: the tests are not a package on the cluster's PYTHONPATH.
    path = Path(__file__).resolve().parent.parent / "cli_zygote.py"
    spec = importlib.util.spec_from_file_location("_cli_zygote_preload", path)
    assert spec is not None and spec.loader is not None
    zygote = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(zygote)
    return tuple(name for name in zygote.PRELOAD if not name.startswith("learnloop"))


if os.environ.get("TEST_CLUSTER_WORKER"):
    for name in _task_libraries():
        importlib.import_module(name)
