"""Jira issue export CSV (docs/formats.md §3).

`Summary, Issue key, Issue id, Issue Type, Status, Created, Updated, Resolved, Description,
Labels, Labels, ...`: one `Labels` column per label of the issue with the most labels
(DuckDB names the repeats Labels_1, Labels_2, ...). Dates are written in the exporting
user's format, by default `27/Nov/26 10:15 AM`, a local time ([timezones] jira, else
`timezone`); ISO dates are read too.
"""

from __future__ import annotations

from pathlib import Path

from learnloop.config import Config
from learnloop.db import sql_identifier, sql_literal
from learnloop.ingest.csv_files import read_csv_text_sql
from learnloop.ingest.formats.backlog import BacklogCsv, text_column_sql
from learnloop.ingest.formats.base import FileSample
from learnloop.ingest.timestamps import parse_timestamp_sql

MARKERS = ("summary", "issue key", "issue id", "status", "created")
JIRA_DATE_FORMAT = "%d/%b/%y %I:%M %p"


def jira_timestamp_sql(expression: str, timezone: str) -> str:
    """Jira's default `27/Nov/26 10:15 AM` as local time, else any ISO form."""
    value = f"nullif(trim({expression}), '')"
    return (
        f"coalesce(timezone({sql_literal(timezone)}, "
        f"try_strptime({value}, {sql_literal(JIRA_DATE_FORMAT)})), "
        f"{parse_timestamp_sql(value, timezone)})"
    )


class JiraCsv(BacklogCsv):
    name = "jira"
    title = "Jira issues CSV"
    raw_table = "jira__issues"
    markers = MARKERS

    def select_sql(self, path: Path, sample: FileSample, config: Config) -> str:
        cells = self.checked_header(sample)
        timezone = config.timezone_for(self.name)
        label_count = cells.count("labels")
        labels = [sql_identifier("Labels" if n == 0 else f"Labels_{n}") for n in range(label_count)]
        labels_sql = f"nullif(concat_ws(', ', {', '.join(labels)}), '')" if labels else "NULL"

        def column(name: str) -> str:
            return text_column_sql(cells, name)

        return f"""
            SELECT
                {column("Issue key")} AS item_key,
                {column("Issue id")} AS item_id,
                NULL AS url,
                {column("Summary")} AS title,
                {column("Status")} AS status,
                {column("Created")} AS created_at_raw,
                {jira_timestamp_sql(column("Created"), timezone)} AS created_at,
                {jira_timestamp_sql(column("Resolved"), timezone)} AS resolved_at,
                NULL AS canceled_at,
                {column("Description")} AS description,
                {labels_sql} AS labels,
                row_number() OVER () AS _source_row
            FROM {read_csv_text_sql(path)}
        """
