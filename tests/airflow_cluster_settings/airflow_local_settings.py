"""Airflow's local settings for the test cluster (tests/celery_cluster.py), on its PYTHONPATH.

`worker_hostname` is the workers' `[core] hostname_callable`: every worker runs on this one
machine, so each records its own name (TEST_CLUSTER_WORKER) as the task instance hostname.

A worker (TEST_CLUSTER_WORKER set) also imports the libraries the DAG's tasks use, once, as
it starts. Airflow runs each task in a process forked from the worker's pool process, so the
tasks inherit them instead of importing Great Expectations (about 3.5 CPU-seconds, in each
gate task), dbt (about 2, in each build) and pandas again. Only third-party libraries that
read no LEARNLOOP_* or AIRFLOW* setting when imported (some of those the tests' CLI helper,
tests/cli_zygote.py, preloads for the same reason); LearnLoop's own modules and the DAG file
are still imported by each task, as on any worker.
"""

from __future__ import annotations

import importlib
import os

TASK_LIBRARIES = (
    "numpy",
    "pandas",
    "duckdb",
    "sqlalchemy",
    "great_expectations",
    "great_expectations.execution_engine.sqlalchemy_execution_engine",
    "great_expectations.data_context.types.base",
    "dbt.cli.main",
    "dbt.parser.manifest",
    "dbt.contracts.graph.manifest",
    "dbt.adapters.duckdb.connections",
)


def worker_hostname() -> str:
    return os.environ["TEST_CLUSTER_WORKER"]


if os.environ.get("TEST_CLUSTER_WORKER"):
    for name in TASK_LIBRARIES:
        importlib.import_module(name)
