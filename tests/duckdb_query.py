"""`query`: rows of one SQL statement on a DuckDB file, opened read-only for that query alone.

The tests run over 2,000 such queries. A new DuckDB instance (`duckdb.connect` on a file no
connection of this process holds) costs about 25 ms of CPU, almost all of it registering
DuckDB's built-in functions; attaching the file to an instance that already exists costs
about 5 ms. So each process keeps one in-memory instance, attaches the file for the query
and detaches it after: the next query opens the file again and sees a file that a publish
replaced in the meantime, as a connection of its own would.

The file is attached under its stem and made the default catalog, as `duckdb.connect` names
it, so unqualified names and `current_database()` resolve as on a connection of its own.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import duckdb

from learnloop.db import sql_identifier, sql_literal

_lock = threading.Lock()  # ATTACH names are the instance's: one query at a time
_instance: tuple[int, duckdb.DuckDBPyConnection] | None = None  # (owning pid, connection)


def query(database: Path, sql: str, params: list | None = None) -> list[tuple]:
    catalog = sql_identifier(Path(database).stem)
    with _lock:
        con = _connection()
        con.execute(f"ATTACH {sql_literal(str(database))} AS {catalog} (READ_ONLY)")
        try:
            con.execute(f"USE {catalog}")
            return con.execute(sql, params or []).fetchall()
        finally:
            con.execute("USE memory")
            con.execute(f"DETACH {catalog}")


def _connection() -> duckdb.DuckDBPyConnection:
    """This process's instance; a forked child makes its own. One thread: nothing else runs in
    the background of a test process."""
    global _instance
    if _instance is None or _instance[0] != os.getpid():
        _instance = (os.getpid(), duckdb.connect(config={"threads": 1}))
    return _instance[1]
