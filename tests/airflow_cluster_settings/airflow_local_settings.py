"""Airflow's local settings for the test cluster (tests/celery_cluster.py), on its PYTHONPATH.

`worker_hostname` is the workers' `[core] hostname_callable`: every worker runs on this one
machine, so each records its own name (TEST_CLUSTER_WORKER) as the task instance hostname.
"""

from __future__ import annotations

import os


def worker_hostname() -> str:
    return os.environ["TEST_CLUSTER_WORKER"]
