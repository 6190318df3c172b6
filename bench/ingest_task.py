"""The ingest task alone, on the files already in $LEARNLOOP_HOME/landing/, timed by part.

Run by `bench/scale.py --ingest-only` in its own process (its peak RSS is sampled there):
it starts a run and discovers the landed files as `learnloop run` does (not timed), then
does what the pipeline's ingest task does (open the build database, `load_files`) and
prints one JSON object: the seconds of the whole task and of its SQL by kind (the raw
INSERTs, the per-file row counts, the manifest rows, BEGIN/COMMIT/ROLLBACK, other
statements); what is left is Python (detection, building the reader queries).
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any


class TimedConnection:
    """A DuckDB connection whose `execute` calls are timed by the kind of statement."""

    def __init__(self, con: Any, seconds: Counter[str]) -> None:
        self._con = con
        self._seconds = seconds

    def execute(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return self._con.execute(sql, *args, **kwargs)
        finally:
            self._seconds[kind_of(sql)] += time.perf_counter() - started

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


def kind_of(sql: str) -> str:
    words = " ".join(sql.split()[:3]).upper()
    if words.startswith(("BEGIN", "COMMIT", "ROLLBACK")):
        return "transactions"
    if words.startswith("INSERT INTO RAW."):
        return "insert " + sql.split()[2].removeprefix("raw.")
    if words.startswith("INSERT INTO OPS.LOAD_MANIFEST"):
        return "manifest"
    if words.startswith("CHECKPOINT"):
        return "checkpoint"
    if words.startswith("SELECT _SOURCE_FILE"):
        return "rows per file"
    return "other SQL"


def main() -> None:
    from learnloop.build import start_run
    from learnloop.config import load_config
    from learnloop.db import connect
    from learnloop.ingest.discover import discover
    from learnloop.ingest.loader import load_files

    timed = "--by-part" in sys.argv
    config = load_config()
    context = start_run(config)
    started = time.perf_counter()
    files = discover(config.home.landing, Path(context.run_dir) / "files", settle_seconds=0)
    discover_seconds = time.perf_counter() - started
    seconds: Counter[str] = Counter()
    started = time.perf_counter()
    with connect(context.database_path) as con:
        summary = load_files(
            TimedConnection(con, seconds) if timed else con,  # type: ignore[arg-type]
            files,
            config,
            context.run_key,
        ).as_dict()
    total = time.perf_counter() - started
    parts = dict(seconds)
    parts["python"] = total - sum(seconds.values())
    print(
        json.dumps(
            {
                "ingest": total,
                "discover": discover_seconds,
                "parts": parts if timed else {},
                "summary": summary,
            }
        )
    )


if __name__ == "__main__":
    main()
