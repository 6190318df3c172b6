"""Run dbt in process against the run's copy of the build warehouse."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from learnloop.config import Config
from learnloop.errors import LearnLoopError
from learnloop.paths import DBT_PROJECT_DIR

log = logging.getLogger(__name__)


class DbtFailed(LearnLoopError):
    """dbt could not build the models or a dbt data test failed."""


def dbt_vars(config: Config) -> dict[str, object]:
    return {
        "timezone": config.timezone,
        "publish_handles": config.privacy.publish_handles,
        "publish_private_text": config.privacy.publish_private_text,
    }


def run_dbt(arguments: list[str], database: Path, config: Config, work_dir: Path) -> None:
    """`dbt <arguments>` with the project's profile; raises DbtFailed naming what failed."""
    from dbt.cli.main import dbtRunner  # heavy: imported only when a task runs

    os.environ["LEARNLOOP_BUILD_DB"] = str(database)
    work_dir.mkdir(parents=True, exist_ok=True)
    try:
        result = _invoke(dbtRunner(), arguments, config, work_dir)
    finally:
        _close_dbt_duckdb_connection()
    if result.success:
        return
    if result.exception is not None:
        raise DbtFailed(f"dbt {arguments[0]} failed: {result.exception}")
    failures = [
        f"{r.node.name} ({r.status})"
        for r in (result.result or [])
        if str(r.status) not in {"success", "pass", "skipped"}
    ]
    raise DbtFailed(f"dbt {arguments[0]} failed: {', '.join(failures) or 'see the dbt log'}")


def _invoke(runner: Any, arguments: list[str], config: Config, work_dir: Path) -> Any:
    return runner.invoke(
        [
            *arguments,
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(work_dir / "target"),
            "--log-path",
            str(work_dir / "logs"),
            "--vars",
            json.dumps(dbt_vars(config)),
            "--no-use-colors",
            "--quiet",
        ]
    )


def _close_dbt_duckdb_connection() -> None:
    """dbt-duckdb keeps its DuckDB connection open for the life of the process; close it so
    the gates and publish (same process under `dag.test()`) can open the file next."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    environment = DuckDBConnectionManager._ENV
    if environment is not None:
        environment.close()
    DuckDBConnectionManager.close_all_connections()


def build_models(database: Path, config: Config, work_dir: Path) -> None:
    """Seeds, models and data tests; unit tests run in the test suite, not on every run."""
    run_dbt(["build", "--exclude-resource-type", "unit_test"], database, config, work_dir)
