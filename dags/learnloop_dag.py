"""LearnLoop's DAGs: the pipeline run, and the weekly report scheduled on its output.

The file is thin on purpose: it wires tasks and imports the real work from the `learnloop`
package inside each task, so the DAG processor parses it in milliseconds.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

import pendulum
from airflow.sdk import Asset, dag, task, teardown
from airflow.sdk.exceptions import AirflowFailException

from learnloop.dag_ids import MAIN_DAG_ID, PUBLISHED_ASSET_NAME, REPORT_DAG_ID, WRITER_POOL
from learnloop.errors import LearnLoopError

R = TypeVar("R")

LEARNLOOP_HOME = Path(os.environ.get("LEARNLOOP_HOME", ".learnloop")).resolve()

# The published warehouse BI tools read; updated by `publish`, it triggers the weekly report.
PUBLISHED_WAREHOUSE = Asset(
    name=PUBLISHED_ASSET_NAME,
    uri=f"file://{LEARNLOOP_HOME / 'warehouse' / 'learnloop.duckdb'}",
    group="learnloop",
)


def _without_retry_on_known_errors(stage: Callable[[], R]) -> R:
    """A LearnLoopError (bad configuration, a full disk, another run holding the home) is not
    fixed by retrying in a minute: fail at once, so the run ends and says why."""
    try:
        return stage()
    except LearnLoopError as exc:
        raise AirflowFailException(str(exc)) from exc


DEFAULT_ARGS = {
    "owner": "learnloop",
    # Gates and dbt are deterministic: retrying them would only fail again and delay the alert.
    "retries": 0,
    "retry_delay": timedelta(minutes=2),
    # One writer at a time on the build warehouse (pool made by `learnloop run` / compose).
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
)
def learnloop() -> None:
    # Reading files from a folder can meet a file that is still being written: retry once
    # (but not what a retry cannot fix, see _without_retry_on_known_errors).
    @task(retries=1, retry_delay=timedelta(minutes=1))
    def discover() -> dict[str, str]:
        from learnloop import pipeline

        return _without_retry_on_known_errors(pipeline.discover_files)

    @task(retries=1, retry_delay=timedelta(minutes=1))
    def ingest(context: dict[str, str]) -> dict[str, int]:
        from learnloop import pipeline

        return _without_retry_on_known_errors(lambda: pipeline.ingest(context))

    @task
    def gate_raw(context: dict[str, str]) -> dict[str, int]:
        from learnloop import pipeline

        return pipeline.gate_raw(context)

    @task
    def dbt_build(context: dict[str, str]) -> None:
        from learnloop import pipeline

        pipeline.dbt_build(context)

    @task
    def gate_marts(context: dict[str, str]) -> dict[str, int]:
        from learnloop import pipeline

        return pipeline.gate_marts(context)

    @task(outlets=[PUBLISHED_WAREHOUSE])
    def publish(context: dict[str, str]) -> str:
        from learnloop import pipeline

        return pipeline.publish(context)

    @task(pool="default_pool")
    def report(context: dict[str, str]) -> str | None:
        from learnloop import pipeline

        return pipeline.report(context)

    @teardown
    def finish(context: dict[str, str]) -> None:
        from learnloop import pipeline

        pipeline.finish(context)

    context = discover()
    loaded = ingest(context)
    raw_checked = gate_raw(context)
    built = dbt_build(context)
    marts_checked = gate_marts(context)
    published = publish(context)
    reported = report(context)
    loaded >> raw_checked >> built >> marts_checked >> published >> reported
    reported >> finish(context)


@dag(
    dag_id=REPORT_DAG_ID,
    description="Writes the weekly learning report whenever the published warehouse changes",
    schedule=[PUBLISHED_WAREHOUSE],
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args={"owner": "learnloop", "retries": 1, "retry_delay": timedelta(minutes=5)},
    tags=["learnloop", "report"],
)
def learnloop_weekly_report() -> None:
    @task
    def report() -> str | None:
        from learnloop import pipeline

        written = pipeline.report()
        pipeline.deliver_report()  # mails the last complete week once, if [delivery] is set
        return written

    report()


learnloop()
learnloop_weekly_report()
