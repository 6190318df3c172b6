"""DuckDB connections and SQL literal helpers shared by ingest, gates and publish."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb


@contextmanager
def connect(path: Path, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection that always closes: dbt and GX open the same file after us in-process."""
    con = duckdb.connect(str(path), read_only=read_only)
    try:
        con.execute("SET TimeZone = 'UTC'")
        yield con
    finally:
        con.close()


def sql_literal(value: str) -> str:
    """A SQL string literal; for the few places (file paths in table functions) where DuckDB
    does not accept a bound parameter."""
    return "'" + value.replace("'", "''") + "'"


def sql_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
