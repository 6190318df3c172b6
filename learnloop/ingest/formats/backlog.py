"""What the backlog export readers share (docs/formats.md §3): the raw columns and CSV headers.

Every backlog reader yields the same raw columns, so the staging models differ only in how
they say which statuses are done (seed backlog_done_statuses) and what the key looks like.
"""

from __future__ import annotations

from typing import ClassVar

from learnloop.config import Config
from learnloop.db import sql_identifier
from learnloop.errors import FormatError
from learnloop.ingest.csv_files import header_cells
from learnloop.ingest.formats.base import ExportFormat, FileSample

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


class BacklogExport(ExportFormat):
    """An issue tracker's export: one raw row per issue, in BACKLOG_COLUMNS."""

    platform = None  # work items, no platform's
    raw_description = "One row per exported issue."
    column_docs = (
        ("item_key", "The issue key (Jira/Linear) or owner/repo#number (GitHub)."),
        ("created_at", "When the issue was created, as an instant."),
    )
    id_column = "item_key"
    time_column = "created_at"
    columns = BACKLOG_COLUMNS


class BacklogCsv(BacklogExport):
    """A tracker's CSV export, recognised by column names no other export has together."""

    markers: ClassVar[tuple[str, ...]]  # lower-case header names

    def detect(self, sample: FileSample, config: Config) -> bool:
        names = {cell.lower() for cell in header_cells(sample)}
        return all(marker in names for marker in self.markers)

    def checked_header(self, sample: FileSample) -> list[str]:
        """The CSV header cells (lower case), or a FormatError naming the columns it lacks."""
        cells = [cell.lower() for cell in header_cells(sample)]
        if not all(marker in cells for marker in self.markers):
            raise FormatError(f"the header needs the columns {', '.join(self.markers)}")
        return cells


def text_column_sql(cells: list[str], name: str) -> str:
    """The trimmed text of the column `name` (any case), NULL when empty or not in `cells`."""
    return f"nullif(trim({sql_identifier(name)}), '')" if name.lower() in cells else "NULL"
