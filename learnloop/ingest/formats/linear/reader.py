"""Linear issue export CSV (docs/formats.md §3): `ID, Title, Description, Status, ..., Created,
..., Completed, Canceled, ..., Labels, ...` (Settings → Import/Export → Export CSV).

`ID` is the issue key (ENG-42); the export has no URL. Times are ISO instants
(`2026-01-06T10:15:00.000Z`); newer exports write JavaScript's date text
(`Tue Jan 06 2026 10:15:00 GMT+0000 (Coordinated Universal Time)`), read as well.
"""

from __future__ import annotations

from pathlib import Path

from learnloop.config import Config
from learnloop.ingest.csv_files import read_csv_text_sql
from learnloop.ingest.formats.backlog import BacklogCsv, text_column_sql
from learnloop.ingest.formats.base import FileSample
from learnloop.ingest.timestamps import parse_timestamp_sql

MARKERS = ("id", "title", "status", "created", "completed", "canceled")


def linear_timestamp_sql(expression: str, timezone: str) -> str:
    """ISO, else JavaScript's `Tue Jan 06 2026 10:15:00 GMT+0000 (...)`."""
    value = f"nullif(trim({expression}), '')"
    javascript = (
        f"try_strptime(regexp_replace({value}, ' \\(.*\\)$', ''), '%a %b %d %Y %H:%M:%S GMT%z')"
    )
    return f"coalesce({parse_timestamp_sql(value, timezone)}, {javascript})"


class LinearCsv(BacklogCsv):
    name = "linear"
    title = "Linear issues CSV"
    raw_table = "linear__issues"
    markers = MARKERS

    def select_sql(self, path: Path, sample: FileSample, config: Config) -> str:
        cells = self.checked_header(sample)
        timezone = config.timezone_for(self.name)

        def column(name: str) -> str:
            return text_column_sql(cells, name)

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
