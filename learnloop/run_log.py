"""The run log: one row per pipeline run, published as `analytics.run_log`.

Successful runs write their row into the run's database before publishing; failed runs
write theirs into the build database, whose data they leave untouched, so every run shows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from learnloop.db import connect

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


def create_run_log(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS ops")
    con.execute(CREATE_SQL)


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


def write(con: duckdb.DuckDBPyConnection, record: RunRecord) -> None:
    create_run_log(con)
    con.execute("DELETE FROM ops.run_log WHERE run_key = ?", [record.run_key])
    con.execute(
        "INSERT INTO ops.run_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
        ],
    )


def last_published_interactions(con: duckdb.DuckDBPyConnection) -> int | None:
    row = con.execute(
        """SELECT interactions FROM ops.run_log
           WHERE published ORDER BY finished_at DESC LIMIT 1"""
    ).fetchone()
    return None if row is None else row[0]


def last_failure(build_database: Path) -> tuple[str | None, str | None]:
    """Status and message of the newest run that did not publish, if it is the newest run."""
    if not build_database.exists():
        return None, None
    with connect(build_database, read_only=True) as con:
        row = con.execute(
            "SELECT status, message, published FROM ops.run_log ORDER BY finished_at DESC LIMIT 1"
        ).fetchone()
    if row is None or row[2]:
        return None, None
    return row[0], row[1]
