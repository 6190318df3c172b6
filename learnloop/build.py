"""The build warehouse: raw tables, bookkeeping and the dbt models, worked on in place.

A run writes into the build database itself, so what it costs follows what it adds, not the
history (an earlier design copied the whole database into every run: DECISIONLOG.md). A
failed or killed run must still leave nothing that a later run builds on, so each run is
registered in `ops.unfinished_runs` before it writes anything, and `promote` (after the
published file is in place) removes its row. A run whose row is still there is rolled back,
by its own teardown or, when it was killed, by the next run:

- its raw rows, load manifest rows and a `published` run log row it wrote just before a
  publish that never happened are deleted by run key (every raw row carries `_run_key`);
- when its dbt build had started, the models are marked for a full rebuild (the build
  fingerprint is removed): incremental models cannot take rows back out.

Caches of pure functions stay: embeddings (`ops.embedding_cache`) and lemmas are the same
whoever computed them. A forget run works on a private copy of the database instead: it
deletes raw rows that a run stopped by a gate must not have lost, and it rewrites the whole
file anyway (`forget.compact`).
"""

from __future__ import annotations

import contextlib
import shutil
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from learnloop.classifier import cache
from learnloop.config import Config
from learnloop.db import connect
from learnloop.ingest.formats import FORMATS
from learnloop.ingest.loader import create_raw_tables
from learnloop.paths import Home
from learnloop.run_lock import new_run_key
from learnloop.run_log import create_run_log

UNFINISHED_TABLE = "ops.unfinished_runs"


@dataclass(frozen=True)
class RunContext:
    """What the DAG's tasks pass each other (through XCom, hence plain strings)."""

    run_key: str
    run_dir: str
    database: str  # the build database, or a forget run's private copy of it
    started_at: str
    workspace: str = ""  # learnloop.workspaces; "" in a home without workspaces

    @property
    def database_path(self) -> Path:
        return Path(self.database)

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def start_run(
    config: Config,
    run_key: str | None = None,
    *,
    private_copy: bool = False,
    workspace: str = "",
) -> RunContext:
    """Make the run's folder and register the run in the build database, ready for ingest;
    with `private_copy` (a forget run) it works on a copy of the database instead.

    Runs that never finished are rolled back first (see the module's docstring)."""
    run_key = run_key or new_run_key()
    run_dir = config.home.run_dir(run_key)
    run_dir.mkdir(parents=True, exist_ok=True)
    database = config.home.build_database
    try:
        with connect(database) as con:
            prepare(con)
            roll_back_unfinished_runs(con)
            if not private_copy:
                con.execute(f"INSERT INTO {UNFINISHED_TABLE} VALUES (?, now(), false)", [run_key])
        if private_copy:
            # Named as the build database: dbt's `target.database` is the file's stem, so
            # the forget's build reuses the dbt parse the home keeps for its runs
            # (learnloop.transform) instead of parsing and replacing it.
            database = run_dir / config.home.build_database.name
            shutil.copy2(config.home.build_database, database)
        with connect(database) as con:
            write_settings(con, config)
    except BaseException:
        shutil.rmtree(run_dir, ignore_errors=True)  # a half copy would keep a full disk full
        raise
    started_at = datetime.now(UTC).isoformat()
    return RunContext(run_key, str(run_dir), str(database), started_at, workspace)


def prepare(con: duckdb.DuckDBPyConnection) -> None:
    """The tables every run writes, created where they are missing."""
    create_raw_tables(con)
    create_run_log(con)
    con.execute(
        f"""CREATE TABLE IF NOT EXISTS {UNFINISHED_TABLE} (
            run_key VARCHAR NOT NULL,
            started_at TIMESTAMPTZ NOT NULL,
            models_touched BOOLEAN NOT NULL  -- its dbt build started: rebuild the models
        )"""
    )


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


def in_place(context: RunContext, home: Home) -> bool:
    return context.database_path == home.build_database


def models_touched(context: RunContext, home: Home) -> None:
    """Record, before dbt changes a model, that rolling this run back needs a full rebuild."""
    if not in_place(context, home):
        return
    with connect(context.database_path) as con:
        con.execute(
            f"UPDATE {UNFINISHED_TABLE} SET models_touched = true WHERE run_key = ?",
            [context.run_key],
        )


def promote(context: RunContext, config: Config) -> None:
    """Make what the run built the state the next run starts from: its row in
    `ops.unfinished_runs` goes (a forget run's copy replaces the build database)."""
    if not in_place(context, config.home):
        context.database_path.replace(config.home.build_database)
        return
    with connect(context.database_path) as con:
        con.execute(f"DELETE FROM {UNFINISHED_TABLE} WHERE run_key = ?", [context.run_key])


def roll_back(build_database: Path) -> list[str]:
    """Roll back every run that did not finish; their run keys (oldest first)."""
    if not build_database.exists():
        return []
    with connect(build_database) as con:
        prepare(con)
        return roll_back_unfinished_runs(con)


def roll_back_unfinished_runs(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Remove what unfinished runs wrote, in one transaction; their run keys."""
    from learnloop.transform import forget_fingerprint

    runs = con.execute(
        f"SELECT run_key, models_touched FROM {UNFINISHED_TABLE} ORDER BY run_key"
    ).fetchall()
    if not runs:
        return []
    keys = [key for key, _ in runs]
    con.execute("BEGIN TRANSACTION")
    try:
        for export_format in FORMATS:
            con.execute(f"DELETE FROM raw.{export_format.raw_table} WHERE _run_key IN ?", [keys])
        con.execute("DELETE FROM ops.load_manifest WHERE run_key IN ?", [keys])
        # A publish killed before its rename had logged itself as published.
        con.execute("DELETE FROM ops.run_log WHERE published AND run_key IN ?", [keys])
        if any(touched for _, touched in runs):
            forget_fingerprint(con)
        con.execute(f"DELETE FROM {UNFINISHED_TABLE} WHERE run_key IN ?", [keys])
        con.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(duckdb.Error):  # a failed COMMIT has ended it already
            con.execute("ROLLBACK")
        raise
    return keys


def discard(context: RunContext) -> None:
    shutil.rmtree(context.run_dir, ignore_errors=True)


def run_folders(home: Home) -> list[Path]:
    """The folders of runs that have not been torn down (oldest first)."""
    runs = home.build / "runs"
    return sorted(runs.iterdir()) if runs.is_dir() else []


def discard_leftovers(config: Config) -> list[Path]:
    """Remove what runs killed before their teardown left (SIGKILL, power loss, OOM): their
    folders (landed files' copies, dbt's work folder, a forget run's copy of the database)
    and half-written files to publish. Only one run works at a time (the run lock;
    max_active_runs=1 and one writer pool slot for the scheduler), so a new run may."""
    build = config.home.build
    leftovers = run_folders(config.home)
    leftovers += sorted(build.glob("publish-*.duckdb")) + sorted(build.glob("rollback-*"))
    for path in leftovers:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return leftovers
