"""DuckDB connections and SQL literal helpers shared by ingest, gates and publish."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from learnloop.machine import cpu_cores

# DuckDB spills what does not fit to disk. A run's process holds about 0.6 GiB besides DuckDB
# (Airflow, dbt and its manifest, GX, the lemmatiser's dictionaries), so 256 MB keeps its peak
# RSS within 1 GiB at a million interactions, where the full run took as long as with 512 MB
# (bench/results.md); a bigger machine may allow more.
DEFAULT_MEMORY_LIMIT = "256MB"


@dataclass(frozen=True)
class Limits:
    """How much of the machine DuckDB may use ([performance] in learnloop.toml)."""

    memory_limit: str = DEFAULT_MEMORY_LIMIT
    threads: int = 0  # 0: one per CPU core
    temp_directory: str = ""  # "": DuckDB's default, next to the database file

    @property
    def thread_count(self) -> int:
        return self.threads or cpu_cores()


_limits = Limits()


def use_limits(limits: Limits) -> None:
    """Apply `limits` to every connection this process opens from now on."""
    global _limits
    _limits = limits


def current_limits() -> Limits:
    return _limits


@contextmanager
def connect(path: Path, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection that always closes: dbt and GX open the same file after us in-process."""
    con = duckdb.connect(str(path), read_only=read_only)
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute(f"SET memory_limit = {sql_literal(_limits.memory_limit)}")
        con.execute(f"SET threads = {int(_limits.thread_count)}")
        # DuckDB refuses to set the spill folder again once an open instance used it, even
        # to the same value (another connection to the same file may have spilled).
        current = con.execute("SELECT current_setting('temp_directory')").fetchone()[0]
        if _limits.temp_directory and _limits.temp_directory != current:
            con.execute(f"SET temp_directory = {sql_literal(_limits.temp_directory)}")
        yield con
    finally:
        con.close()


def sql_literal(value: str) -> str:
    """A SQL string literal; for the few places (file paths in table functions) where DuckDB
    does not accept a bound parameter."""
    return "'" + value.replace("'", "''") + "'"


def sql_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
