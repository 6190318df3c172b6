"""X analytics content CSV, `account_analytics_content_<from>_<to>.csv` (docs/formats.md §2): one
row per post of the account with its lifetime metrics as of the export.

`Date` holds only the day (`Sun, Aug 30, 2026`); the exact publish time is in the post id,
an X snowflake. `Shares` counts shares via DM, link or share sheet; `Reposts` are X's
retweets (staging decides which metric is which).
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
    handle_from_link_sql,
    header_columns,
    one_header_each,
    require,
    snowflake_time_sql,
    whole_number_id_sql,
)
from learnloop.ingest.html import decode_entities_sql
from learnloop.ingest.row_errors import fail_file_sql

# Raw column -> its header.
_METRICS = {
    **SHARED_METRICS,
    "replies": "replies",
    "reposts": "reposts",
    "profile_visits": "profile visits",
    "url_clicks": "url clicks",
}


class XAnalyticsContent(XAnalyticsCsv):
    markers = ("post id", "post link", "impressions")
    metrics = one_header_each(_METRICS)

    def select_files_sql(self, paths: Sequence[Path], sample: FileSample, config: Config) -> str:
        columns = header_columns(sample)
        require(columns, "post id", "date", "post text", "post link")
        post_id = f"trim({column_sql(columns, 'post id')})"
        link = column_sql(columns, "post link")
        date = column_sql(columns, "date")
        fields = f"""
                    {post_id} AS post_id,
                    {link} AS permalink,
                    {handle_from_link_sql(link)} AS account,
                    {decode_entities_sql(column_sql(columns, "post text"))} AS text,
                    {date} AS date_raw,
                    CAST(try_strptime(trim({date}), '{DATE_FORMAT}') AS DATE) AS post_date,
                    {snowflake_time_sql(post_id)} AS published_at"""
        # The id is the time: a spreadsheet that rounded it (1.88E+18) broke both.
        failures = fail_file_sql(whole_number_id_sql("post_id", "Post id"))
        return self.rows_sql(paths, columns, fields, failures)
