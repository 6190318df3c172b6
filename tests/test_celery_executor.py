"""The real `learnloop` DAG on a real CeleryExecutor deployment with two workers.

tests/celery_cluster.py starts PostgreSQL, Redis, the api-server, the scheduler, the
dag-processor and two `airflow celery worker` processes on loopback, all over one
LEARNLOOP_HOME holding the demo's exports. One triggered run must succeed, run on both
workers, and publish exactly the kpi_weekly that `learnloop run` (dag.test() in process, no
executor) publishes from the same exports.

Today's DAG is one chain, so which worker takes a task would be chance. A cluster policy
(tests/airflow_cluster_settings/) routes every other task to worker-b's queue instead. Each
hand-over then crosses workers: a task's return value travels through the API server (XCom),
the run's data (its database, the landed copies) through the shared home, which is what a
multi-host deployment depends on.
"""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from learnloop.cli import DEMO_CONFIG
from learnloop.paths import SAMPLE_DATA_DIR, Home
from tests.celery_cluster import DEFAULT_QUEUE, Worker, celery_cluster
from tests.conftest import query, run_cli

pytestmark = pytest.mark.slow

WORKER_B_QUEUE = "worker-b"
WORKERS = (
    Worker("worker-a", queues=(DEFAULT_QUEUE,)),
    Worker("worker-b", queues=(WORKER_B_QUEUE,)),
)
# task -> the worker that must run it: every other task of the chain goes to worker-b.
EXPECTED_WORKER = {
    "discover": "worker-a",
    "erase": "worker-b",  # nothing to erase in a run that loads: it returns None at once
    "ingest": "worker-a",
    "gate_raw": "worker-b",
    "dbt_build": "worker-a",
    "gate_marts": "worker-b",
    "publish": "worker-a",
    "finish": "worker-b",
}
TASK_QUEUES = {
    task: WORKER_B_QUEUE for task, worker in EXPECTED_WORKER.items() if worker == "worker-b"
}

KPI_QUERY = "SELECT * FROM analytics.kpi_weekly ORDER BY week_start, platform"


def demo_home(root: Path) -> Home:
    """A home with `learnloop demo`'s configuration and exports (sample_data/) in landing/."""
    home = Home(root)
    home.ensure()
    home.config_file.write_text(DEMO_CONFIG, encoding="utf-8")
    shutil.copytree(
        SAMPLE_DATA_DIR, home.landing / "sample_data", ignore=shutil.ignore_patterns("*.md")
    )
    return home


def test_celery_run_uses_both_workers_and_publishes_the_local_kpis(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    local_home = demo_home(tmp_path_factory.mktemp("local") / "home")
    celery_root = tmp_path_factory.mktemp("celery")
    celery_home = demo_home(celery_root / "home")
    # The local run (one process, mostly one core) overlaps the cluster's start and run,
    # which spend much of their time waiting.
    with ThreadPoolExecutor(max_workers=1) as pool:
        local_run = pool.submit(run_cli, local_home, "run")
        with celery_cluster(celery_root / "cluster", celery_home, WORKERS, TASK_QUEUES) as cluster:
            run_id = cluster.trigger()
            state = cluster.wait_for_run(run_id)
            task_runs = cluster.task_instances(run_id)
            assert state == "success", cluster.log_tails()
        local = local_run.result()
    assert local.returncode == 0, local.stdout + local.stderr

    assert {run.task_id: (run.state, run.hostname) for run in task_runs} == {
        task: ("success", worker) for task, worker in EXPECTED_WORKER.items()
    }
    assert {run.task_id: run.queue for run in task_runs} == {
        task: TASK_QUEUES.get(task, DEFAULT_QUEUE) for task in EXPECTED_WORKER
    }
    celery_kpis = query(celery_home.published, KPI_QUERY)
    assert celery_kpis == query(local_home.published, KPI_QUERY)
    # sample_data/README.md: ISO weeks 2026-W41..W44 on facebook, instagram, linkedin, x and
    # youtube, plus `all`: 4 * 6 rows; 82 Hootsuite + 26 Sprout messages + 69 YouTube comments.
    assert len(celery_kpis) == 24
    assert query(
        celery_home.published,
        "SELECT sum(inbound_messages + outbound_messages) FROM analytics.kpi_weekly"
        " WHERE platform = 'all'",
    ) == [(82 + 26 + 69,)]
