"""The Airflow Asset both DAG files share: the published warehouse.

The `learnloop` DAG's `publish` task updates it (its outlet); `learnloop_weekly_report` is
scheduled on it, and DAGs of your own can be too. Light to import: the DAG files parse it.
"""

from __future__ import annotations

from airflow.sdk import Asset

from learnloop.dag_ids import PUBLISHED_ASSET_NAME
from learnloop.paths import Home

PUBLISHED_WAREHOUSE = Asset(
    name=PUBLISHED_ASSET_NAME,
    uri=f"file://{Home.from_environment().published}",
    group="learnloop",
)
