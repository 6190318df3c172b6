"""What the backlog export readers share (docs/formats.md §3): their CSV headers.

Every backlog reader yields the same raw columns (each format.yml lists them, and
tests/test_format_insights.py reads all three tables with one list), so the staging models
differ only in how they say which statuses are done (seed backlog_done_statuses) and
what the key looks like.
"""

from __future__ import annotations

from typing import ClassVar

from learnloop.config import Config
from learnloop.db import sql_identifier
from learnloop.errors import FormatError
from learnloop.ingest.csv_files import header_cells, header_names
from learnloop.ingest.formats.base import ExportFormat, FileSample


class BacklogExport(ExportFormat):
    """An issue tracker's export: one raw row per issue (the columns its format.yml lists)."""


class BacklogCsv(BacklogExport):
    """A tracker's CSV export, recognised by column names no other export has together."""

    markers: ClassVar[tuple[str, ...]]  # lower-case header names

    def detect(self, sample: FileSample, config: Config) -> bool:
        names = header_names(sample)
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
