"""X tweet activity CSV, `tweet_activity_metrics_<handle>_<from>_<to>_<lang>.csv` (docs/formats.md
§2): one row per tweet of the brand with its lifetime metrics as of the export.

Every field is quoted; counts are floats (`"1777.0"`) or `-` for none; `time` is
`2021-11-30 16:00 +0000`; text is HTML-escaped and may hold line breaks. Older files say
`favorites` where newer ones say `likes`. The `promoted …` columns repeat the metrics for the
paid reach of a promoted tweet (`-` when the tweet was not promoted).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from learnloop.config import Config
from learnloop.ingest.formats.base import FileSample
from learnloop.ingest.formats.x_analytics import (
    XAnalyticsCsv,
    column_sql,
    handle_from_link_sql,
    header_columns,
    require,
    whole_number_id_sql,
)
from learnloop.ingest.html import decode_entities_sql
from learnloop.ingest.row_errors import fail_file_sql
from learnloop.ingest.timestamps import parse_timestamp_sql

# Raw column -> the headers that carry it (newest spelling first).
_METRICS: dict[str, tuple[str, ...]] = {
    "impressions": ("impressions",),
    "engagements": ("engagements",),
    "retweets": ("retweets",),
    "replies": ("replies",),
    "likes": ("likes", "favorites"),
    "url_clicks": ("url clicks",),
}
# The same metrics for the paid reach of a promoted tweet.
_PROMOTED = {
    f"promoted_{raw}": tuple(f"promoted {header}" for header in headers)
    for raw, headers in _METRICS.items()
}


class XTweetActivity(XAnalyticsCsv):
    markers = ("tweet id", "tweet permalink", "time", "impressions")
    metrics = _METRICS | _PROMOTED

    def select_files_sql(self, paths: Sequence[Path], sample: FileSample, config: Config) -> str:
        columns = header_columns(sample)
        require(columns, "tweet id", "tweet permalink", "tweet text", "time")
        time = column_sql(columns, "time")
        permalink = column_sql(columns, "tweet permalink")
        fields = f"""
                trim({column_sql(columns, "tweet id")}) AS tweet_id,
                {permalink} AS permalink,
                {handle_from_link_sql(permalink)} AS account,
                {decode_entities_sql(column_sql(columns, "tweet text"))} AS text,
                {time} AS time_raw,
                {parse_timestamp_sql(time, config.timezone_for(self.name))} AS published_at"""
        failures = fail_file_sql(
            whole_number_id_sql("tweet_id", "Tweet id"),
            "WHEN published_at IS NULL THEN error('tweet ' || tweet_id"
            " || ' has no parseable time: ' || coalesce(time_raw, 'empty'))",
        )
        return self.rows_sql(paths, columns, fields, failures)
