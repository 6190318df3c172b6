"""Airflow's local settings for the test cluster (tests/celery_cluster.py), on its PYTHONPATH.

- `task_policy` routes tasks to Celery queues: TEST_CLUSTER_TASK_QUEUES is a JSON object of
  task id -> queue. The dag-processor applies it when it parses the DAGs, so the routing is
  in the serialised DAG the scheduler queues from; the DAG files stay untouched.
- `worker_hostname` is the workers' `[core] hostname_callable`: every worker runs on this one
  machine, so each records its own name (TEST_CLUSTER_WORKER) as the task instance hostname.
"""

from __future__ import annotations

import json
import os
from typing import Any

__all__ = ["task_policy"]

_TASK_QUEUES: dict[str, str] = json.loads(os.environ.get("TEST_CLUSTER_TASK_QUEUES") or "{}")


def task_policy(task: Any) -> None:
    queue = _TASK_QUEUES.get(task.task_id)
    if queue is not None:
        task.queue = queue


def worker_hostname() -> str:
    return os.environ["TEST_CLUSTER_WORKER"]
