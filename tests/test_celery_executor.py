"""Many brands: the real `learnloop` DAG over workspaces, in process and on a real
CeleryExecutor deployment with two workers.

The local run (`learnloop run`: dag.test() in process, no executor) takes three workspaces
(tests/workspace_homes.py): `nordlicht` (the demo) and `velo` (other settings), which
publish, and `broken`, whose raw gate stops it. It is the test of a run over workspaces and
of its ending, and the reference. The cluster (tests/celery_cluster.py: PostgreSQL, Redis,
the api-server, the scheduler, the dag-processor and two `airflow celery worker` processes on
loopback, all over one LEARNLOOP_HOME) runs the same two publishing workspaces, their mapped
task groups at once (two workspaces are enough to give both workers work at the same time).
Its run must spread them over both workers and publish exactly the kpi_weekly that the local
run publishes, workspace by workspace, and the same agency view. (`broken` stays out of
the cluster: every task there is a process of its own, and the DAG that stops it is the
same DAG the local run runs.)

One local run and one cluster run serve every test here (module fixture): they are the
suite's most expensive pipeline runs, and the local run overlaps the cluster's start, which
spends most of its time waiting. The cluster's run is triggered once the local run ended:
its home then gets the session's dbt parses, the local run's among them, so that no
workspace's dbt project is parsed twice (a parse costs 10-25 CPU-s; tests/conftest.py).
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from subprocess import CompletedProcess

import pytest

from learnloop.paths import Home
from tests.celery_cluster import TaskRun, Worker, celery_cluster
from tests.conftest import (
    _give_parsed_dbt_project,
    _keep_parsed_dbt_project,
    query,
    run_cli,
)
from tests.session_state import TEMPLATES
from tests.workspace_homes import STOPPED, agency_home

pytestmark = pytest.mark.slow

# Two that publish (the demo's configuration and exports; other settings and the YouTube
# exports only) and one that a gate stops: the fewest that prove every property here.
PUBLISHING = ("nordlicht", "velo")
NAMES = (STOPPED, *PUBLISHING)  # sorted: the map index of each in the DAG run

WORKERS = (Worker("worker-a"), Worker("worker-b"))  # both on the default queue
STAGES = ("discover", "erase", "ingest", "gate_raw", "dbt_build", "gate_marts", "publish")
KPI_QUERY = "SELECT * FROM analytics.kpi_weekly ORDER BY week_start, platform"
MESSAGES = (
    "SELECT sum(inbound_messages + outbound_messages) FROM analytics.kpi_weekly"
    " WHERE platform = 'all'"
)


@dataclass(frozen=True)
class Runs:
    local_home: Home
    local: CompletedProcess[str]
    celery_home: Home
    celery_state: str
    task_runs: list[TaskRun]
    celery_seconds: float  # trigger to the end of the DAG run
    log_tails: str


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    local_home = agency_home(tmp_path_factory.mktemp("local") / "home", NAMES)
    celery_root = tmp_path_factory.mktemp("celery")
    celery_home = agency_home(celery_root / "home", PUBLISHING)
    with ThreadPoolExecutor(max_workers=1) as pool:
        local_run = pool.submit(run_cli, local_home, "run")
        # One writer slot per workspace: every workspace may write at once.
        cluster_home = celery_root / "cluster"
        slots = len(PUBLISHING)
        vectors = TEMPLATES.get("vectors")  # the session's embeddings: tests/session_vectors.py
        with celery_cluster(
            cluster_home, celery_home, WORKERS, writer_slots=slots, vectors=vectors
        ) as cluster:
            local = local_run.result()
            _give_parsed_dbt_project(celery_home)
            triggered = time.monotonic()
            run_id = cluster.trigger()
            state = cluster.wait_for_run(run_id)
            seconds = time.monotonic() - triggered
            task_runs = cluster.task_instances(run_id)
            tails = cluster.log_tails()
        _keep_parsed_dbt_project(celery_home)
    return Runs(local_home, local, celery_home, state, task_runs, seconds, tails)


def test_local_run_publishes_every_workspace_but_the_one_its_gate_stopped(runs: Runs) -> None:
    local = runs.local
    assert local.returncode == 3, local.stdout + local.stderr  # a gate stopped one
    lines = local.stderr.splitlines()
    assert len(lines) == 2, local.stderr
    assert lines[0].startswith(f"learnloop run: [{STOPPED}] run ")
    assert "stopped in gate raw_batch: raw_batch gate: 1 of " in lines[0]
    assert (
        "raw.youtube_api__comments expect_column_values_to_be_between(like_count): "
        "1 unexpected, e.g. [-5]" in lines[0]
    )
    assert lines[1].startswith(
        f"learnloop run: 2 of 3 workspaces published; not published: {STOPPED} (run "
    )
    home = runs.local_home
    for name in PUBLISHING:
        assert home.workspace(name).published.exists(), name
        # Each workspace's progress lines name it.
        assert f"  [{name}] [6/7] publish " in local.stdout
    assert not home.workspace(STOPPED).published.exists()
    status = query(home.workspace(STOPPED).build_database, "SELECT status FROM ops.run_log")
    assert status == [("gate_failed",)]
    # The exports of the stopped workspace wait in its landing/ for a fix; the others' moved on.
    assert [p.name for p in home.workspace(STOPPED).landing.rglob("*.json")] == [
        "commentThreads_bad.json"
    ]
    assert not [p for p in home.workspace("velo").landing.rglob("*") if p.is_file()]


def test_each_workspace_keeps_its_own_settings_and_salt(runs: Runs) -> None:
    home = runs.local_home
    # sample_data/README.md: 82 Hootsuite + 26 Sprout inbox messages, 69 YouTube comments.
    expected_messages = {"nordlicht": 82 + 26 + 69, "velo": 69}
    for name, messages in expected_messages.items():
        assert query(home.workspace(name).published, MESSAGES) == [(messages,)], name
    # ISO weeks 2026-W41..W44 on facebook, instagram, linkedin, x and youtube, plus `all`.
    assert len(query(home.workspace("nordlicht").published, KPI_QUERY)) == 4 * 6
    # velo reports in German (its [report] language); the others in English.
    velo_report = next(home.workspace("velo").reports.rglob("index.html"))
    assert '<html lang="de"' in velo_report.read_text(encoding="utf-8")
    nordlicht_report = next(home.workspace("nordlicht").reports.rglob("index.html"))
    assert '<html lang="en"' in nordlicht_report.read_text(encoding="utf-8")
    salts = {(home.workspace(n).salt_file).read_text(encoding="utf-8") for n in NAMES}
    assert len(salts) == len(NAMES)  # one salt per workspace, none shared
    # The top-level home holds no data of its own: no landing/, no salt.
    assert not home.landing.exists() and not home.salt_file.exists()


def test_agency_view_holds_every_published_workspace_and_no_member(runs: Runs) -> None:
    home = runs.local_home
    agency = home.agency
    for name in PUBLISHING:
        own = query(home.workspace(name).published, KPI_QUERY)
        held = query(
            agency,
            "SELECT * EXCLUDE (workspace) FROM analytics.kpi_weekly WHERE workspace = ?"
            " ORDER BY week_start, platform",
            [name],
        )
        assert held == own, name
        signals = query(home.workspace(name).published, "SELECT count(*) FROM analytics.signals")
        counted = query(
            agency,
            "SELECT sum(signals) FROM analytics.signals_weekly WHERE workspace = ?",
            [name],
        )
        assert counted == signals, name
    assert query(agency, "SELECT workspace FROM analytics.workspaces ORDER BY 1") == [
        (name,) for name in PUBLISHING
    ]
    # sample_data/learning/insight_register_2026-10.csv: three insights, only nordlicht has it.
    assert query(
        agency, "SELECT workspace, sum(insights) FROM analytics.insights_summary GROUP BY 1"
    ) == [("nordlicht", 3)]
    columns = query(
        agency, "SELECT DISTINCT column_name FROM duckdb_columns() WHERE schema_name = 'analytics'"
    )
    assert not [c for (c,) in columns if "member" in c or "author" in c or "text" in c]
    assert [p.name[:7] for p in home.snapshots.glob("agency-*.duckdb")] == ["agency-"]


def test_celery_run_spreads_the_workspaces_over_both_workers(runs: Runs) -> None:
    assert runs.celery_state == "success", runs.log_tails
    states = {(run.task_id, run.map_index): run.state for run in runs.task_runs}
    # Every task of every workspace's instance of the group, and the run-wide ones.
    expected = {(task, -1): "success" for task in ("workspaces", "agency", "summary")}
    for index in range(len(PUBLISHING)):
        expected.update({(stage, index): "success" for stage in (*STAGES, "finish")})
    assert states == expected, runs.log_tails
    ran = [run for run in runs.task_runs if run.map_index >= 0 and run.hostname]
    assert {run.hostname for run in ran} == {"worker-a", "worker-b"}
    # The workspaces ran at once: both workers were running a workspace's task together.
    spans = {
        host: [(run.start_date, run.end_date) for run in ran if run.hostname == host]
        for host in ("worker-a", "worker-b")
    }
    assert any(
        a_start < b_end and b_start < a_end
        for a_start, a_end in spans["worker-a"]
        for b_start, b_end in spans["worker-b"]
    )
    print(f"celery run of {len(PUBLISHING)} workspaces on 2 workers: {runs.celery_seconds:.0f} s")


def test_celery_run_publishes_the_local_kpis_of_every_workspace(runs: Runs) -> None:
    for name in PUBLISHING:
        celery = query(runs.celery_home.workspace(name).published, KPI_QUERY)
        assert celery == query(runs.local_home.workspace(name).published, KPI_QUERY), name
    agency_kpis = "SELECT * FROM analytics.kpi_weekly ORDER BY workspace, week_start, platform"
    assert query(runs.celery_home.agency, agency_kpis) == query(runs.local_home.agency, agency_kpis)
