"""YouTube Studio analytics export, zipped or loose (docs/formats.md §2).

Studio's "Export current view" gives three CSV files, siblings in the zip, each read on its
own (each is its own landed file):
- `Table data.csv`: one row per video (`Content` = video id, `Video title`, `Video publish
  time` like `Sep 29, 2025`, `Duration`, then the metrics the view shows, e.g. `Views`,
  `Watch time (hours)`, `Subscribers`, `Impressions`, `Impressions click-through rate (%)`,
  `Average view duration` as `0:04:04`). Its first data row is the `Total` of the view.
- `Chart data.csv`: `Date`, the dimension (`Content` and the video's columns) and one metric.
- `Totals.csv`: `Date,<metric>`, the channel's daily figure (e.g. `Subscribers`, the day's
  net change).
Ids that start with `-` carry a leading space (a guard against spreadsheet formulas).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from learnloop.config import Config
from learnloop.db import sql_identifier, sql_literal
from learnloop.errors import FormatError
from learnloop.ingest.csv_files import header_cells, read_csv_text_sql
from learnloop.ingest.formats.base import ExportFormat, FileSample
from learnloop.ingest.numbers import count_sql, double_sql
from learnloop.ingest.row_errors import fail_file_sql
from learnloop.ingest.timestamps import local_midnight_sql

# The metrics of Table data.csv that LearnLoop keeps: raw column -> header. Others are left.
TABLE_METRICS: Mapping[str, str] = {
    "views": "Views",
    "watch_time_hours": "Watch time (hours)",
    "subscribers": "Subscribers",
    "impressions": "Impressions",
    "impressions_ctr": "Impressions click-through rate (%)",
    "average_view_duration_seconds": "Average view duration",
    "likes": "Likes",
    "comments_added": "Comments added",
    "shares": "Shares",
}
DOUBLE_METRICS = ("watch_time_hours", "impressions_ctr")
# Studio's metric names that a `Totals.csv` second column may carry: this keeps a generic
# two-column `Date,...` CSV from looking like a Studio export.
STUDIO_METRICS = frozenset(
    {
        *TABLE_METRICS.values(),
        "Subscribers gained",
        "Subscribers lost",
        "Dislikes",
        "Unique viewers",
        "Returning viewers",
        "New viewers",
        "Average percentage viewed (%)",
        "Estimated revenue (USD)",
        "Engaged views",
        "Stayed to watch (%)",
        "Playlist views",
        "Videos added",
    }
)


def _date_sql(expression: str) -> str:
    # Studio writes ISO dates; Totals.csv has also been seen with DD-MM-YYYY.
    value = f"trim({expression})"
    return (
        f"CAST(coalesce(try_strptime({value}, '%Y-%m-%d'), try_strptime({value}, '%d-%m-%Y'))"
        " AS DATE)"
    )


class YoutubeStudioTable(ExportFormat):
    def detect(self, sample: FileSample, config: Config) -> bool:
        header = header_cells(sample)
        return header[:2] == ["Content", "Video title"]

    def select_sql(self, path: Path, sample: FileSample, config: Config) -> str:
        header = header_cells(sample)
        if "Video publish time" not in header:
            raise FormatError("the header lacks the column Video publish time")

        def metric(column: str) -> str:
            name = TABLE_METRICS[column]
            if name not in header:
                return "NULL"
            if column == "average_view_duration_seconds":
                # `0:04:04` (h:mm:ss) is an interval to DuckDB.
                return f"CAST(epoch(try_cast(trim({sql_identifier(name)}) AS INTERVAL)) AS BIGINT)"
            number = double_sql if column in DOUBLE_METRICS else count_sql
            return number(sql_identifier(name))

        metrics = ",\n".join(f"{metric(column)} AS {column}" for column in TABLE_METRICS)
        duration = count_sql('"Duration"') if "Duration" in header else "NULL"
        published = """trim("Video publish time")"""
        zone_midnight = local_midnight_sql(
            f"try_strptime({published}, '%b %d, %Y')", config.timezone_for(self.name)
        )
        failures = fail_file_sql(
            "WHEN nullif(video_id, '') IS NULL"
            " THEN error('row ' || _source_row || ' has no video id')",
            # A missing publish time is allowed (the post is kept, docs/kpis.md); one that is
            # there but unreadable means the export is not what we think it is.
            "WHEN published_at IS NULL AND nullif(published_raw, '') IS NOT NULL THEN error("
            "'video ' || video_id || ': publish time ''' || published_raw"
            " || ''' is not like Sep 29, 2025')",
        )
        return f"""
            WITH cells AS (
                SELECT *, row_number() OVER () AS _source_row
                FROM {read_csv_text_sql(path)}
            ),
            videos AS (
                SELECT
                    -- Ids that start with '-' are written with a leading space.
                    trim("Content") AS video_id,
                    "Video title" AS video_title,
                    {published} AS published_raw,
                    {zone_midnight} AS published_at,
                    {duration} AS duration_seconds,
                    {metrics},
                    _source_row
                FROM cells
                -- The first data row sums the view; it is no video.
                WHERE trim("Content") IS DISTINCT FROM 'Total'
            )
            SELECT * FROM videos
            {failures}
        """


class _StudioDaily(ExportFormat):
    """Shared by Chart data.csv and Totals.csv: a `Date` column and one metric (the last)."""

    def _checked(self, sample: FileSample) -> list[str]:
        header = header_cells(sample)
        if not header or header[0] != "Date":
            raise FormatError("the header does not start with Date")
        return header

    def _days_sql(self, path: Path, config: Config, fields: str) -> str:
        """The query over the file: each line's date (as written, as a date, its local
        midnight), the format's own `fields` and its number; a line without a readable date
        fails the file."""
        date = _date_sql('"Date"')
        failures = fail_file_sql(
            "WHEN day_start IS NULL THEN error('row ' || _source_row || ': date '"
            " || coalesce('''' || date_raw || '''', 'missing') || ' is not YYYY-MM-DD')"
        )
        return f"""
            WITH cells AS (
                SELECT *, row_number() OVER () AS _source_row
                FROM {read_csv_text_sql(path)}
            ),
            days AS (
                SELECT
                    trim("Date") AS date_raw,
                    {date} AS date,
                    {local_midnight_sql(date, config.timezone_for(self.name))} AS day_start,
                    {fields},
                    _source_row
                FROM cells
            )
            SELECT * FROM days
            {failures}
        """


class YoutubeStudioChart(_StudioDaily):
    """Loaded so that every file of a Studio export is recognised and kept; no KPI reads the
    per-video daily series yet, so it has no staging model."""

    def detect(self, sample: FileSample, config: Config) -> bool:
        header = header_cells(sample)
        return len(header) >= 3 and header[:2] == ["Date", "Content"]

    def select_sql(self, path: Path, sample: FileSample, config: Config) -> str:
        header = self._checked(sample)
        metric = header[-1]
        title = '"Video title"' if "Video title" in header else "NULL"
        fields = f"""
                    trim("Date") || ' ' || trim("Content") AS row_key,
                    trim("Content") AS video_id,
                    {title} AS video_title,
                    {sql_literal(metric)} AS metric,
                    {double_sql(sql_identifier(metric))} AS value"""
        return self._days_sql(path, config, fields)


class YoutubeStudioTotals(_StudioDaily):
    def detect(self, sample: FileSample, config: Config) -> bool:
        header = header_cells(sample)
        return len(header) == 2 and header[0] == "Date" and header[1] in STUDIO_METRICS

    def select_sql(self, path: Path, sample: FileSample, config: Config) -> str:
        metric = self._checked(sample)[1]
        fields = f"""
                    {sql_literal(metric)} AS metric,
                    {double_sql(sql_identifier(metric))} AS value"""
        return self._days_sql(path, config, fields)
