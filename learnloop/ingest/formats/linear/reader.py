"""Linear issue export CSV (docs/formats.md §3): `ID, Title, Description, Status, ..., Created,
..., Completed, Canceled, ..., Labels, ...` (Settings → Import/Export → Export CSV).

`ID` is the issue key (ENG-42); the export has no URL. Times are ISO instants
(`2026-01-06T10:15:00.000Z`); newer exports write JavaScript's date text
(`Tue Jan 06 2026 10:15:00 GMT+0000 (Coordinated Universal Time)`), read as well.
"""

from __future__ import annotations

from pathlib import Path

from learnloop.config import Config
from learnloop.db import sql_identifier
from learnloop.ingest.csv_files import read_csv_text_sql
from learnloop.ingest.formats.backlog import BACKLOG_COLUMNS, checked_header, header_names
from learnloop.ingest.formats.base import ExportFormat, FileSample
from learnloop.ingest.timestamps import parse_timestamp_sql

MARKERS = ("id", "title", "status", "created", "completed", "canceled")


def linear_timestamp_sql(expression: str, timezone: str) -> str:
    """ISO, else JavaScript's `Tue Jan 06 2026 10:15:00 GMT+0000 (...)`."""
    value = f"nullif(trim({expression}), '')"
    javascript = (
        f"try_strptime(regexp_replace({value}, ' \\(.*\\)$', ''), '%a %b %d %Y %H:%M:%S GMT%z')"
    )
    return f"coalesce({parse_timestamp_sql(value, timezone)}, {javascript})"


class LinearCsv(ExportFormat):
    name = "linear"
    title = "Linear issues CSV"
    raw_table = "linear__issues"
    raw_description = "One row per exported issue."
    column_docs = (
        ("item_key", "The issue key (Jira/Linear) or owner/repo#number (GitHub)."),
        ("created_at", "When the issue was created, as an instant."),
    )
    id_column = "item_key"
    time_column = "created_at"
    columns = BACKLOG_COLUMNS

    def detect(self, sample: FileSample, config: Config) -> bool:
        return all(marker in header_names(sample) for marker in MARKERS)

    def select_sql(self, path: Path, sample: FileSample, config: Config) -> str:
        cells = checked_header(sample, MARKERS)
        timezone = config.timezone_for(self.name)

        def column(name: str) -> str:
            return f"nullif(trim({sql_identifier(name)}), '')" if name.lower() in cells else "NULL"

        return f"""
            SELECT
                {column("ID")} AS item_key,
                {column("ID")} AS item_id,
                NULL AS url,
                {column("Title")} AS title,
                {column("Status")} AS status,
                {column("Created")} AS created_at_raw,
                {linear_timestamp_sql(column("Created"), timezone)} AS created_at,
                {linear_timestamp_sql(column("Completed"), timezone)} AS resolved_at,
                {linear_timestamp_sql(column("Canceled"), timezone)} AS canceled_at,
                {column("Description")} AS description,
                {column("Labels")} AS labels,
                row_number() OVER () AS _source_row
            FROM {read_csv_text_sql(path)}
        """
