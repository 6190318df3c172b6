"""Run the real DAGs in this process (`learnloop run`, `make demo`, the tests).

`dag.test()` runs one DAG and starts no Asset-triggered runs, so `run_pipeline` does what a
scheduler would: the `learnloop` DAG, then, when its `publish` updated the published
warehouse, the DAG scheduled on that Asset, `learnloop_weekly_report`.

Airflow keeps its metadata in a SQLite database under LEARNLOOP_HOME/airflow, migrated on
first use, so nothing needs setting up by hand. Airflow reads its configuration when it is
first imported, hence the environment is prepared before any Airflow import.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from learnloop.config import Config
from learnloop.dag_ids import MAIN_DAG_ID, REPORT_DAG_ID, WRITER_POOL
from learnloop.errors import LearnLoopError
from learnloop.execution_api import serve_only_the_task_sdk_version
from learnloop.heap import loading_libraries
from learnloop.paths import DAGS_DIR, Home

if TYPE_CHECKING:
    from airflow.dag_processing.dagbag import DagBag

MIGRATED_MARKER = ".learnloop-migrated"
KEPT_RUN_LOGS = 50  # per-run log files kept in logs/runs/


class AirflowSetupError(LearnLoopError):
    """Airflow's metadata database could not be prepared."""


UNMAPPED = -1  # Airflow's map index of a task that is not mapped


@dataclass(frozen=True)
class DagRunResult:
    state: str
    log_file: Path
    # (task id, map index) of the failed task instances, in the order the DAG runs them; the
    # tasks of the mapped group `workspace` have the index of their workspace.
    failed: tuple[tuple[str, int], ...] = ()
    # task id -> its return value; a mapped task's is the list of its instances' values, in
    # the order of their map index (of the workspaces).
    returns: Mapping[str, Any] = field(default_factory=dict)

    @property
    def succeeded(self) -> bool:
        return self.state == "success"

    @property
    def failed_tasks(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(task for task, _ in self.failed))

    def then(self, later: DagRunResult) -> DagRunResult:
        """This DAG run followed by another one of the same command (their task ids differ):
        it succeeded when both did."""
        return DagRunResult(
            later.state if self.succeeded else self.state,
            self.log_file,
            self.failed + later.failed,
            {**self.returns, **later.returns},
        )

    def of_workspace(self, index: int, ignored: tuple[str, ...] = ()) -> DagRunResult:
        """The part of the run that concerns the workspace with this map index: its own
        failed tasks and those of unmapped tasks (but `ignored`); it succeeded when none
        failed."""
        failed = tuple(
            (task, i)
            for task, i in self.failed
            if i == index or (i == UNMAPPED and task not in ignored)
        )
        return DagRunResult("failed" if failed else "success", self.log_file, failed, self.returns)


def airflow_environment(config: Config) -> dict[str, str]:
    airflow_home = config.home.airflow_home
    return {
        "LEARNLOOP_HOME": str(config.home.root),
        "AIRFLOW_HOME": str(airflow_home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_DIR),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(config.home.logs / "airflow"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{airflow_home / 'airflow.db'}",
        "GX_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
    }


# Airflow's own CLI commands that set up a new home's metadata, run in one interpreter: each
# Airflow process costs ~3 CPU-s of start-up and imports before its command does anything.
SETUP_COMMANDS = (
    ("db", "migrate"),
    ("pools", "set", WRITER_POOL, "1", "One writer on the LearnLoop build warehouse"),
)
_SETUP_SCRIPT = """
import sys
from airflow.__main__ import main
for number, command in enumerate(COMMANDS, 1):
    sys.argv = ["airflow", *command]
    try:
        main()
    except SystemExit as stop:  # a command's exit: its message, if any, is the last line
        if stop.code not in (None, 0):
            if isinstance(stop.code, str):
                print(stop.code, file=sys.stderr)
            sys.exit(number)
    except Exception as exc:
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(number)
"""


def prepare_airflow(config: Config) -> None:
    """Point Airflow at LEARNLOOP_HOME; migrate its database and create the pool once."""
    os.environ.update(airflow_environment(config))
    marker = config.home.airflow_home / MIGRATED_MARKER
    if marker.exists():
        return
    config.home.airflow_home.mkdir(parents=True, exist_ok=True)
    script = f"COMMANDS = {SETUP_COMMANDS!r}\n{_SETUP_SCRIPT}"
    completed = subprocess.run(
        [sys.executable, "-c", script],
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        number = completed.returncode  # the failed command's, 1 when Airflow did not import
        failed = SETUP_COMMANDS[number - 1 if 0 < number <= len(SETUP_COMMANDS) else 0]
        last = (completed.stderr or completed.stdout).strip().splitlines()[-1:]
        raise AirflowSetupError(f"airflow {' '.join(failed[:2])} failed: {' '.join(last)}")
    marker.touch()


def run_pipeline(
    config: Config, run_key: str, conf: Mapping[str, Any] | None = None
) -> DagRunResult:
    """`dag.test()` of the `learnloop` DAG with the params in `conf` (the DAG run's conf,
    kept in Airflow's metadata) and, after a run whose `publish` updated the published
    warehouse (it returned the file), of `learnloop_weekly_report`, as the Asset would start
    it under a scheduler. Airflow's output of both goes to the run's own log file,
    logs/runs/<run_key>.log, which logs/learnloop-last-run.log points at."""
    prepare_airflow(config)
    log_file = _run_log_file(config.home, run_key)
    with log_file.open("w", encoding="utf-8") as sink, _redirected(sink):
        with loading_libraries():  # Airflow, the DAGs and the execution API, for the whole run
            from airflow.dag_processing.dagbag import DagBag

            bag = DagBag(dag_folder=str(DAGS_DIR))
            serve_only_the_task_sdk_version()
        if bag.import_errors:
            raise AirflowSetupError(f"the DAG files do not import: {bag.import_errors}")
        _retire_the_published_asset_of_another_folder()
        result = _test_dag(bag, MAIN_DAG_ID, conf or {}, log_file)
        if any(result.returns.get("publish") or ()):  # a published file: the Asset was updated
            _consume_queued_asset_updates(REPORT_DAG_ID)
            result = result.then(_test_dag(bag, REPORT_DAG_ID, {}, log_file))
    return result


def _retire_the_published_asset_of_another_folder() -> None:
    """A home moved or restored to another folder names its published warehouse by the new
    path, under the Asset's same name. Airflow keeps the old path's Asset active until a
    scheduler's orphanage pass, which `dag.test()` never makes, so the new one could not be
    activated and `publish` failed on an inactive outlet. The old path is no longer this
    home's file: it stops being active, as a scheduler would retire it."""
    from airflow.models.asset import AssetActive
    from airflow.utils.session import create_session
    from sqlalchemy import delete

    from learnloop.airflow_assets import PUBLISHED_WAREHOUSE

    with create_session() as session:
        session.execute(
            delete(AssetActive).where(
                AssetActive.name == PUBLISHED_WAREHOUSE.name,
                AssetActive.uri != PUBLISHED_WAREHOUSE.uri,
            )
        )


def _consume_queued_asset_updates(dag_id: str) -> None:
    """Take the Asset updates queued for `dag_id` off Airflow's queue, as a scheduler does
    when it starts the run they trigger: a scheduler started later on this metadata (or
    the UI) must not see them as still waiting for a run."""
    from airflow.models.asset import AssetDagRunQueue
    from airflow.utils.session import create_session
    from sqlalchemy import delete

    with create_session() as session:
        session.execute(delete(AssetDagRunQueue).where(AssetDagRunQueue.target_dag_id == dag_id))


def _test_dag(bag: DagBag, dag_id: str, conf: Mapping[str, Any], log_file: Path) -> DagRunResult:
    dag = bag.get_dag(dag_id)
    if dag is None:
        raise AirflowSetupError(f"no DAG {dag_id!r} in {DAGS_DIR}")
    dag_run = dag.test(run_conf=dict(conf))
    failed = {
        (ti.task_id, ti.map_index) for ti in dag_run.get_task_instances() if ti.state == "failed"
    }
    order = [task.task_id for task in dag.topological_sort()]
    ordered = tuple(sorted(failed, key=lambda f: (order.index(f[0]), f[1])))
    returns = _returned_values(dag_id, dag_run.run_id)
    return DagRunResult(str(dag_run.state), log_file, ordered, returns)


def _returned_values(dag_id: str, run_id: str) -> dict[str, Any]:
    """What each task of the DAG run returned (its `return_value` XCom); a mapped task's
    values as a list in map index order."""
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        query = XComModel.get_many(run_id=run_id, dag_ids=dag_id, key="return_value")
        rows = sorted(session.scalars(query), key=lambda x: (x.task_id, x.map_index))
        returns: dict[str, Any] = {}
        for row in rows:
            value = XComModel.deserialize_value(row)
            if row.map_index == UNMAPPED:
                returns[row.task_id] = value
            else:
                returns.setdefault(row.task_id, []).append(value)
        return returns


def _run_log_file(home: Home, run_key: str) -> Path:
    """A new log file for this run; older ones beyond KEPT_RUN_LOGS are removed."""
    home.run_logs.mkdir(parents=True, exist_ok=True)
    earlier = sorted(home.run_logs.glob("*.log"))
    for old in earlier[: max(0, len(earlier) - KEPT_RUN_LOGS + 1)]:
        old.unlink(missing_ok=True)
    log_file = home.run_logs / f"{run_key}.log"
    log_file.touch()
    pointer = home.logs / f".{home.last_run_log.name}.{run_key}"
    pointer.unlink(missing_ok=True)
    pointer.symlink_to(log_file.relative_to(home.logs))
    pointer.replace(home.last_run_log)  # atomic: the link always names a whole run's log
    return log_file


@contextlib.contextmanager
def _redirected(sink: TextIO) -> Iterator[TextIO]:
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        yield sink
