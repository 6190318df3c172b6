"""The agency view: every workspace's KPIs in one file, `warehouse/agency.duckdb`.

After the workspaces of a run have published (or been stopped by a gate), this writes, from
each workspace's published warehouse as it now stands (a workspace whose gate stopped it
keeps its previous file; one that never published is absent):

- `analytics.kpi_weekly`: each workspace's kpi_weekly, with a `workspace` column first;
- `analytics.signals_weekly`: signals counted by workspace, week, platform and category;
- `analytics.insights_summary`: insights counted by workspace, category and status;
- `analytics.workspaces`: which published file of each workspace the view holds.

Nothing in it names or keys a community member: members are pseudonymised with each
workspace's own salt, and no member key (nor text, nor handle) is copied, so nobody can be
joined across workspaces. The audit below checks that before the file is published.

Write-audit-publish, as for a workspace's warehouse (learnloop.publish): written to a new
file next to the published one, in the configured storage version, audited, flushed, then
renamed over it; a reader that has the old file open keeps reading the old file. The last
`[publish] keep_snapshots` views stay in warehouse/snapshots/ (agency-<run key>.duckdb).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from learnloop.config import Config
from learnloop.db import connect, sql_identifier, sql_literal
from learnloop.errors import PublishError
from learnloop.paths import Home
from learnloop.publish import SCHEMA, fsync
from learnloop.run_lock import new_run_key

log = logging.getLogger(__name__)

SNAPSHOT_PREFIX = "agency-"
# Column names that could carry a person: none may reach the agency view.
MEMBER_COLUMN_WORDS = ("member", "author", "handle", "text", "user")

# name: (query over one workspace's published file, attached as {ws}; comment)
RELATIONS: dict[str, tuple[str, str]] = {
    "kpi_weekly": (
        f"SELECT * FROM {{ws}}.{SCHEMA}.kpi_weekly",
        "Each workspace's kpi_weekly (one row per ISO week and platform, plus platform "
        "'all'), with the workspace it comes from.",
    ),
    "signals_weekly": (
        f"""SELECT week_start, platform, signal_category, count(*) AS signals
            FROM {{ws}}.{SCHEMA}.signals GROUP BY ALL""",
        "Signals (problems, complaints, ideas, questions, praise) per workspace, ISO week, "
        "platform and category: counts only, no message or member.",
    ),
    "insights_summary": (
        f"""SELECT category, status, count(*) AS insights
            FROM {{ws}}.{SCHEMA}.insights GROUP BY ALL""",
        "Logged insights per workspace, category and status: counts only.",
    ),
    "workspaces": (
        f"SELECT run_key, published_at, newest_interaction_at FROM {{ws}}.{SCHEMA}.publish_info",
        "Which published warehouse of each workspace this view was made from: its run key "
        "and when it was published (a workspace whose last run was stopped by a gate shows "
        "the earlier publish it still serves).",
    ),
}
COLUMN_COMMENTS = {
    "workspace": "The workspace (LEARNLOOP_HOME/workspaces/<name>/) the row comes from.",
    "signals": "Number of signals of this category.",
    "insights": "Number of insights in this category and status.",
}


@dataclass(frozen=True)
class AgencyView:
    path: Path
    workspaces: tuple[str, ...]  # the ones it holds: every workspace that has published
    missing: tuple[str, ...]  # never published yet

    def summary(self) -> str:
        held = f"{len(self.workspaces)} workspaces"
        missing = f"; not yet published: {', '.join(self.missing)}" if self.missing else ""
        return f"{self.path} ({held}{missing})"


def publish_agency(config: Config, names: list[str]) -> AgencyView:
    """Write, audit and publish the agency view of `names` in `config.home`."""
    home = config.home
    sources = {name: home.workspace(name).published for name in names}
    held = tuple(name for name, path in sources.items() if path.exists())
    run_key = new_run_key()
    home.warehouse.mkdir(parents=True, exist_ok=True)
    staged = home.warehouse / f".agency-{run_key}.duckdb"
    snapshot = home.snapshots / f"{SNAPSHOT_PREFIX}{run_key}.duckdb"
    try:
        _write(staged, {name: sources[name] for name in held}, config.publish.storage_version)
        _audit(staged, {name: sources[name] for name in held})
        fsync(staged)
        home.snapshots.mkdir(parents=True, exist_ok=True)
        os.link(staged, snapshot)
        staged.replace(home.agency)
    except Exception:  # a half-written file must not stay (nor keep a full disk full)
        staged.unlink(missing_ok=True)
        snapshot.unlink(missing_ok=True)
        raise
    fsync(home.warehouse)
    _prune(home, config.publish.keep_snapshots)
    missing = tuple(name for name in names if name not in held)
    log.info("published the agency view %s of %s", home.agency, ", ".join(held))
    return AgencyView(home.agency, held, missing)


def _write(target: Path, sources: dict[str, Path], storage_version: str) -> None:
    """Every workspace's rows in one statement per table; UNION ALL BY NAME, so a workspace
    published by another LearnLoop version (other columns) still fits."""
    with connect(Path(":memory:")) as con:
        version = sql_literal(storage_version)
        con.execute(f"ATTACH {sql_literal(str(target))} AS agency (STORAGE_VERSION {version})")
        con.execute(f"CREATE SCHEMA agency.{SCHEMA}")
        aliases = {name: f"ws{index}" for index, name in enumerate(sources)}
        for name, alias in aliases.items():
            con.execute(f"ATTACH {sql_literal(str(sources[name]))} AS {alias} (READ_ONLY)")
        for table, (query, _) in RELATIONS.items():
            rows = " UNION ALL BY NAME ".join(
                f"SELECT {sql_literal(name)} AS workspace, * FROM ({query.format(ws=alias)})"
                for name, alias in aliases.items()
            )
            if rows:
                con.execute(f"CREATE TABLE agency.{SCHEMA}.{table} AS {rows}")
        for alias in aliases.values():
            con.execute(f"DETACH {alias}")
        if not sources:  # nothing published yet: the tables exist, empty, all the same
            _empty_tables(con)
        _comment(con)
        con.execute("CHECKPOINT agency")
        con.execute("DETACH agency")


def _empty_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        f"""CREATE TABLE agency.{SCHEMA}.kpi_weekly (workspace VARCHAR, week_start DATE,
            platform VARCHAR)"""
    )
    con.execute(
        f"""CREATE TABLE agency.{SCHEMA}.signals_weekly (workspace VARCHAR, week_start DATE,
            platform VARCHAR, signal_category VARCHAR, signals BIGINT)"""
    )
    con.execute(
        f"""CREATE TABLE agency.{SCHEMA}.insights_summary (workspace VARCHAR,
            category VARCHAR, status VARCHAR, insights BIGINT)"""
    )
    con.execute(
        f"""CREATE TABLE agency.{SCHEMA}.workspaces (workspace VARCHAR, run_key VARCHAR,
            published_at TIMESTAMPTZ, newest_interaction_at TIMESTAMPTZ)"""
    )


def _comment(con: duckdb.DuckDBPyConnection) -> None:
    for table, (_, comment) in RELATIONS.items():
        relation = f"agency.{SCHEMA}.{table}"
        con.execute(f"COMMENT ON TABLE {relation} IS {sql_literal(comment)}")
        for column, text in COLUMN_COMMENTS.items():
            if _has_column(con, table, column):
                name = sql_identifier(column)
                con.execute(f"COMMENT ON COLUMN {relation}.{name} IS {sql_literal(text)}")


def _has_column(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    found = con.execute(
        """SELECT count(*) FROM duckdb_columns() WHERE database_name = 'agency'
           AND schema_name = ? AND table_name = ? AND column_name = ?""",
        [SCHEMA, table, column],
    ).fetchone()
    return bool(found and found[0])


def _audit(staged: Path, sources: dict[str, Path]) -> None:
    """The checks before publishing: each workspace's rows all there (kpi_weekly row for
    row, every signal and insight counted), a known workspace on every row, and no column
    that could carry a person. PublishError names the first that fails."""
    with connect(staged, read_only=True) as con:
        columns = con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = ?",
            [SCHEMA],
        ).fetchall()
        personal = [
            f"{table}.{column}"
            for table, column in columns
            if any(word in column.lower() for word in MEMBER_COLUMN_WORDS)
        ]
        if personal:
            raise PublishError(f"agency view: column(s) that could name a member: {personal}")
        for table in RELATIONS:
            strays = con.execute(
                f"SELECT count(*) FROM {SCHEMA}.{table} WHERE workspace IS NULL "
                "OR workspace NOT IN (SELECT unnest(?::VARCHAR[]))",
                [list(sources)],
            ).fetchone()
            if strays and strays[0]:
                raise PublishError(f"agency view: {strays[0]} rows of {table} name no workspace")
        for name, published in sources.items():
            con.execute(f"ATTACH {sql_literal(str(published))} AS ws (READ_ONLY)")
            try:
                expected = _source_counts(con)
                held = _held_counts(con, name)
            finally:
                con.execute("DETACH ws")
            if held != expected:
                raise PublishError(
                    f"agency view: workspace {name} holds {held} (kpi_weekly rows, signals, "
                    f"insights), its published warehouse {expected}"
                )


def _source_counts(con: duckdb.DuckDBPyConnection) -> tuple[int, int, int]:
    row = con.execute(
        f"""SELECT (SELECT count(*) FROM ws.{SCHEMA}.kpi_weekly),
                   (SELECT count(*) FROM ws.{SCHEMA}.signals),
                   (SELECT count(*) FROM ws.{SCHEMA}.insights)"""
    ).fetchone()
    assert row is not None
    return row


def _held_counts(con: duckdb.DuckDBPyConnection, name: str) -> tuple[int, int, int]:
    row = con.execute(
        f"""SELECT (SELECT count(*) FROM {SCHEMA}.kpi_weekly WHERE workspace = $1),
                   (SELECT coalesce(sum(signals), 0) FROM {SCHEMA}.signals_weekly
                    WHERE workspace = $1),
                   (SELECT coalesce(sum(insights), 0) FROM {SCHEMA}.insights_summary
                    WHERE workspace = $1)""",
        [name],
    ).fetchone()
    assert row is not None
    return row


def snapshots(home: Home) -> list[Path]:
    return sorted(home.snapshots.glob(f"{SNAPSHOT_PREFIX}*.duckdb"))


def _prune(home: Home, keep: int) -> None:
    for old in snapshots(home)[:-keep]:
        old.unlink()
