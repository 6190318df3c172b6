"""X account overview CSV, `account_overview_analytics.csv` (docs/formats.md §2): one row per day,
newest first, with the account's daily totals (impressions, new follows, unfollows, ...).

The file names no account and gives no follower total, only the day's follows and
unfollows. The id of a row is its date as written; its time is 00:00 local on that date (in
the time zone configured for this format, else the reporting zone).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from learnloop.config import Config
from learnloop.ingest.formats.base import FileSample
from learnloop.ingest.formats.x_analytics import (
    DATE_FORMAT,
    SHARED_METRICS,
    XAnalyticsCsv,
    column_sql,
    header_columns,
    one_header_each,
    require,
)
from learnloop.ingest.row_errors import fail_file_sql
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


class XAccountOverview(XAnalyticsCsv):
    markers = ("date", "new follows", "unfollows", "impressions")
    metrics = one_header_each(_METRICS)

    def detect(self, sample: FileSample, config: Config) -> bool:
        # The content export has the same metrics per post; it names a post id.
        return "post id" not in header_columns(sample) and super().detect(sample, config)

    def select_files_sql(self, paths: Sequence[Path], sample: FileSample, config: Config) -> str:
        columns = header_columns(sample)
        require(columns, "date", "new follows", "unfollows")
        date = f"trim({column_sql(columns, 'date')})"
        # `Sun, Aug 30, 2026` as in the content export; ISO dates are accepted too.
        day = f"coalesce(try_strptime({date}, '{DATE_FORMAT}'), try_cast({date} AS DATE))"
        zone = config.timezone_for(self.name)
        fields = f"""
                    {date} AS date_raw,
                    CAST({day} AS DATE) AS day,
                    {local_midnight_sql(f"CAST({day} AS DATE)", zone)} AS day_start"""
        failures = fail_file_sql(
            "WHEN day IS NULL THEN error('the Date ' || coalesce(date_raw, '(empty)')"
            " || ' is not a date like Sun, Aug 30, 2026 (was the file '"
            " || 'saved by a spreadsheet program?)')"
        )
        return self.rows_sql(paths, columns, fields, failures)
