"""X analytics content CSV, `account_analytics_content_<from>_<to>.csv` (docs/formats.md §2): one
row per post of the account with its lifetime metrics as of the export.

`Date` holds only the day (`Sun, Aug 30, 2026`); the exact publish time is in the post id,
an X snowflake. `Shares` counts shares via DM, link or share sheet; `Reposts` are X's
retweets (staging decides which metric is which).
"""

from __future__ import annotations

from pathlib import Path

from learnloop.config import Config
from learnloop.ingest.formats.base import FileSample
from learnloop.ingest.formats.x_analytics import (
    SHARED_METRICS,
    XAnalyticsCsv,
    column_sql,
    handle_from_link_sql,
    header_columns,
    read_csv_sql,
    require,
    snowflake_time_sql,
    whole_number_id_sql,
)
from learnloop.ingest.html import decode_entities_sql

# Raw column -> its header.
_METRICS = {
    **SHARED_METRICS,
    "replies": "replies",
    "reposts": "reposts",
    "profile_visits": "profile visits",
    "url_clicks": "url clicks",
}
_HEADERS = {raw: (header,) for raw, header in _METRICS.items()}
DATE_FORMAT = "%a, %b %d, %Y"


class XAnalyticsContent(XAnalyticsCsv):
    name = "x_analytics_content"
    title = "X analytics content CSV"
    raw_table = "x_analytics_content__posts"
    raw_description = "One row per post of the export."
    column_docs = (
        ("post_id", "The post id (as text; X ids exceed a double's precision)."),
        (
            "published_at",
            "When the post was created, from the id (an X snowflake: (id >> 22) + 1288834974657 ms since 1970), as the Date column holds only the day.",
        ),
        ("shares", "Shares via DM, link or share sheet (not reposts)."),
        ("reposts", "Reposts (retweets)."),
    )
    id_column = "post_id"
    time_column = "published_at"
    markers = ("post id", "post link", "impressions")
    metrics = _HEADERS
    count_columns = tuple(_METRICS)
    columns = (
        ("post_id", "VARCHAR"),
        ("permalink", "VARCHAR"),
        ("account", "VARCHAR"),
        ("text", "VARCHAR"),
        ("date_raw", "VARCHAR"),
        ("post_date", "DATE"),
        ("published_at", "TIMESTAMPTZ"),
        *((metric, "BIGINT") for metric in _METRICS),
    )

    def select_sql(self, path: Path, sample: FileSample, config: Config) -> str:
        columns = header_columns(sample)
        require(columns, "post id", "date", "post text", "post link")
        post_id = f"trim({column_sql(columns, 'post id')})"
        link = column_sql(columns, "post link")
        date = column_sql(columns, "date")
        return f"""
            SELECT * FROM (
                SELECT
                    {post_id} AS post_id,
                    {link} AS permalink,
                    {handle_from_link_sql(link)} AS account,
                    {decode_entities_sql(column_sql(columns, "post text"))} AS text,
                    {date} AS date_raw,
                    CAST(try_strptime(trim({date}), '{DATE_FORMAT}') AS DATE) AS post_date,
                    {snowflake_time_sql(post_id)} AS published_at,
                    {self.counts_sql(columns)},
                    row_number() OVER () AS _source_row
                FROM {read_csv_sql(path, columns)}
            )
            -- The id is the time: a spreadsheet that rounded it (1.88E+18) broke both.
            WHERE CASE
                {whole_number_id_sql("post_id", "Post id")}
                ELSE true
            END
        """
