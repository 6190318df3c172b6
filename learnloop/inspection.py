"""`learnloop inspect`: which format a file is, how many rows it yields, what is wrong.

(Not named inspect.py: that would shadow the standard library module for scripts run here.)
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import duckdb

from learnloop.config import Config
from learnloop.errors import FormatError
from learnloop.ingest.discover import LandedFile, discover
from learnloop.ingest.formats import FileSample
from learnloop.ingest.loader import read_error
from learnloop.ingest.registry import describe_unknown, detect_format


def inspect_file(path: Path, config: Config) -> Iterator[tuple[str, bool]]:
    """One line per readable file (zip members each), and whether it can be loaded."""
    if not path.is_file():
        yield f"{path}: no such file", False
        return
    with tempfile.TemporaryDirectory(prefix="learnloop-inspect-") as scratch:
        folder = Path(scratch) / "landing"
        folder.mkdir()
        (folder / path.name).symlink_to(path.resolve())
        for landed in discover(folder, Path(scratch) / "extract"):
            yield _describe(landed, path, config)


def _describe(landed: LandedFile, path: Path, config: Config) -> tuple[str, bool]:
    name = str(path) + landed.name[len(path.name) :]
    line, ok = _describe_in_scratch(landed, name, config)
    # Messages (DuckDB's among them) name the scratch copy; show the user's file instead.
    return line.replace(str(landed.path), name), ok


def _describe_in_scratch(landed: LandedFile, name: str, config: Config) -> tuple[str, bool]:
    if landed.error:
        return f"{name}: cannot be read: {landed.error}", False
    sample = FileSample.of(landed.path)
    export_format = detect_format(sample, config)
    if export_format is None:
        return f"{name}: {describe_unknown(sample)}", False
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
        return (
            f"{name}: looks like {export_format.title} ({export_format.name}), but {read_error(exc)}",
            False,
        )
    if rows == 0:
        return f"{name}: {export_format.name} ({export_format.title}), but it holds no rows", False
    noun = "row" if rows == 1 else "rows"
    line = f"{name}: {export_format.name} ({export_format.title}), {rows} {noun}"
    if rejects and row and row[1]:
        line += f", {row[1]} rejected (first: row {row[3]}, {row[2]})"
    return line, True
