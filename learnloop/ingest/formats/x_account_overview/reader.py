"""X account overview CSV, `account_overview_analytics.csv` (docs/formats.md §2): one row per day,
newest first, with the account's daily totals (impressions, new follows, unfollows, ...).

The file names no account and gives no follower total, only the day's follows and
unfollows. The id of a row is its date as written; its time is 00:00 local on that date (in
the time zone configured for this format, else the reporting zone).
"""

from __future__ import annotations

from pathlib import Path

from learnloop.config import Config
from learnloop.ingest.formats.base import FileSample
from learnloop.ingest.formats.x_analytics import (
    SHARED_METRICS,
    XAnalyticsCsv,
    column_sql,
    header_columns,
    read_csv_sql,
    require,
)
from learnloop.ingest.timestamps import local_midnight_sql

# Raw column -> its header.
_METRICS = {
    **SHARED_METRICS,
    "unfollows": "unfollows",
    "replies": "replies",
    "reposts": "reposts",
    "profile_visits": "profile visits",
    "create_post": "create post",
    "video_views": "video views",
    "media_views": "media views",
}
_HEADERS = {raw: (header,) for raw, header in _METRICS.items()}
DATE_FORMAT = "%a, %b %d, %Y"


class XAccountOverview(XAnalyticsCsv):
    name = "x_account_overview"
    title = "X account overview CSV"
    raw_table = "x_account_overview__days"
    raw_description = "One row per day of the export (the file lists the newest day first)."
    column_docs = (
        ("date_raw", 'The Date as written (e.g. "Tue, Jan 13, 2026"); the row\'s id.'),
        ("day", "The Date as a DATE."),
        ("day_start", "00:00 local on that day (the format's time zone) as an instant."),
    )
    id_column = "date_raw"
    time_column = "day_start"
    markers = ("date", "new follows", "unfollows", "impressions")
    metrics = _HEADERS
    count_columns = tuple(_METRICS)
    columns = (
        ("date_raw", "VARCHAR"),
        ("day", "DATE"),
        ("day_start", "TIMESTAMPTZ"),
        *((metric, "BIGINT") for metric in _METRICS),
    )

    def detect(self, sample: FileSample, config: Config) -> bool:
        # The content export has the same metrics per post; it names a post id.
        return "post id" not in header_columns(sample) and super().detect(sample, config)

    def select_sql(self, path: Path, sample: FileSample, config: Config) -> str:
        columns = header_columns(sample)
        require(columns, "date", "new follows", "unfollows")
        date = f"trim({column_sql(columns, 'date')})"
        # `Sun, Aug 30, 2026` as in the content export; ISO dates are accepted too.
        day = f"coalesce(try_strptime({date}, '{DATE_FORMAT}'), try_cast({date} AS DATE))"
        zone = config.timezone_for(self.name)
        return f"""
            SELECT * FROM (
                SELECT
                    {date} AS date_raw,
                    CAST({day} AS DATE) AS day,
                    {local_midnight_sql(f"CAST({day} AS DATE)", zone)} AS day_start,
                    {self.counts_sql(columns)},
                    row_number() OVER () AS _source_row
                FROM {read_csv_sql(path, columns)}
            )
            WHERE CASE
                WHEN day IS NULL THEN error('the Date ' || coalesce(date_raw, '(empty)')
                                            || ' is not a date like Sun, Aug 30, 2026 (was the file '
                                            || 'saved by a spreadsheet program?)')
                ELSE true
            END
        """
