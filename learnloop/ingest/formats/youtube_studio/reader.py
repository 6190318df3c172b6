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
    name = "youtube_studio_table"
    platform = "youtube"
    title = "YouTube Studio export Table data.csv"
    raw_table = "youtube_studio_table__videos"
    raw_description = "One row per video with the metrics the exported view showed (NULL for the ones it did not), lifetime totals over the view's date range."
    column_docs = (
        ("video_id", "The video id (Content), the leading space of ids starting with - removed."),
        (
            "published_at",
            "Video publish time (a date like Sep 29, 2025) as local midnight (UTC instant).",
        ),
    )
    id_column = "video_id"
    time_column = "published_at"
    time_required = False  # docs/kpis.md: a post without a known publish time is kept
    count_columns = ("views", "impressions", "likes", "comments_added", "shares")
    columns = (
        ("video_id", "VARCHAR"),
        ("video_title", "VARCHAR"),
        ("published_raw", "VARCHAR"),
        ("published_at", "TIMESTAMPTZ"),
        ("duration_seconds", "BIGINT"),
        ("views", "BIGINT"),
        ("watch_time_hours", "DOUBLE"),
        ("subscribers", "BIGINT"),
        ("impressions", "BIGINT"),
        ("impressions_ctr", "DOUBLE"),
        ("average_view_duration_seconds", "BIGINT"),
        ("likes", "BIGINT"),
        ("comments_added", "BIGINT"),
        ("shares", "BIGINT"),
    )

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
            WHERE CASE
                WHEN nullif(video_id, '') IS NULL
                    THEN error('row ' || _source_row || ' has no video id')
                -- A missing publish time is allowed (the post is kept, docs/kpis.md); one that is
                -- there but unreadable means the export is not what we think it is.
                WHEN published_at IS NULL AND nullif(published_raw, '') IS NOT NULL THEN error(
                    'video ' || video_id || ': publish time '''
                    || published_raw || ''' is not like Sep 29, 2025')
                ELSE true
            END
        """


class _StudioDaily(ExportFormat):
    """Shared by Chart data.csv and Totals.csv: a `Date` column and one metric (the last)."""

    platform = "youtube"
    time_column = "day_start"

    def _checked(self, sample: FileSample) -> list[str]:
        header = header_cells(sample)
        if not header or header[0] != "Date":
            raise FormatError("the header does not start with Date")
        return header

    def _day_columns(self, config: Config) -> str:
        return f"""
            trim("Date") AS date_raw,
            {_date_sql('"Date"')} AS date,
            {local_midnight_sql(_date_sql('"Date"'), config.timezone_for(self.name))} AS day_start"""

    @staticmethod
    def _undated_error() -> str:
        return """WHERE CASE
                WHEN day_start IS NULL THEN error(
                    'row ' || _source_row || ': date '
                    || coalesce('''' || date_raw || '''', 'missing')
                    || ' is not YYYY-MM-DD')
                ELSE true
            END"""


class YoutubeStudioChart(_StudioDaily):
    """Loaded so that every file of a Studio export is recognised and kept; no KPI reads the
    per-video daily series yet, so it has no staging model."""

    name = "youtube_studio_chart"
    title = "YouTube Studio export Chart data.csv"
    raw_table = "youtube_studio_chart__daily"
    raw_description = (
        "One row per date and video; metric names the chart's metric, value its figure."
    )
    column_docs = (
        ("row_key", "Date and video id, unique per file."),
        ("date", "The day (local date)."),
        ("video_id", "The video id (Content), the leading space of ids starting with - removed."),
        ("metric", "The chart's metric, as its header names it (e.g. Views)."),
        ("value", "The metric's value on that day."),
    )
    id_column = "row_key"
    columns = (
        ("row_key", "VARCHAR"),
        ("date_raw", "VARCHAR"),
        ("date", "DATE"),
        ("day_start", "TIMESTAMPTZ"),
        ("video_id", "VARCHAR"),
        ("video_title", "VARCHAR"),
        ("metric", "VARCHAR"),
        ("value", "DOUBLE"),
    )

    def detect(self, sample: FileSample, config: Config) -> bool:
        header = header_cells(sample)
        return len(header) >= 3 and header[:2] == ["Date", "Content"]

    def select_sql(self, path: Path, sample: FileSample, config: Config) -> str:
        header = self._checked(sample)
        metric = header[-1]
        title = '"Video title"' if "Video title" in header else "NULL"
        return f"""
            WITH cells AS (
                SELECT *, row_number() OVER () AS _source_row
                FROM {read_csv_text_sql(path)}
            ),
            days AS (
                SELECT
                    trim("Date") || ' ' || trim("Content") AS row_key,
                    {self._day_columns(config)},
                    trim("Content") AS video_id,
                    {title} AS video_title,
                    {sql_literal(metric)} AS metric,
                    {double_sql(sql_identifier(metric))} AS value,
                    _source_row
                FROM cells
            )
            SELECT * FROM days
            {self._undated_error()}
        """


class YoutubeStudioTotals(_StudioDaily):
    name = "youtube_studio_totals"
    title = "YouTube Studio export Totals.csv"
    raw_table = "youtube_studio_totals__daily"
    raw_description = "One row per day; metric names the column (e.g. Subscribers, Views)."
    column_docs = (
        ("date_raw", "Date as written (YYYY-MM-DD; DD-MM-YYYY also seen)."),
        ("date", "The day (local date)."),
        ("metric", "The exported metric, as the header names it."),
        (
            "value",
            "The channel's figure that day (Subscribers is the day's net change and can be negative).",
        ),
    )
    id_column = "date_raw"
    columns = (
        ("date_raw", "VARCHAR"),
        ("date", "DATE"),
        ("day_start", "TIMESTAMPTZ"),
        ("metric", "VARCHAR"),
        ("value", "DOUBLE"),
    )

    def detect(self, sample: FileSample, config: Config) -> bool:
        header = header_cells(sample)
        return len(header) == 2 and header[0] == "Date" and header[1] in STUDIO_METRICS

    def select_sql(self, path: Path, sample: FileSample, config: Config) -> str:
        metric = self._checked(sample)[1]
        return f"""
            WITH cells AS (
                SELECT *, row_number() OVER () AS _source_row
                FROM {read_csv_text_sql(path)}
            ),
            days AS (
                SELECT
                    {self._day_columns(config)},
                    {sql_literal(metric)} AS metric,
                    {double_sql(sql_identifier(metric))} AS value,
                    _source_row
                FROM cells
            )
            SELECT * FROM days
            {self._undated_error()}
        """
