"""What the CSV readers share: the header row (read in Python, to pick columns by name) and
DuckDB's read_csv with every cell as text (typing happens in the readers' SQL)."""

from __future__ import annotations

import csv
import functools
import io
from pathlib import Path

from learnloop.db import sql_literal
from learnloop.ingest.formats.base import FileSample


def header_cells(sample: FileSample) -> list[str]:
    """The cells of the file's first line, without surrounding spaces, as written; [] for a
    file that is empty or starts with a blank line. Only the header is read in Python."""
    return list(_header_row(sample))


# Parsed once per file: a dozen detectors ask for the header of every landed file, and at a
# million rows parsing it again was a twelfth of the ingest task (bench/scale.py).
@functools.lru_cache(maxsize=8)
def _header_row(sample: FileSample) -> tuple[str, ...]:
    first_line = sample.text.splitlines()[0] if sample.text.strip() else ""
    return tuple(cell.strip() for cell in next(csv.reader(io.StringIO(first_line)), []))


def header_names(sample: FileSample) -> frozenset[str]:
    """The header's cells in lower case: the names detectors look for."""
    return _header_names(sample)


# Lowered once per file: a JSON export's first line has thousands of "cells", which each
# CSV detector lowered again.
@functools.lru_cache(maxsize=8)
def _header_names(sample: FileSample) -> frozenset[str]:
    return frozenset(cell.lower() for cell in _header_row(sample))


def read_csv_text_sql(path: Path | str, **options: str) -> str:
    """`read_csv(...)` of a file with a header row, every cell VARCHAR; `options` are more
    read_csv parameters as SQL (e.g. `skip="2"`, `delim="','"`)."""
    extra = "".join(f", {name} = {value}" for name, value in options.items())
    return (
        f"read_csv({sql_literal(str(path))}, header = true, all_varchar = true, "
        f"quote = '\"', escape = '\"'{extra})"
    )
