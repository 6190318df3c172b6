"""The load manifest: one row per landed file and run, keyed by the file's SHA-256.

A checksum that was `loaded` before makes the same content a `duplicate`, whatever the
file is called now. Published as `analytics.load_log`.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

CREATE_SQL = """
CREATE TABLE IF NOT EXISTS ops.load_manifest (
    run_key VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    origin VARCHAR NOT NULL,
    checksum VARCHAR NOT NULL,
    format VARCHAR,
    status VARCHAR NOT NULL,
    rows BIGINT,
    message VARCHAR,
    recorded_at TIMESTAMPTZ NOT NULL
)
"""

STATUSES = ("loaded", "duplicate", "quarantined")


@dataclass(frozen=True)
class ManifestEntry:
    run_key: str
    file_name: str
    origin: str  # relative to landing/: the file that moves to archive/ or quarantine/
    checksum: str
    format: str | None
    status: str
    rows: int | None
    message: str | None


def loaded_checksums(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "SELECT DISTINCT checksum FROM ops.load_manifest WHERE status = 'loaded'"
    ).fetchall()
    return {checksum for (checksum,) in rows}


def record(con: duckdb.DuckDBPyConnection, *entries: ManifestEntry) -> None:
    """The entries' rows, in one statement."""
    if not entries:
        return
    for entry in entries:
        if entry.status not in STATUSES:
            raise ValueError(f"unknown manifest status {entry.status!r}")
    rows = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, now())"] * len(entries))
    con.execute(
        f"INSERT INTO ops.load_manifest VALUES {rows}",
        [
            value
            for entry in entries
            for value in (
                entry.run_key,
                entry.file_name,
                entry.origin,
                entry.checksum,
                entry.format,
                entry.status,
                entry.rows,
                entry.message,
            )
        ],
    )


def entries_of_run(con: duckdb.DuckDBPyConnection, run_key: str) -> list[ManifestEntry]:
    rows = con.execute(
        """SELECT run_key, file_name, origin, checksum, format, status, rows, message
           FROM ops.load_manifest WHERE run_key = ? ORDER BY file_name""",
        [run_key],
    ).fetchall()
    return [ManifestEntry(*row) for row in rows]
