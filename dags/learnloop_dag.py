"""LearnLoop's DAG: landing exports -> DuckDB -> dbt -> quality gates -> published warehouse.

`workspaces` lists the workspaces of LEARNLOOP_HOME (README, "Many brands"; one, "", for a
home without workspaces). The task group `workspace` is mapped over them, one instance per
workspace, all in parallel: `discover -> erase -> ingest -> gate_raw -> dbt_build ->
gate_marts -> publish`, and the teardown `finish`, each on that workspace's own home. A
workspace's chain is its only writer. After all of them, `agency` publishes the agency view
(warehouse/agency.duckdb, only in a home with workspaces) and `summary` ends the run: it
fails, naming each workspace that did not publish and why, when a gate or a stage stopped
one; the others published all the same.

`publish` updates the Asset `learnloop_published_warehouse`, on which the DAG
`learnloop_weekly_report` (dags/learnloop_weekly_report.py) is scheduled: the report's only
writer. Each task passes what it made to the tasks that use it, as its return value (an
XCom): the run (key, workspace, folder, database), the landed files, ingest's counts, the
gates' expectation results, the published file, each workspace's outcome. `publish` writes
the run log from them; `finish` logs a run that did not publish from the XComs of its tasks
(of its own map index), including the `failure` XCom a failing task leaves. An edge without a
value (`>>`) means that the next task works on what the previous one wrote into the run's
database or the published file.

Params (a run's conf): `full_refresh` rebuilds every incremental dbt model (`learnloop run
--full-refresh`); `forget_member_key` makes the run an erasure (`learnloop forget`): it loads
nothing, `erase` removes the member, dbt rebuilds in full, and publish drops older snapshots.

The file is thin on purpose: it wires tasks and imports the real work from the `learnloop`
package inside each task, so the DAG processor parses it in milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

import pendulum
from airflow.sdk import Param, dag, get_current_context, task, task_group, teardown
from airflow.sdk.exceptions import AirflowFailException

from learnloop.airflow_assets import PUBLISHED_WAREHOUSE
from learnloop.dag_ids import (
    FORGET_MEMBER_PARAM,
    FORGET_PLATFORM_PARAM,
    FULL_REFRESH_PARAM,
    MAIN_DAG_ID,
    WRITER_POOL,
)
from learnloop.errors import LearnLoopError

R = TypeVar("R")
FAILURE = "failure"  # the XCom key of a failed task's failure record, read by `finish`


def _stage(task_id: str, work: Callable[[], R]) -> R:
    """Run a stage. When it fails, leave how (its one-line reason, a gate's results) as the
    task's `failure` XCom for `finish`; a LearnLoopError (bad configuration, a failed gate, a
    full disk, another run holding the home) is not fixed by retrying in a minute: fail at
    once, so the run ends and says why."""
    try:
        return work()
    except Exception as exc:
        from learnloop import pipeline

        failure = pipeline.describe_failure(task_id, exc)
        get_current_context()["ti"].xcom_push(key=FAILURE, value=failure)
        if isinstance(exc, LearnLoopError):
            raise AirflowFailException(str(exc)) from exc
        raise


def _every(outcomes: Any) -> list[dict[str, Any]]:
    """The outcomes of every instance of the mapped group. Airflow 3.3 hands a task the value
    itself, not a list of one, when the group had a single instance (a home without
    workspaces): it pulls the XComs of all map indexes and unwraps a lone one."""
    values = [outcomes] if isinstance(outcomes, dict) else list(outcomes or ())
    return [value for value in values if value]  # an instance whose teardown failed: none


DEFAULT_ARGS = {
    "owner": "learnloop",
    # Gates and dbt are deterministic: retrying them would only fail again and delay the alert.
    "retries": 0,
    "retry_delay": timedelta(minutes=2),
    # Writers: one slot per workspace that may run at once (compose: LEARNLOOP_WRITER_SLOTS;
    # `learnloop run` makes one slot, as it runs the tasks one after another in process).
    # Each workspace's chain is its only writer, and max_active_runs=1 keeps runs apart.
    "pool": WRITER_POOL,
}


@dag(
    dag_id=MAIN_DAG_ID,
    description="Landing exports -> DuckDB -> dbt -> quality gates -> published warehouse",
    schedule="@daily",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["learnloop", "social", "duckdb", "dbt"],
    doc_md=__doc__,
    params={
        FULL_REFRESH_PARAM: Param(
            False,
            type="boolean",
            description="Rebuild every incremental dbt model from all loaded data.",
        ),
        FORGET_MEMBER_PARAM: Param(
            None,
            type=["null", "string"],
            description=(
                "Erase a community member: their salted key, as `learnloop forget --member` "
                "computes it (the handle itself is never kept in Airflow's metadata)."
            ),
        ),
        FORGET_PLATFORM_PARAM: Param(
            None,
            type=["null", "string"],
            description="With forget_member_key: erase only on this platform.",
        ),
    },
)
def learnloop() -> None:
    # `workspaces` and `summary` only read: no writer slot.
    @task(pool="default_pool")
    def workspaces(params: dict[str, Any] | None = None) -> list[str]:
        """The workspaces to process (checked names), or [""] without workspaces."""
        from learnloop import pipeline

        forgetting = bool((params or {}).get(FORGET_MEMBER_PARAM))
        return _stage("workspaces", lambda: pipeline.plan_workspaces(forgetting=forgetting))

    # Reading files from a folder can meet a file that is still being written: retry once
    # (but not what a retry cannot fix, see _stage).
    @task(retries=1, retry_delay=timedelta(minutes=1), multiple_outputs=True)
    def discover(name: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        from learnloop import pipeline

        forgetting = bool((params or {}).get(FORGET_MEMBER_PARAM))
        return _stage(
            "discover",
            lambda: pipeline.discover_files(landing=not forgetting, workspace=name),
        )

    @task
    def erase(run: dict[str, str], params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Only in a forget run; any other run has no member to erase ({}: a value, so that
        the tasks that take it find an XCom, where None would leave none)."""
        from learnloop import pipeline

        member_key = (params or {}).get(FORGET_MEMBER_PARAM)
        if not member_key:
            return {}
        platform = (params or {}).get(FORGET_PLATFORM_PARAM)
        return _stage("erase", lambda: pipeline.erase(run, member_key, platform))

    @task(retries=1, retry_delay=timedelta(minutes=1), multiple_outputs=False)
    def ingest(run: dict[str, str], landed: list[dict[str, Any]]) -> dict[str, int]:
        from learnloop import pipeline

        return _stage("ingest", lambda: pipeline.ingest(run, landed))

    @task
    def gate_raw(run: dict[str, str]) -> list[dict[str, Any]]:
        from learnloop import pipeline

        return _stage("gate_raw", lambda: pipeline.gate_raw(run))

    @task
    def dbt_build(
        run: dict[str, str],
        erased: dict[str, Any],  # {} outside a forget run
        params: dict[str, Any] | None = None,
    ) -> None:
        from learnloop import pipeline

        full_refresh = bool((params or {}).get(FULL_REFRESH_PARAM))
        _stage(
            "dbt_build",
            lambda: pipeline.dbt_build(run, full_refresh=full_refresh, erased=erased or None),
        )

    @task
    def gate_marts(run: dict[str, str], raw_checks: list[dict[str, Any]]) -> list[dict[str, Any]]:
        from learnloop import pipeline

        return _stage("gate_marts", lambda: pipeline.gate_marts(run, raw_checks))

    @task(outlets=[PUBLISHED_WAREHOUSE])
    def publish(
        run: dict[str, str],
        landed: list[dict[str, Any]],
        loaded: dict[str, int],
        checks: list[dict[str, Any]],
        erased: dict[str, Any],
    ) -> str:
        from learnloop import pipeline

        return _stage(
            "publish", lambda: pipeline.publish(run, landed, loaded, checks, erased or None)
        )

    @teardown
    def finish(name: str, run: dict[str, str] | None) -> dict[str, Any]:
        """Log a run that did not publish, from what the workspace's tasks returned or left
        as failure; remove the run's folder. Returns the workspace's outcome."""
        from learnloop import pipeline

        ti = get_current_context()["ti"]

        def pulled(task_id: str, key: str = "return_value") -> Any:
            # This workspace's own values: the same map index in the mapped group.
            return ti.xcom_pull(task_ids=task_id, key=key, map_indexes=ti.map_index)

        # A run that published needs nothing else; the others are looked for only when
        # missing (Airflow logs each XCom it does not find as an error).
        published = pulled("publish")
        if published is not None:
            return pipeline.finish(run, pipeline.RunResults(published=published), name)
        failures = (pulled(t, FAILURE) for t in pipeline.TASKS)
        results = pipeline.RunResults(
            loaded=pulled("ingest"),
            raw_checks=pulled("gate_raw"),
            checks=pulled("gate_marts"),
            failure=next((f for f in failures if f), None),
        )
        return pipeline.finish(run, results, name)

    # Task ids stay unprefixed (`discover`, not `workspace.discover`): the same ids as in a
    # DAG without workspaces, for the XComs people's own DAGs and scripts read.
    @task_group(group_id="workspace", prefix_group_id=False)
    def workspace(name: str) -> Any:
        """One workspace's run, on its own home; the outcome `finish` returns."""
        started = discover(name)
        run, landed = started["run"], started["landed"]
        erased = erase(run)
        loaded = ingest(run, landed)
        raw_checks = gate_raw(run)
        built = dbt_build(run, erased)
        checks = gate_marts(run, raw_checks)
        published = publish(run, landed, loaded, checks, erased)
        erased >> loaded >> raw_checks >> built >> checks
        outcome = finish(name, run)
        published >> outcome
        return outcome

    # After every workspace, whatever happened in each (their outcomes say).
    @task(trigger_rule="all_done")
    def agency(names: list[str]) -> str | None:
        from learnloop import pipeline

        return _stage("agency", lambda: pipeline.agency(names))

    @task(trigger_rule="all_done", pool="default_pool")
    def summary(names: list[str], outcomes: list[dict[str, Any]]) -> list[str]:
        """Fails the DAG run when a workspace did not publish, naming each and why."""
        from learnloop import pipeline

        try:
            return pipeline.summary(names, _every(outcomes))
        except LearnLoopError as exc:
            raise AirflowFailException(str(exc)) from exc

    names = workspaces()
    outcomes = workspace.expand(name=names)
    outcomes >> agency(names) >> summary(names, outcomes)


learnloop()
