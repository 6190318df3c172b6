"""DAG integrity: the DAG files import cleanly, cheaply, and are wired as docs/contracts.md says.

Parsing runs in a fresh process, as Airflow's DAG processor would, so that what the DAG
file imports (and how long it takes) is measured, not hidden by this test's own imports.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from learnloop.paths import DAGS_DIR

PARSE_SCRIPT = textwrap.dedent(
    """
    import json, sys, time
    started = time.perf_counter()
    from airflow.dag_processing.dagbag import DagBag
    airflow_imported = time.perf_counter()
    bag = DagBag(dag_folder=sys.argv[1])
    parsed = time.perf_counter()
    dags = {}
    for dag_id, dag in bag.dags.items():
        dags[dag_id] = {
            "tags": sorted(dag.tags),
            "max_active_runs": dag.max_active_runs,
            "schedule": type(dag.timetable).__name__,
            # The Assets an Asset-scheduled DAG waits for, as (name, uri).
            "schedule_assets": [
                [a.name, a.uri]
                for a in getattr(getattr(dag.timetable, "asset_condition", None), "objects", [])
            ],
            "paused_upon_creation": dag.is_paused_upon_creation,
            "params": {name: dag.params.get_param(name).dump() for name in dag.params},
            "tasks": {
                t.task_id: {
                    "owner": t.owner,
                    "retries": t.retries,
                    "pool": t.pool,
                    "upstream": sorted(t.upstream_task_ids),
                    "outlets": sorted([o.name, o.uri] for o in t.outlets),
                    "teardown": t.is_teardown,
                    "multiple_outputs": getattr(t, "multiple_outputs", False),
                    "trigger_rule": getattr(t.trigger_rule, "value", t.trigger_rule),
                    # The mapped task group the task is in (None: not in one).
                    "mapped_group": next(
                        (g.group_id for g in t.iter_mapped_task_groups()), None
                    ),
                }
                for t in dag.tasks
            },
        }
    heavy = [m for m in ("dbt", "great_expectations", "duckdb", "learnloop.pipeline")
             if m in sys.modules]
    print(json.dumps({
        "import_errors": bag.import_errors,
        "dags": dags,
        "heavy_modules": heavy,
        "parse_seconds": parsed - airflow_imported,
    }))
    """
)


@pytest.fixture(scope="module")
def learnloop_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="module")
def parsed(tmp_path_factory, learnloop_home: Path) -> dict:
    airflow_home = tmp_path_factory.mktemp("airflow")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update(
        AIRFLOW_HOME=str(airflow_home),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        LEARNLOOP_HOME=str(learnloop_home),
    )
    completed = subprocess.run(
        [sys.executable, "-c", PARSE_SCRIPT, str(DAGS_DIR)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_dag_files_import_without_errors(parsed):
    assert parsed["import_errors"] == {}
    # The pipeline, and the report's only writer downstream of it (DECISIONLOG.md).
    assert sorted(parsed["dags"]) == ["learnloop", "learnloop_weekly_report"]


def test_dag_files_import_nothing_heavy_and_parse_fast(parsed, record_property):
    # dbt, GX, DuckDB and the pipeline load inside the tasks, never at parse time.
    assert parsed["heavy_modules"] == []
    # Measured, not asserted (machines are noisy); shown with `pytest -rA` and in the README.
    record_property("dag_parse_seconds", parsed["parse_seconds"])
    print(f"DAG folder parsed in {parsed['parse_seconds'] * 1000:.0f} ms")


def test_main_dag_runs_the_stages_in_order_with_one_writer(parsed, learnloop_home):
    dag = parsed["dags"]["learnloop"]
    assert dag["max_active_runs"] == 1
    assert dag["schedule"] == "CronTriggerTimetable"  # @daily
    assert dag["schedule_assets"] == []
    assert dag["paused_upon_creation"] is None  # Airflow's default: paused until unpaused
    assert dag["tags"] == ["dbt", "duckdb", "learnloop", "social"]
    tasks = dag["tasks"]
    # Each task takes what earlier ones returned (the comments say what); an edge without a
    # value orders a task after the one whose writes it works on.
    assert {name: task["upstream"] for name, task in tasks.items()} == {
        "workspaces": [],
        "discover": ["workspaces"],  # its workspace's name (the mapped group's argument)
        "erase": ["discover"],  # the run
        "ingest": ["discover", "erase"],  # the run, the landed files; after erase
        "gate_raw": ["discover", "ingest"],  # the run; checks what ingest wrote
        "dbt_build": ["discover", "erase", "gate_raw"],  # the run, the erasure; after the gate
        "gate_marts": ["dbt_build", "discover", "gate_raw"],  # the raw gate's results
        "publish": ["discover", "erase", "gate_marts", "ingest"],  # all the run log needs
        "finish": ["discover", "publish", "workspaces"],  # the name, the run; the rest: XComs
        "agency": ["finish", "workspaces"],  # the names; after every workspace
        "summary": ["agency", "finish", "workspaces"],  # the names, the outcomes; after agency
    }
    # One instance of the group per workspace; the run-wide tasks around it are not mapped.
    stages = ["discover", "erase", "ingest", "gate_raw", "dbt_build", "gate_marts", "publish"]
    assert {name: task["mapped_group"] for name, task in tasks.items()} == {
        **{name: "workspace" for name in [*stages, "finish"]},
        **{name: None for name in ["workspaces", "agency", "summary"]},
    }
    # The agency view and the run's ending come after every workspace, however each ended.
    assert {name: task["trigger_rule"] for name, task in tasks.items()} == {
        **{name: "all_success" for name in ["workspaces", *stages]},
        "finish": "all_done_setup_success",  # a teardown
        "agency": "all_done",
        "summary": "all_done",
    }
    assert tasks["discover"]["multiple_outputs"] is True  # "run" and "landed"
    assert tasks["finish"]["teardown"] is True
    published_uri = f"file://{learnloop_home / 'warehouse' / 'learnloop.duckdb'}"
    assert tasks["publish"]["outlets"] == [["learnloop_published_warehouse", published_uri]]
    assert [name for name, task in tasks.items() if task["outlets"]] == ["publish"]
    writers = {name for name, task in tasks.items() if task["pool"] == "learnloop_writer"}
    assert writers == {
        "agency",  # writes warehouse/agency.duckdb
        "discover",
        "erase",
        "ingest",
        "gate_raw",
        "dbt_build",
        "gate_marts",
        "publish",
        "finish",
    }
    # Retries are set on every task: reading landed files may meet a file still being
    # written, so those retry once; gates and builds are deterministic and do not.
    assert {name: task["retries"] for name, task in tasks.items()} == {
        "workspaces": 0,
        "discover": 1,
        "erase": 0,
        "ingest": 1,
        "gate_raw": 0,
        "dbt_build": 0,
        "gate_marts": 0,
        "publish": 0,
        "finish": 0,
        "agency": 0,
        "summary": 0,
    }
    assert {task["owner"] for task in tasks.values()} == {"learnloop"}


def test_the_report_dag_runs_on_the_asset_that_publish_updates(parsed, learnloop_home):
    dag = parsed["dags"]["learnloop_weekly_report"]
    # Data-aware: one run after each update of the published warehouse, no time schedule.
    assert dag["schedule"] == "AssetTriggeredTimetable"
    published_uri = f"file://{learnloop_home / 'warehouse' / 'learnloop.duckdb'}"
    assert dag["schedule_assets"] == [["learnloop_published_warehouse", published_uri]]
    # Runs once the main DAG is unpaused: nothing else to switch on in a deployment.
    assert dag["paused_upon_creation"] is False
    assert dag["max_active_runs"] == 1
    assert dag["tags"] == ["learnloop", "report"]
    assert dag["params"] == {}
    # `report`, mapped over the workspaces, is the reports' only writer; it only reads the
    # published file, so it takes no slot of the writer pool; a failed mail goes out after the
    # next publish, not a retry.
    task = {
        "owner": "learnloop",
        "retries": 0,
        "pool": "default_pool",
        "outlets": [],
        "teardown": False,
        "multiple_outputs": False,
        "trigger_rule": "all_success",
        "mapped_group": None,
    }
    assert dag["tasks"] == {
        "workspaces": {**task, "upstream": []},
        "report": {**task, "upstream": ["workspaces"]},
    }


def test_main_dag_takes_its_options_as_params(parsed):
    params = parsed["dags"]["learnloop"]["params"]
    assert {name: (p["value"], p["schema"]["type"]) for name, p in params.items()} == {
        "full_refresh": (False, "boolean"),
        "forget_member_key": (None, ["null", "string"]),
        "forget_platform": (None, ["null", "string"]),
    }
