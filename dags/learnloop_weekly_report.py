"""The weekly learning report, written whenever the published warehouse changes.

Scheduled on the Asset `learnloop_published_warehouse`, which the `learnloop` DAG's `publish`
task updates: every run that publishes (a load or an erasure) is followed by one run of
this DAG. Its task `report`, mapped over the workspaces (one for a home without
workspaces), is the reports' only writer: it writes each workspace's `reports/<week>/` for
the latest week with messages from that workspace's published file (nothing else) and, when
the workspace's `[delivery] email_to` is set, mails its last complete week's report once.

A scheduler starts it by itself; `learnloop run`, `demo` and `forget` run it with
`dag.test()` after a run that published, as a scheduler would. Unpaused when created, so
unpausing `learnloop` is all a deployment needs.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import dag, task

from learnloop.airflow_assets import PUBLISHED_WAREHOUSE
from learnloop.dag_ids import REPORT_DAG_ID


@dag(
    dag_id=REPORT_DAG_ID,
    description="The weekly learning report, after every publish of the warehouse",
    schedule=[PUBLISHED_WAREHOUSE],
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,  # one writer of reports/ at a time
    is_paused_upon_creation=False,
    # No retries: the report is deterministic, and a mail that failed goes out after the
    # next publish (the week's marker is written only once it was sent).
    default_args={"owner": "learnloop", "retries": 0},
    tags=["learnloop", "report"],
    doc_md=__doc__,
)
def learnloop_weekly_report() -> None:
    @task
    def workspaces() -> list[str]:
        from learnloop import pipeline

        return pipeline.all_workspaces()

    # Reads only the published file: no slot in the build warehouse's writer pool.
    @task
    def report(name: str) -> str | None:
        from learnloop import pipeline

        return pipeline.report(name)

    report.expand(name=workspaces())


learnloop_weekly_report()
