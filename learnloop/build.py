"""The build warehouse: raw tables and bookkeeping, worked on in a per-run copy.

A run copies the build database as of the last successful run into its own folder and
works only there; publish promotes the copy, a failed run leaves it behind unused. So a
failed run leaves nothing that a later run would build on.
"""

from __future__ import annotations

import shutil
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from learnloop.classifier import cache
from learnloop.config import Config
from learnloop.db import connect
from learnloop.ingest.loader import create_raw_tables
from learnloop.paths import Home
from learnloop.run_lock import new_run_key
from learnloop.run_log import create_run_log


@dataclass(frozen=True)
class RunContext:
    """What the DAG's tasks pass each other (through XCom, hence plain strings)."""

    run_key: str
    run_dir: str
    database: str  # the run's private copy of the build database
    started_at: str

    @property
    def database_path(self) -> Path:
        return Path(self.database)

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def start_run(config: Config, run_key: str | None = None) -> RunContext:
    """Make the run's folder and its copy of the build database, ready for ingest."""
    run_key = run_key or new_run_key()
    run_dir = config.home.run_dir(run_key)
    run_dir.mkdir(parents=True, exist_ok=True)
    database = run_dir / "build.duckdb"
    try:
        if config.home.build_database.exists():
            shutil.copy2(config.home.build_database, database)
        with connect(database) as con:
            create_raw_tables(con)
            create_run_log(con)
            write_settings(con, config)
    except BaseException:
        shutil.rmtree(run_dir, ignore_errors=True)  # a half copy would keep a full disk full
        raise
    return RunContext(run_key, str(run_dir), str(database), datetime.now(UTC).isoformat())


def write_settings(con: duckdb.DuckDBPyConnection, config: Config) -> None:
    """Brand accounts, the member salt and the classifier settings, as tables the dbt models
    read; the embedding cache, which no rebuild drops."""
    con.execute("CREATE OR REPLACE TABLE ops.brand_accounts (platform VARCHAR, account VARCHAR)")
    accounts = [(p, a.lstrip("@").lower()) for p, names in config.brand.items() for a in names]
    if accounts:
        con.executemany("INSERT INTO ops.brand_accounts VALUES (?, ?)", accounts)
    con.execute(
        "CREATE OR REPLACE TABLE ops.privacy_salt AS SELECT ?::VARCHAR AS salt",
        [config.privacy.salt],
    )
    cache.create_cache(con)
    cache.write_settings(con, config.classifier.embedding_budget, config.classifier.threads)


def promote(context: RunContext, config: Config) -> None:
    """Make the run's database the build database that the next run starts from."""
    context.database_path.replace(config.home.build_database)


def discard(context: RunContext) -> None:
    shutil.rmtree(context.run_dir, ignore_errors=True)


def run_folders(home: Home) -> list[Path]:
    """The folders of runs that have not been torn down (oldest first)."""
    runs = home.build / "runs"
    return sorted(runs.iterdir()) if runs.is_dir() else []


def discard_leftovers(config: Config) -> list[Path]:
    """Remove what runs killed before their teardown left (SIGKILL, power loss, OOM): their
    folders with a copy of the build database, and half-written files to publish. Only one
    run works at a time (the run lock; max_active_runs=1 and one writer pool slot for the
    scheduler), so a new run may."""
    build = config.home.build
    leftovers = run_folders(config.home)
    leftovers += sorted(build.glob("publish-*.duckdb")) + sorted(build.glob("rollback-*"))
    for path in leftovers:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return leftovers
