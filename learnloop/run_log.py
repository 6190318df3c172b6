"""The run log: one row per pipeline run, published as `analytics.run_log`.

Successful runs write their row before publishing; failed runs write theirs after they were
rolled back (learnloop.build), so every run shows and only published runs leave data.
A run that could not write its own row (killed, a crash before its teardown, a full disk) is
recorded by whoever finds it next: the command that started it, or the next run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from learnloop.db import connect
from learnloop.run_lock import started_at_of

CREATE_SQL = """
CREATE TABLE IF NOT EXISTS ops.run_log (
    run_key VARCHAR NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ NOT NULL,
    status VARCHAR NOT NULL,
    published BOOLEAN NOT NULL,
    files_loaded INTEGER,
    files_duplicate INTEGER,
    files_quarantined INTEGER,
    rows_loaded BIGINT,
    interactions BIGINT,
    newest_interaction_at TIMESTAMPTZ,
    freshness_hours DOUBLE,
    gate_results VARCHAR,
    message VARCHAR
)
"""
COLUMNS = (
    "run_key, started_at, finished_at, status, published, files_loaded, files_duplicate, "
    "files_quarantined, rows_loaded, interactions, newest_interaction_at, freshness_hours, "
    "gate_results, message, failed_stage"
)


def create_run_log(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS ops")
    con.execute(CREATE_SQL)
    # Added after the first release: build databases of earlier versions gain it here.
    con.execute("ALTER TABLE ops.run_log ADD COLUMN IF NOT EXISTS failed_stage VARCHAR")


@dataclass
class RunRecord:
    run_key: str
    started_at: datetime
    finished_at: datetime
    status: str  # published | gate_failed | failed
    published: bool
    files: dict[str, int] = field(default_factory=dict)
    interactions: int | None = None
    newest_interaction_at: datetime | None = None
    freshness_hours: float | None = None
    gate_results: list[dict[str, Any]] = field(default_factory=list)
    message: str | None = None
    failed_stage: str | None = None  # where it stopped; a published run's failed report too


def write(con: duckdb.DuckDBPyConnection, record: RunRecord) -> None:
    create_run_log(con)
    con.execute("DELETE FROM ops.run_log WHERE run_key = ?", [record.run_key])
    con.execute(
        f"INSERT INTO ops.run_log ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            record.run_key,
            record.started_at,
            record.finished_at,
            record.status,
            record.published,
            record.files.get("loaded"),
            record.files.get("duplicate"),
            record.files.get("quarantined"),
            record.files.get("rows"),
            record.interactions,
            record.newest_interaction_at,
            record.freshness_hours,
            json.dumps(record.gate_results),
            record.message,
            record.failed_stage,
        ],
    )


def last_published_interactions(con: duckdb.DuckDBPyConnection) -> int | None:
    row = con.execute(
        """SELECT interactions FROM ops.run_log
           WHERE published ORDER BY finished_at DESC LIMIT 1"""
    ).fetchone()
    return None if row is None else row[0]


@dataclass(frozen=True)
class Outcome:
    """What the run log says about one run."""

    status: str
    published: bool
    message: str | None
    failed_stage: str | None


def outcome(build_database: Path, run_key: str) -> Outcome | None:
    """The run's row, or None when it has none (or there is no build database yet)."""
    if not build_database.exists():
        return None
    with connect(build_database, read_only=True) as con:
        if not con.execute(
            "SELECT count(*) FROM duckdb_tables() "
            "WHERE schema_name = 'ops' AND table_name = 'run_log'"
        ).fetchone()[0]:
            return None
        row = con.execute("SELECT * FROM ops.run_log WHERE run_key = ?", [run_key]).fetchone()
        names = [column[0] for column in con.description or []]
    if row is None:
        return None
    values = dict(zip(names, row, strict=True))
    return Outcome(
        values["status"], values["published"], values["message"], values.get("failed_stage")
    )


def add_problem(
    con: duckdb.DuckDBPyConnection, run_key: str, stage: str | None, problem: str
) -> None:
    """Add what went wrong after a run published to its row (which stays `published`)."""
    create_run_log(con)
    con.execute(
        """UPDATE ops.run_log SET message = coalesce(message || '; ', '') || ?,
                                  failed_stage = coalesce(?, failed_stage)
           WHERE run_key = ?""",
        [problem, stage, run_key],
    )


def record_unfinished(build_database: Path, run_key: str, stage: str | None, message: str) -> None:
    """A `failed` row for a run that ended without writing one itself (its teardown did not
    run or could not write); nothing when it has a row."""
    with connect(build_database) as con:
        create_run_log(con)
        if con.execute("SELECT 1 FROM ops.run_log WHERE run_key = ?", [run_key]).fetchone():
            return
        write(
            con,
            RunRecord(
                run_key=run_key,
                started_at=started_at_of(run_key),
                finished_at=datetime.now(UTC),
                status="failed",
                published=False,
                message=message,
                failed_stage=stage,
            ),
        )
