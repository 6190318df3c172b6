"""`learnloop inspect`: which format a file is, how many rows it yields, what is wrong.

The named file is treated as a landed one: a link is not followed, a pipe is not opened, and
the readers read a copy in a scratch folder inside the home (removed afterwards), so what
inspect says is what a run would do with the file.

(Not named inspect.py: that would shadow the standard library module for scripts run here.)
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import duckdb

from learnloop.config import Config
from learnloop.errors import FormatError
from learnloop.ingest.discover import LandedFile, read_entry
from learnloop.ingest.formats import FileSample
from learnloop.ingest.landing import Entry, refusal_of
from learnloop.ingest.loader import read_error
from learnloop.ingest.names import KeptPaths, display
from learnloop.ingest.registry import recognise


def inspect_file(path: Path, config: Config) -> Iterator[tuple[str, bool]]:
    """One line per readable file (zip members each), and whether it can be loaded."""
    shown = display(str(path))
    try:
        status = os.lstat(path)
    except OSError:
        yield f"{shown}: no such file", False
        return
    refusal = refusal_of("", status)  # a hidden name is fine when a person names the file
    if stat.S_ISDIR(status.st_mode):
        yield f"{shown}: is a folder; name the files in it", False
        return
    with tempfile.TemporaryDirectory(prefix="inspect-", dir=config.home.build) as scratch:
        entry = Entry(path, (path.name,), status, refusal)
        landed = read_entry(entry, shown, Path(scratch), "inspected", KeptPaths())
        for one in landed or []:
            yield _describe(one, config)
        if landed is None:
            yield f"{shown}: changed while it was read; inspect it again", False


def _describe(landed: LandedFile, config: Config) -> tuple[str, bool]:
    line, ok = _describe_copy(landed, config)
    # Messages (DuckDB's among them) name the scratch copy; show the user's file instead.
    return (line.replace(str(landed.path), landed.name) if landed.path else line), ok


def _describe_copy(landed: LandedFile, config: Config) -> tuple[str, bool]:
    name = landed.name
    if landed.error or landed.path is None:
        return f"{name}: cannot be read: {landed.error}", False
    sample = FileSample.of(landed.path, name)
    export_format, problem = recognise(
        sample, config, landed.first_nul, member=landed.member is not None
    )
    if export_format is None:
        return f"{name}: {problem}", False
    title = f"{export_format.title} ({export_format.name})"
    if problem:
        return f"{name}: looks like {title}, but {problem}", False
    # Hand-edited learning sources keep bad rows with a reason instead of failing the file.
    rejects = "rejection_reason" in dict(export_format.columns)
    rejected_sql = (
        ", count(rejection_reason), arg_min(rejection_reason, _source_row), "
        "min(_source_row) FILTER (WHERE rejection_reason IS NOT NULL)"
        if rejects
        else ""
    )
    try:
        query = export_format.select_sql(landed.path, sample, config)
        with duckdb.connect() as con:
            row = con.execute(f"SELECT count(*){rejected_sql} FROM ({query})").fetchone()
        rows = int(row[0]) if row else 0
    except (FormatError, duckdb.Error) as exc:
        return f"{name}: looks like {title}, but {read_error(exc, landed.path)}", False
    if rows == 0:
        return f"{name}: {export_format.name} ({export_format.title}), but it holds no rows", False
    noun = "row" if rows == 1 else "rows"
    line = f"{name}: {export_format.name} ({export_format.title}), {rows} {noun}"
    if rejects and row and row[1]:
        line += f", {row[1]} rejected (first: row {row[3]}, {row[2]})"
    return line, True
