"""Benchmark: three workspaces processed serially versus on Celery workers, in the same run.

The same home (tests/workspace_homes.py: `kiosk`, `nordlicht` and `velo`, the demo's exports
split three ways, each with its own settings) is run three ways, each from nothing:

  serial     `learnloop run`: the DAG in process (dag.test()), one task after another, so one
             workspace after another;
  celery x1  the CeleryExecutor with one worker (tests/celery_cluster.py: PostgreSQL, Redis,
             the api-server, scheduler and dag-processor on loopback): the executor's own cost,
             nothing in parallel;
  celery x2  the same with two workers: the mapped task groups of the workspaces in parallel.

Timed: `learnloop run` from start to exit (Airflow's metadata database migrated beforehand,
as every home's first run does once; it also runs the report DAG after the publish), and for
Celery from the trigger to the end of the `learnloop` DAG run (the test cluster starts no
Asset-triggered run, so no report; the cluster's start-up is reported apart: it is paid
once per deployment, not per run).
For Celery also the tasks' busy time (the sum of every task instance's run time) over the
run's wall time: how many tasks ran at once on average, which a machine shared with other
work slows down less than the wall time. The two Celery variants alternate which runs
first (`--twice` runs the pair again in the other order). Every variant must publish the
same kpi_weekly in every workspace: the script compares a SHA-256 of each and fails on a
mismatch. The figures are added to bench/results-workspaces.md.

    .venv/bin/python bench/workspaces_celery.py
"""

from __future__ import annotations

import hashlib
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))  # the test cluster lives in tests/

import duckdb  # noqa: E402

from learnloop.paths import Home  # noqa: E402
from tests.celery_cluster import Worker, celery_cluster  # noqa: E402
from tests.cluster_processes import clean_environment  # noqa: E402
from tests.cluster_servers import MetadataServer, metadata_server  # noqa: E402
from tests.workspace_homes import PUBLISHING, agency_home  # noqa: E402

RESULTS = PROJECT_ROOT / "bench" / "results-workspaces.md"
KPIS = "SELECT * FROM analytics.kpi_weekly ORDER BY ALL"


def kpi_digests(home: Home) -> dict[str, str]:
    digests = {}
    for name in PUBLISHING:
        with duckdb.connect(str(home.workspace(name).published), read_only=True) as con:
            rows = con.execute(KPIS).fetchall()
        digests[name] = hashlib.sha256(repr(rows).encode()).hexdigest()[:16]
    return digests


def serial(root: Path) -> tuple[float, dict[str, str]]:
    home = agency_home(root / "home", PUBLISHING)
    env = {
        **clean_environment(),
        "LEARNLOOP_HOME": str(home.root),
        "LEARNLOOP_LANDING_SETTLE_SECONDS": "0",
    }
    prepare = (
        "from learnloop.airflow_runner import prepare_airflow\n"
        "from learnloop.config import load_config\n"
        "prepare_airflow(load_config())"
    )
    subprocess.run([sys.executable, "-c", prepare], env=env, check=True, capture_output=True)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "learnloop.cli", "run"], env=env, capture_output=True, text=True
    )
    seconds = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"learnloop run failed ({done.returncode}): {done.stderr}")
    return seconds, kpi_digests(home)


def on_celery(
    root: Path, workers: int, metadata: MetadataServer
) -> tuple[float, float, float, dict[str, str]]:
    home = agency_home(root / "home", PUBLISHING)
    pool = tuple(Worker(f"worker-{i}") for i in range(workers))
    started = time.monotonic()
    with celery_cluster(
        root / "cluster", home, pool, metadata=metadata, writer_slots=len(PUBLISHING)
    ) as cluster:
        ready = time.monotonic() - started
        triggered = time.monotonic()
        run_id = cluster.trigger()
        state = cluster.wait_for_run(run_id)
        seconds = time.monotonic() - triggered
        if state != "success":
            raise SystemExit(f"the Celery run with {workers} worker(s) ended {state}")
        busy = sum(
            (run.end_date - run.start_date).total_seconds()
            for run in cluster.task_instances(run_id)
            if run.start_date and run.end_date
        )
    return seconds, ready, busy / seconds, kpi_digests(home)


Row = tuple[str, float, float | None, float | None]  # variant, seconds, start-up, tasks at once


def main() -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    orders = [(2, 1), (1, 2)] if "--twice" in sys.argv else [(2, 1)]
    with tempfile.TemporaryDirectory(prefix="learnloop-bench-ws-") as folder:
        root = Path(folder)
        serial_seconds, reference = serial(root / "serial")
        print(f"serial (learnloop run): {serial_seconds:.1f} s", flush=True)
        rows: list[Row] = [("serial: `learnloop run` (in process)", serial_seconds, None, None)]
        with metadata_server(root / "postgres") as metadata:
            for round_, order in enumerate(orders):
                for workers in order:
                    folder_name = f"celery{workers}-{round_}"
                    seconds, ready, at_once, digests = on_celery(
                        root / folder_name, workers, metadata
                    )
                    if digests != reference:
                        raise SystemExit(f"kpi_weekly differs with {workers} worker(s)")
                    print(f"celery x{workers}: {seconds:.1f} s, {at_once:.2f} at once", flush=True)
                    rows.append((f"CeleryExecutor, {workers} worker(s)", seconds, ready, at_once))
    write_results(rows)


def write_results(rows: list[Row]) -> None:
    baseline = rows[0][1]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        f"## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"{os.cpu_count()} cores ({platform.machine()}, Python {platform.python_version()}), "
        f"load average at the end {load}. Workspaces: {', '.join(PUBLISHING)} (the demo's "
        "exports split three ways); every variant published the same kpi_weekly in each "
        "(SHA-256 compared). In the order run:",
        "",
        "| variant | wall time of the run | vs serial | tasks at once | cluster start-up |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, seconds, ready, at_once in rows:
        startup = f"{ready:.0f} s" if ready is not None else "-"
        concurrency = f"{at_once:.2f}" if at_once is not None else "1"
        lines.append(
            f"| {name} | {seconds:.0f} s | {seconds / baseline:.2f} | {concurrency} | {startup} |"
        )
    heading = "# Three workspaces: serial versus Celery workers (bench/workspaces_celery.py)\n"
    earlier = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else heading
    RESULTS.write_text(earlier + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
