"""A real CeleryExecutor deployment on loopback, for tests: PostgreSQL, Redis and Airflow 3.

`celery_cluster(root, home, workers, task_queues)` starts, on free loopback ports:

- redis-server, the Celery broker and result backend, and at once one `airflow celery worker`
  per `Worker`, on its own queues and with its own concurrency. Airflow 3 workers need no
  metadata database (they run tasks through the API server), so they start while the database
  is prepared. A task records its worker's name as its hostname, so a test can tell the workers
  apart on one machine;
- PostgreSQL from Debian's server programs, with Airflow's schema migrated once into a template
  database (`metadata_server`); the cluster's metadata database is a copy of the template.
  The server refuses to run as root, so as root it runs as the `postgres` system user (made by
  the Debian package; `learnloop-pg` is created where there is none);
- the api-server (REST API, and the Execution API the workers' tasks talk to), the scheduler
  (which runs the CeleryExecutor) and the dag-processor.

Every component uses the project's dags/ and `home` as LEARNLOOP_HOME. The context manager
yields a `CeleryCluster` to trigger DAG runs, wait for them and read their task instances. On
exit it stops every process it started and anything those spawned, also when start-up or the
test failed. Readiness is polled (a connection, a ping, the API's health), never slept for.

To run several clusters in one session, start `metadata_server` once (e.g. in a session
fixture) and pass it to each `celery_cluster`: each cluster then copies the migrated template
(a fraction of a second) instead of migrating again.
"""

from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from learnloop.airflow_runner import airflow_environment
from learnloop.config import load_config
from learnloop.dag_ids import MAIN_DAG_ID, WRITER_POOL
from learnloop.paths import Home

SETTINGS_DIR = Path(__file__).parent / "airflow_cluster_settings"
DEFAULT_QUEUE = "default"
# Every process a cluster starts carries this variable; the teardown sweeps by it.
CLUSTER_ID_VARIABLE = "TEST_CLUSTER_ID"
POLL_SECONDS = 0.2
START_TIMEOUT = 240
# A throwaway cluster: a component that has not stopped after this grace is killed.
STOP_GRACE = 3
FINISHED_RUN_STATES = {"success", "failed"}
_AIRFLOW = (sys.executable, "-m", "airflow")


class ClusterError(RuntimeError):
    """A component did not start, died, or a run did not finish; the message has its log."""


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
                time.sleep(POLL_SECONDS)

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
            )
            for ti in _checked(response).json()["task_instances"]
        ]

    def log_tails(self, lines: int = 25) -> str:
        """The end of every component's log, for a failure message."""
        return "\n".join(_tail(path, lines) for path in sorted(self.logs.glob("*.log")))

    def api_client(self) -> httpx.Client:
        # simple_auth_manager_all_admins: the API needs no login (loopback, tests only).
        return httpx.Client(base_url=f"{self.api_url}/api/v2", timeout=60)


@dataclass
class MetadataServer:
    """A PostgreSQL server holding a template database with Airflow's schema migrated."""

    port: int
    password: str
    user: str = "airflow"
    template: str = "airflow_template"
    _created: int = 0

    def new_database(self) -> str:
        """A fresh metadata database, copied from the template; its SQLAlchemy URL."""
        self._created += 1
        name = f"airflow_{self._created}"
        _execute(self, f"CREATE DATABASE {name} TEMPLATE {self.template}")
        return self.url(name)

    def url(self, database: str) -> str:
        return f"postgresql+psycopg2://{self.user}:{self.password}@127.0.0.1:{self.port}/{database}"


@contextmanager
def metadata_server(folder: Path) -> Iterator[MetadataServer]:
    """initdb, PostgreSQL on a free loopback port, `airflow db migrate` into the template.

    Logs go to folder/logs; the server is stopped (and its data removed) on exit."""
    with ExitStack() as stack:
        processes = _Processes(folder / "logs", cluster_id=secrets.token_hex(8))
        stack.callback(processes.stop_all)
        # Data and socket outside `folder`: pytest's temporary folders are private to the user
        # running the tests, and the server runs as another one. In memory where there is a
        # tmpfs: a throwaway database's 2,000 files are written and removed in a blink there.
        in_memory = Path("/dev/shm")
        data_root = Path(
            tempfile.mkdtemp(
                prefix="learnloop-postgres-",
                dir=in_memory if os.access(in_memory, os.W_OK) else None,
            )
        )
        stack.callback(shutil.rmtree, data_root, ignore_errors=True)
        server = MetadataServer(_free_port(), secrets.token_hex(16))
        _start_postgres(processes, data_root, server)
        _execute(server, f"CREATE DATABASE {server.template}")
        env = {
            **_clean_environment(),
            "AIRFLOW_HOME": str(folder / "airflow-migrate"),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": server.url(server.template),
        }
        _run(processes, "airflow-db-migrate", [*_AIRFLOW, "db", "migrate"], env)
        yield server


@contextmanager
def celery_cluster(
    root: Path,
    home: Home,
    workers: Sequence[Worker] = TWO_WORKERS,
    task_queues: Mapping[str, str] | None = None,
    metadata: MetadataServer | None = None,
) -> Iterator[CeleryCluster]:
    """Start the cluster in `root` (logs in root/logs) over `home`; stop it on exit.

    `task_queues` (task id -> queue) routes those tasks to the workers that listen on that
    queue; every other task goes to the `default` queue. Without `metadata` the cluster starts
    its own PostgreSQL server. The DAG's writer pool is created with one slot, as
    `learnloop run` and docker-compose create it.
    """
    started = time.monotonic()
    timings: dict[str, float] = {}

    def done(stage: str) -> None:
        timings[stage] = round(time.monotonic() - started, 1)

    logs = root / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    processes = _Processes(logs, cluster_id=secrets.token_hex(8))
    api_port = _free_port()
    api_url = f"http://127.0.0.1:{api_port}"
    with ExitStack() as stack:
        stack.callback(processes.stop_all)
        redis_url = _start_redis(processes, root / "redis", _free_port())
        env = _airflow_env(root, home, redis_url, api_port, task_queues or {})
        for worker in workers:
            _start_worker(processes, env, worker)
        done("redis answers, workers started")
        if metadata is None:
            metadata = stack.enter_context(metadata_server(root))
            stack.callback(processes.stop_all)  # Airflow's components stop before PostgreSQL
            done("postgres started, airflow db migrate")
        env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = metadata.new_database()
        serve = ("api-server", "--host", "127.0.0.1", "--port", str(api_port), "--workers", "1")
        processes.start("api-server", [*_AIRFLOW, *serve], env)
        processes.start("scheduler", [*_AIRFLOW, "scheduler"], env)
        processes.start("dag-processor", [*_AIRFLOW, "dag-processor"], env)
        processes.wait_for_all(
            {
                "api-server, scheduler and dag-processor healthy": _healthy(api_url),
                # The Execution API builds itself on its first request (about 10 s): make that
                # request now rather than in the first task.
                "execution API answers": _answers(f"{api_url}/execution/health", timeout=120),
                f"DAG {MAIN_DAG_ID} parsed": _answers(f"{api_url}/api/v2/dags/{MAIN_DAG_ID}"),
                "workers answer a ping": _workers_answer(redis_url, workers),
            },
            on_ready=done,
        )
        cluster = CeleryCluster(home, api_url, tuple(workers), logs, timings)
        with cluster.api_client() as client:
            pool = {"name": WRITER_POOL, "slots": 1, "description": "one writer"}
            _checked(client.post("/pools", json=pool))
        yield cluster


# --- Airflow ------------------------------------------------------------------------------


def _clean_environment() -> dict[str, str]:
    """This process's environment without its LearnLoop and Airflow settings."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("LEARNLOOP_", "AIRFLOW"))}


def _airflow_env(
    root: Path, home: Home, redis_url: str, api_port: int, task_queues: Mapping[str, str]
) -> dict[str, str]:
    """One configuration for every Airflow component (Airflow reads it from the environment)."""
    # LEARNLOOP_HOME, the DAG folder and GX's analytics switch as `learnloop run` sets them.
    learnloop = airflow_environment(load_config(home, environ={}))
    python_path = [str(SETTINGS_DIR), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {
        **_clean_environment(),
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
        # Only triggered runs: the DAG's @daily schedule must not add a run of its own.
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
        # The next task of a chain is queued within a fifth of a second, not a second.
        "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": "0.2",
        # One parse at start-up: the DAG files do not change during a test.
        "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "3600",
        "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "1",
        "TEST_CLUSTER_TASK_QUEUES": json.dumps(dict(task_queues)),
    }


def _start_worker(processes: _Processes, env: Mapping[str, str], worker: Worker) -> None:
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
    }
    processes.start(worker.name, [*_AIRFLOW, *command], worker_env)


# --- servers ------------------------------------------------------------------------------


def _start_redis(processes: _Processes, folder: Path, port: int) -> str:
    """redis-server on loopback with a password; its URL without a database number."""
    import redis

    program = shutil.which("redis-server")
    if program is None:
        pytest.fail("redis-server is missing: `make test` installs the Debian package redis-server")
    folder.mkdir(parents=True)
    password = secrets.token_hex(16)
    options = {
        "bind": "127.0.0.1",
        "port": str(port),
        "requirepass": password,
        "dir": str(folder),
        "save": "",
        "appendonly": "no",
    }
    argv = [program, *(part for key, value in options.items() for part in (f"--{key}", value))]
    processes.start("redis", argv, _clean_environment())

    def answers() -> bool:
        with suppress(redis.exceptions.ConnectionError):
            return bool(redis.Redis(port=port, password=password, socket_timeout=1).ping())
        return False

    processes.wait_until("redis-server", answers)
    return f"redis://:{password}@127.0.0.1:{port}"


def _start_postgres(processes: _Processes, folder: Path, server: MetadataServer) -> None:
    account = _postgres_account()
    password_file = folder / "password"
    password_file.write_text(server.password, encoding="utf-8")
    if account is not None:
        shutil.chown(folder, account)
        shutil.chown(password_file, account)
    data = folder / "data"
    initdb = [
        *(_postgres_program("initdb"), "-D", str(data), "-U", server.user),
        *("--pwfile", str(password_file), "--auth", "scram-sha-256"),
        *("-E", "UTF8", "--no-locale", "--no-sync"),
    ]
    _run(processes, "initdb", initdb, _clean_environment(), account=account)
    password_file.unlink()
    postgres = [
        *(_postgres_program("postgres"), "-D", str(data)),
        *("-h", "127.0.0.1", "-p", str(server.port), "-k", str(folder)),
        # A throwaway database: durability buys nothing here.
        *("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"),
    ]
    # SIGINT is PostgreSQL's fast shutdown; SIGTERM would wait for its clients to leave.
    processes.start("postgres", postgres, _clean_environment(), account, signal.SIGINT)

    def accepts_connections() -> bool:
        import psycopg2

        try:
            _connect(server, "postgres").close()
        except psycopg2.OperationalError:
            return False
        return True

    processes.wait_until("PostgreSQL", accepts_connections)


def _connect(server: MetadataServer, database: str) -> Any:
    import psycopg2

    return psycopg2.connect(
        host="127.0.0.1",
        port=server.port,
        user=server.user,
        password=server.password,
        dbname=database,
        connect_timeout=2,
    )


def _execute(server: MetadataServer, statement: str) -> None:
    connection = _connect(server, "postgres")
    try:
        connection.autocommit = True  # CREATE DATABASE cannot run in a transaction
        connection.cursor().execute(statement)
    finally:
        connection.close()


def _postgres_program(name: str) -> str:
    """Debian keeps the server programs in /usr/lib/postgresql/<major>/bin, off PATH."""
    versions = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda path: int(path.parts[-3]) if path.parts[-3].isdigit() else 0,
    )
    program = str(versions[-1]) if versions else shutil.which(name)
    if program is None:
        pytest.fail(
            f"PostgreSQL's {name} is missing: `make test` installs the Debian package postgresql"
        )
    return program


def _postgres_account() -> str | None:
    """The system user the server runs as when we are root (None: run as ourselves)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "learnloop-pg"):
        with suppress(KeyError):
            return pwd.getpwnam(name).pw_name
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "learnloop-pg"],
        check=True,
    )
    return "learnloop-pg"


# --- readiness ----------------------------------------------------------------------------


def _healthy(api_url: str) -> Callable[[], bool]:
    """The API answers and has seen the scheduler's and the dag-processor's heartbeats."""

    def check() -> bool:
        try:
            health = httpx.get(f"{api_url}/api/v2/monitor/health", timeout=5).json()
        except (httpx.HTTPError, ValueError):
            return False
        parts = ("metadatabase", "scheduler", "dag_processor")
        return all((health.get(part) or {}).get("status") == "healthy" for part in parts)

    return check


def _answers(url: str, timeout: float = 5) -> Callable[[], bool]:
    def check() -> bool:
        with suppress(httpx.HTTPError):
            return httpx.get(url, timeout=timeout).status_code == 200
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


# --- processes ----------------------------------------------------------------------------


@dataclass
class _Started:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    stop_signal: int


class _Processes:
    """The processes a cluster started, each the leader of its own process group."""

    def __init__(self, logs: Path, cluster_id: str) -> None:
        logs.mkdir(parents=True, exist_ok=True)
        self.logs, self.cluster_id = logs, cluster_id
        self.started: list[_Started] = []

    def start(
        self,
        name: str,
        argv: Sequence[str],
        env: Mapping[str, str],
        account: str | None = None,
        stop_signal: int = signal.SIGTERM,
    ) -> None:
        log = self.logs / f"{name}.log"
        with log.open("ab") as sink:
            popen = subprocess.Popen(
                list(argv),
                env={**env, CLUSTER_ID_VARIABLE: self.cluster_id},
                stdout=sink,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                **_run_as(account),
            )
        self.started.append(_Started(name, popen, log, stop_signal))

    def wait_until(
        self, what: str, ready: Callable[[], bool], abort: threading.Event | None = None
    ) -> None:
        """Poll `ready` until it holds; fail at once when a component died on the way."""
        deadline = time.monotonic() + START_TIMEOUT
        while not ready():
            if abort is not None and abort.is_set():
                raise ClusterError(f"{what}: stopped waiting, another component failed")
            for process in self.started:
                if process.popen.poll() is not None:
                    raise ClusterError(
                        f"{process.name} exited with {process.popen.returncode} while waiting "
                        f"for {what}\n{_tail(process.log, 40)}"
                    )
            if time.monotonic() > deadline:
                raise ClusterError(f"{what}: not ready after {START_TIMEOUT} s")
            time.sleep(POLL_SECONDS)

    def wait_for_all(
        self, checks: Mapping[str, Callable[[], bool]], on_ready: Callable[[str], None]
    ) -> None:
        """`wait_until` for each check at the same time (one may block while another polls)."""
        failed = threading.Event()

        def wait(what: str) -> None:
            try:
                self.wait_until(what, checks[what], failed)
            except BaseException:
                failed.set()
                raise
            on_ready(what)

        with ThreadPoolExecutor(max_workers=len(checks)) as pool:
            for waited in [pool.submit(wait, what) for what in checks]:
                waited.result()

    def stop_all(self) -> None:
        """Airflow's components first, then the servers they use; then sweep what is left.
        Calling it again stops what was started since."""
        servers = {"postgres", "redis"}
        self._stop([p for p in self.started if p.name not in servers])
        self._stop([p for p in self.started if p.name in servers])
        self.started.clear()
        strays = self._sweep()
        if strays:
            raise ClusterError(f"processes outlived their process groups: {strays}")

    def _stop(self, processes: list[_Started]) -> None:
        family: list[psutil.Process] = []
        for process in processes:
            with suppress(psutil.NoSuchProcess):
                leader = psutil.Process(process.popen.pid)
                family += [leader, *leader.children(recursive=True)]
            with suppress(ProcessLookupError):
                os.killpg(process.popen.pid, process.stop_signal)
        _, alive = psutil.wait_procs(family, timeout=STOP_GRACE)
        for survivor in alive:
            with suppress(psutil.NoSuchProcess):
                survivor.kill()
        for process in processes:
            with suppress(ProcessLookupError):
                os.killpg(process.popen.pid, signal.SIGKILL)
            process.popen.wait()

    def _sweep(self) -> list[str]:
        """Kill what still carries this cluster's id: a process that left its group."""
        found = []
        for candidate in psutil.process_iter(["name"]):
            with suppress(psutil.Error):
                if candidate.environ().get(CLUSTER_ID_VARIABLE) == self.cluster_id:
                    found.append(f"{candidate.info['name']} ({candidate.pid})")
                    candidate.kill()
        return found


def _run(
    processes: _Processes,
    name: str,
    argv: Sequence[str],
    env: Mapping[str, str],
    account: str | None = None,
) -> None:
    """Run a one-off command to its end (killed with the cluster if it is stopped meanwhile)."""
    processes.start(name, argv, env, account)
    process = processes.started[-1]
    try:
        returncode = process.popen.wait(timeout=START_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise ClusterError(f"{name}: still running after {START_TIMEOUT} s") from None
    if returncode != 0:
        raise ClusterError(f"{name} failed with {returncode}\n{_tail(process.log, 40)}")
    processes.started.remove(process)


def _run_as(account: str | None) -> dict[str, Any]:
    """subprocess arguments that run a program as `account`, with its groups, not root's."""
    if account is None:
        return {}
    entry = pwd.getpwnam(account)
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


# --- helpers ------------------------------------------------------------------------------


def _free_port() -> int:
    """A port no one listens on right now (the OS picks it; another test picks another)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _checked(response: httpx.Response) -> httpx.Response:
    if response.is_error:
        raise ClusterError(f"{response.request.method} {response.request.url}: {response.text}")
    return response


def _tail(path: Path, lines: int) -> str:
    text = path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
    return f"--- {path.name} ---\n" + "\n".join(text)
