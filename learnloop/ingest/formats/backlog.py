"""What the backlog export readers share (docs/formats.md §3): the raw columns and CSV headers.

Every backlog reader yields the same raw columns, so the staging models differ only in how
they say which statuses are done (seed backlog_done_statuses) and what the key looks like.
"""

from __future__ import annotations

from learnloop.errors import FormatError
from learnloop.ingest.csv_files import header_cells
from learnloop.ingest.formats.base import FileSample

BACKLOG_COLUMNS: tuple[tuple[str, str], ...] = (
    ("item_key", "VARCHAR"),
    ("item_id", "VARCHAR"),
    ("url", "VARCHAR"),
    ("title", "VARCHAR"),
    ("status", "VARCHAR"),
    ("created_at_raw", "VARCHAR"),
    ("created_at", "TIMESTAMPTZ"),
    ("resolved_at", "TIMESTAMPTZ"),
    ("canceled_at", "TIMESTAMPTZ"),
    ("description", "VARCHAR"),
    ("labels", "VARCHAR"),
)


def header_names(sample: FileSample) -> set[str]:
    return {cell.lower() for cell in header_cells(sample)}


def checked_header(sample: FileSample, markers: tuple[str, ...]) -> list[str]:
    """The CSV header cells (lower case), or a FormatError naming the columns it lacks."""
    cells = [cell.lower() for cell in header_cells(sample)]
    if not all(marker in cells for marker in markers):
        raise FormatError(f"the header needs the columns {', '.join(markers)}")
    return cells
