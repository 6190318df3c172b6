"""X (Twitter) archive tweets, `data/tweets.js` (also `tweet.js`, `tweets-part1.js`;
docs/formats.md §2): the account's own tweets, replies and retweets.

`window.YTD.tweets.part0 = [{"tweet":{"id_str", "full_text", "created_at":
"Fri Mar 06 13:02:05 +0000 2026", "in_reply_to_status_id_str", "in_reply_to_screen_name",
"favorite_count", "retweet_count", "lang", ...}}]`, every number a string. Older archives
(tweet.js) list the tweet objects without the `tweet` wrapper. Which tweets are posts and
which are the brand's replies is decided in staging.
"""

from __future__ import annotations

from pathlib import Path

from learnloop.config import Config
from learnloop.ingest.formats.base import ExportFormat, FileSample
from learnloop.ingest.formats.x_archive import ytd_items_sql, ytd_prefix
from learnloop.ingest.html import decode_entities_sql

_PREFIX = ytd_prefix("tweets?")
# Twitter's classic API time format, which the archive keeps.
CREATED_AT_FORMAT = "%a %b %d %H:%M:%S %z %Y"


class XArchiveTweets(ExportFormat):
    name = "x_archive_tweets"
    platform = "x"
    title = "X archive tweets.js"
    raw_table = "x_archive_tweets__tweets"
    raw_description = "One row per tweet the account wrote or retweeted."
    column_docs = (
        ("tweet_id", "id_str of the tweet."),
        ("created_at", "created_at of the tweet (UTC instant)."),
    )
    id_column = "tweet_id"
    time_column = "created_at"
    count_columns = ("favorite_count", "retweet_count")
    columns = (
        ("tweet_id", "VARCHAR"),
        ("text", "VARCHAR"),
        ("lang", "VARCHAR"),
        ("created_at_raw", "VARCHAR"),
        ("created_at", "TIMESTAMPTZ"),
        ("in_reply_to_status_id", "VARCHAR"),
        ("in_reply_to_user_id", "VARCHAR"),
        ("in_reply_to_screen_name", "VARCHAR"),
        ("favorite_count", "BIGINT"),
        ("retweet_count", "BIGINT"),
    )

    def detect(self, sample: FileSample, config: Config) -> bool:
        return bool(_PREFIX.match(sample.text))

    def select_sql(self, path: Path, sample: FileSample, config: Config) -> str:
        def field(name: str) -> str:
            return f"json_extract_string(tweet, '$.{name}')"

        return f"""
            SELECT * FROM (
                SELECT
                    coalesce({field("id_str")}, {field("id")}) AS tweet_id,
                    {decode_entities_sql(field("full_text"))} AS text,
                    {field("lang")} AS lang,
                    {field("created_at")} AS created_at_raw,
                    try_strptime({field("created_at")}, '{CREATED_AT_FORMAT}') AS created_at,
                    {field("in_reply_to_status_id_str")} AS in_reply_to_status_id,
                    {field("in_reply_to_user_id_str")} AS in_reply_to_user_id,
                    {field("in_reply_to_screen_name")} AS in_reply_to_screen_name,
                    try_cast({field("favorite_count")} AS BIGINT) AS favorite_count,
                    try_cast({field("retweet_count")} AS BIGINT) AS retweet_count,
                    item_number AS _source_row
                FROM (
                    SELECT coalesce(json_extract(item, '$.tweet'), item) AS tweet, item_number
                    FROM ({ytd_items_sql(path)})
                )
            )
            WHERE CASE
                WHEN tweet_id IS NULL THEN error('a tweet has no id_str')
                WHEN created_at IS NULL THEN error(
                    'tweet ' || tweet_id || ' has no created_at like Fri Mar 06 13:02:05 +0000 2026'
                )
                ELSE true
            END
        """
