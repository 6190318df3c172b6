"""A real CeleryExecutor deployment on loopback, for tests: PostgreSQL, Redis and Airflow 3.

`celery_cluster(root, home, workers)` starts, on free loopback ports:

- redis-server, the Celery broker and result backend, and at once one `airflow celery worker`
  per `Worker`, on its own queues and with its own concurrency. Airflow 3 workers need no
  metadata database (they run tasks through the API server), so they start while the database
  is prepared. A task records its worker's name as its hostname, so a test can tell the workers
  apart on one machine;
- PostgreSQL with Airflow's schema migrated once into a template database (`metadata_server`,
  tests/cluster_servers.py); the cluster's metadata database is a copy of the template;
- the api-server (REST API, and the Execution API the workers' tasks talk to), the scheduler
  (which runs the CeleryExecutor) and the dag-processor.

Every component uses the project's dags/ and `home` as LEARNLOOP_HOME. The context manager
yields a `CeleryCluster` to trigger DAG runs, wait for them and read their task instances. On
exit it stops every process it started and anything those spawned, also when start-up or the
test failed (tests/cluster_processes.py). Readiness is polled (a connection, a ping, the API's
health), never slept for.

To run several clusters in one session, start `metadata_server` once (e.g. in a session
fixture) and pass it to each `celery_cluster`: each cluster then copies the migrated template
(a fraction of a second) instead of migrating again.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import httpx

from learnloop.airflow_runner import airflow_environment
from learnloop.config import load_config
from learnloop.dag_ids import MAIN_DAG_ID, WRITER_POOL
from learnloop.paths import Home
from tests.cluster_processes import (
    ClusterError,
    Processes,
    clean_environment,
    free_port,
    tail,
)
from tests.cluster_servers import AIRFLOW, MetadataServer, metadata_server, start_redis

SETTINGS_DIR = Path(__file__).parent / "airflow_cluster_settings"
DEFAULT_QUEUE = "default"
FINISHED_RUN_STATES = {"success", "failed"}
# A run takes minutes: polling its state more often only keeps the api-server busy.
RUN_POLL_SECONDS = 1.0


@dataclass(frozen=True)
class Worker:
    """One `airflow celery worker` process: its name, the queues it takes tasks from, and how
    many tasks it runs at once. The name is also the hostname its task instances record."""

    name: str
    queues: tuple[str, ...] = (DEFAULT_QUEUE,)
    concurrency: int = 1


TWO_WORKERS = (Worker("worker-a"), Worker("worker-b"))


@dataclass(frozen=True)
class TaskRun:
    """A task instance of a DAG run, as the REST API reports it."""

    task_id: str
    map_index: int
    state: str | None
    hostname: str | None
    queue: str | None
    try_number: int
    start_date: datetime | None = None
    end_date: datetime | None = None


@dataclass
class CeleryCluster:
    """A running cluster: its REST API, the home every component shares, start-up figures."""

    home: Home
    api_url: str
    workers: tuple[Worker, ...]
    logs: Path
    # Seconds from the start of `celery_cluster` until each stage was ready.
    timings: dict[str, float] = field(default_factory=dict)

    def trigger(self, dag_id: str = MAIN_DAG_ID, conf: Mapping[str, object] | None = None) -> str:
        """Unpause the DAG and trigger one run; its run id."""
        with self.api_client() as client:
            _checked(client.patch(f"/dags/{dag_id}", json={"is_paused": False}))
            body = {"logical_date": None, "conf": dict(conf or {})}
            return _checked(client.post(f"/dags/{dag_id}/dagRuns", json=body)).json()["dag_run_id"]

    def wait_for_run(self, run_id: str, dag_id: str = MAIN_DAG_ID, timeout: float = 600) -> str:
        """Poll until the run succeeded or failed; its final state."""
        deadline = time.monotonic() + timeout
        with self.api_client() as client:
            while True:
                state = _checked(client.get(f"/dags/{dag_id}/dagRuns/{run_id}")).json()["state"]
                if state in FINISHED_RUN_STATES:
                    return state
                if time.monotonic() > deadline:
                    raise ClusterError(
                        f"run {run_id} still {state} after {timeout} s\n{self.log_tails()}"
                    )
                time.sleep(RUN_POLL_SECONDS)

    def task_instances(self, run_id: str, dag_id: str = MAIN_DAG_ID) -> list[TaskRun]:
        with self.api_client() as client:
            response = client.get(
                f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances", params={"limit": 1000}
            )
        return [
            TaskRun(
                task_id=ti["task_id"],
                map_index=ti["map_index"],
                state=ti["state"],
                hostname=ti["hostname"],
                queue=ti["queue"],
                try_number=ti["try_number"],
                start_date=_moment(ti.get("start_date")),
                end_date=_moment(ti.get("end_date")),
            )
            for ti in _checked(response).json()["task_instances"]
        ]

    def log_tails(self, lines: int = 25) -> str:
        """The end of every component's log, for a failure message."""
        return "\n".join(tail(path, lines) for path in sorted(self.logs.glob("*.log")))

    def api_client(self) -> httpx.Client:
        # simple_auth_manager_all_admins: the API needs no login (loopback, tests only).
        return httpx.Client(base_url=f"{self.api_url}/api/v2", timeout=60)


@contextmanager
def celery_cluster(
    root: Path,
    home: Home,
    workers: Sequence[Worker] = TWO_WORKERS,
    metadata: MetadataServer | None = None,
    writer_slots: int = 1,
    vectors: Path | None = None,
) -> Iterator[CeleryCluster]:
    """Start the cluster in `root` (logs in root/logs) over `home`; stop it on exit.

    Every task goes to the `default` queue (a `Worker` may listen on others). Without
    `metadata` the cluster starts its own PostgreSQL server. The DAG's writer pool is created
    with `writer_slots` slots: one per workspace that may write at once (docker-compose:
    LEARNLOOP_WRITER_SLOTS). With `vectors`, the session's embeddings folder
    (tests/session_vectors.py), each task starts with the vectors handed in by then.
    """
    started = time.monotonic()
    timings: dict[str, float] = {}

    def done(stage: str) -> None:
        timings[stage] = round(time.monotonic() - started, 1)

    logs = root / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    processes = Processes(logs)
    api_port = free_port()
    api_url = f"http://127.0.0.1:{api_port}"
    with ExitStack() as stack:
        stack.callback(processes.stop_all)
        redis_url = start_redis(processes, root / "redis", free_port())
        env = _airflow_env(root, home, redis_url, api_port)
        for worker in workers:
            _start_worker(processes, env, worker, vectors)
        done("redis answers, workers started")
        if metadata is None:
            metadata = stack.enter_context(metadata_server(root))
            stack.callback(processes.stop_all)  # Airflow's components stop before PostgreSQL
            done("postgres started, airflow db migrate")
        env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = metadata.new_database()
        serve = ("api-server", "--host", "127.0.0.1", "--port", str(api_port), "--workers", "1")
        processes.start("api-server", [*AIRFLOW, *serve], env)
        processes.start("scheduler", [*AIRFLOW, "scheduler"], env)
        processes.start("dag-processor", [*AIRFLOW, "dag-processor"], env)
        # One client for every poll: a new one (`httpx.get`) builds an SSL context, about 30 ms
        # of CPU, five times a second per check while the cluster starts.
        probe = stack.enter_context(httpx.Client())
        processes.wait_for_all(
            {
                "api-server, scheduler and dag-processor healthy": _healthy(probe, api_url),
                # The Execution API builds itself on its first request (about 10 s): make that
                # request now rather than in the first task.
                "execution API answers": _answers(
                    probe, f"{api_url}/execution/health", timeout=120
                ),
                f"DAG {MAIN_DAG_ID} parsed": _answers(
                    probe, f"{api_url}/api/v2/dags/{MAIN_DAG_ID}"
                ),
                "workers answer a ping": _workers_answer(redis_url, workers),
            },
            on_ready=done,
        )
        cluster = CeleryCluster(home, api_url, tuple(workers), logs, timings)
        with cluster.api_client() as client:
            pool = {"name": WRITER_POOL, "slots": writer_slots, "description": "writers"}
            _checked(client.post("/pools", json=pool))
        yield cluster


# --- Airflow ------------------------------------------------------------------------------


def _airflow_env(root: Path, home: Home, redis_url: str, api_port: int) -> dict[str, str]:
    """One configuration for every Airflow component (Airflow reads it from the environment)."""
    # LEARNLOOP_HOME, the DAG folder and GX's analytics switch as `learnloop run` sets them.
    learnloop = airflow_environment(load_config(home, environ={}))
    python_path = [str(SETTINGS_DIR), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {
        **clean_environment(),
        **learnloop,
        "PYTHONPATH": os.pathsep.join(python_path),
        "AIRFLOW_HOME": str(root / "airflow"),
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(root / "airflow" / "logs"),
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CELERY__BROKER_URL": f"{redis_url}/0",
        # Results in Redis too: the workers need no metadata database at all.
        "AIRFLOW__CELERY__RESULT_BACKEND": f"{redis_url}/1",
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{api_port}",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
        # Tokens the scheduler issues for tasks must verify in the API server.
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(64),
        "AIRFLOW__CORE__AUTH_MANAGER": (
            "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
        ),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        # Only triggered runs: the DAG's @daily schedule must not add a run of its own. (This
        # also stops Asset-triggered runs: learnloop_weekly_report does not run here.)
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
        # The scheduler's idle sleep stays Airflow's 1 s: at 0.2 s its loop (and PostgreSQL)
        # took about 30 CPU-seconds of a run's 3 minutes, for hand-overs under a second sooner.
        # One parse at start-up: the DAG files do not change during a test.
        "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "3600",
        "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "1",
    }


def _start_worker(
    processes: Processes, env: Mapping[str, str], worker: Worker, vectors: Path | None
) -> None:
    command = [
        *("celery", "worker", "--celery-hostname", f"{worker.name}@%h"),
        *("--queues", ",".join(worker.queues), "--concurrency", str(worker.concurrency)),
        # Every worker would serve its logs on the same port; the API server reads them from
        # the shared log folder instead.
        "--skip-serve-logs",
    ]
    worker_env = {
        **env,
        "AIRFLOW__CORE__HOSTNAME_CALLABLE": "airflow_local_settings.worker_hostname",
        "TEST_CLUSTER_WORKER": worker.name,
        "TEST_SESSION_VECTORS": str(vectors or ""),  # airflow_local_settings.py
    }
    processes.start(worker.name, [*AIRFLOW, *command], worker_env)


# --- readiness ----------------------------------------------------------------------------


def _healthy(client: httpx.Client, api_url: str) -> Callable[[], bool]:
    """The API answers and has seen the scheduler's and the dag-processor's heartbeats."""

    def check() -> bool:
        try:
            health = client.get(f"{api_url}/api/v2/monitor/health", timeout=5).json()
        except (httpx.HTTPError, ValueError):
            return False
        parts = ("metadatabase", "scheduler", "dag_processor")
        return all((health.get(part) or {}).get("status") == "healthy" for part in parts)

    return check


def _answers(client: httpx.Client, url: str, timeout: float = 5) -> Callable[[], bool]:
    def check() -> bool:
        with suppress(httpx.HTTPError):
            return client.get(url, timeout=timeout).status_code == 200
        return False

    return check


def _workers_answer(redis_url: str, workers: Sequence[Worker]) -> Callable[[], bool]:
    """Every worker answers a Celery ping through the broker."""
    from celery import Celery

    expected = {worker.name for worker in workers}

    def check() -> bool:
        with Celery(broker=f"{redis_url}/0") as app:
            replies = app.control.ping(timeout=0.5)
        return {name.split("@", 1)[0] for reply in replies for name in reply} >= expected

    return check


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _checked(response: httpx.Response) -> httpx.Response:
    if response.is_error:
        raise ClusterError(f"{response.request.method} {response.request.url}: {response.text}")
    return response
