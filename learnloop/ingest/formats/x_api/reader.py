"""X API v2 tweets JSON: search and conversation lookups (docs/formats.md §1).

Accepts one response (`{"data":[tweet...], "includes":{"users":[...]}, "meta":{...}}`, or a
single-tweet lookup whose `data` is one tweet), a JSON array of responses (pages), or JSON
Lines of responses or of tweets that carry their author inline (twarc2 `flatten`). Every
tweet in `data` becomes one row; `includes.tweets` (referenced tweets) are not loaded: they
are the context of the result, not the result.

Which tweets are the brand's (its posts vs. its replies) is decided in staging against the
configured `[brand] x` accounts, not here: raw rows stay as the file says, and a later
change of the configuration re-splits tweets already loaded.
"""

from __future__ import annotations

import re
from pathlib import Path

from learnloop.config import Config
from learnloop.ingest.formats.base import ExportFormat, FileSample
from learnloop.ingest.html import decode_entities_sql
from learnloop.ingest.json_files import read_json_objects_sql
from learnloop.ingest.timestamps import parse_timestamp_sql

# author_id is X-only among the JSON formats (Instagram says username, Facebook from.id).
_MARKER = re.compile(r'"author_id"\s*:\s*"\d+"')
METRICS = (
    "retweet_count",
    "reply_count",
    "like_count",
    "quote_count",
    "bookmark_count",
    "impression_count",
)


class XApiJson(ExportFormat):
    name = "x_api"
    platform = "x"
    title = "X API v2 tweets JSON"
    raw_table = "x_api__tweets"
    raw_description = "One row per tweet of a response's data (includes.tweets are not loaded)."
    column_docs = (
        ("tweet_id", "The tweet id (as text; X ids exceed a double's precision)."),
        ("created_at", "created_at of the tweet (UTC instant)."),
    )
    author_columns = ("author_id", "author_username", "author_name")
    id_column = "tweet_id"
    time_column = "created_at"
    count_columns = METRICS
    columns = (
        ("tweet_id", "VARCHAR"),
        ("conversation_id", "VARCHAR"),
        ("author_id", "VARCHAR"),
        ("author_username", "VARCHAR"),
        ("author_name", "VARCHAR"),
        ("text", "VARCHAR"),
        ("lang", "VARCHAR"),
        ("created_at_raw", "VARCHAR"),
        ("created_at", "TIMESTAMPTZ"),
        ("replied_to_id", "VARCHAR"),
        ("quoted_id", "VARCHAR"),
        ("retweeted_id", "VARCHAR"),
        ("in_reply_to_user_id", "VARCHAR"),
        *((metric, "BIGINT") for metric in METRICS),
    )

    def detect(self, sample: FileSample, config: Config) -> bool:
        return sample.text.lstrip()[:1] in ("{", "[") and bool(_MARKER.search(sample.text))

    def select_sql(self, path: Path, sample: FileSample, config: Config) -> str:
        created_at = "json_extract_string(tweet, '$.created_at')"

        def referenced(kind: str) -> str:
            # The first reference of that type; X gives at most one of each.
            return (
                "json_extract_string(list_filter(from_json(json_extract(tweet, "
                "'$.referenced_tweets'), '[\"json\"]'), lambda r: "
                f"json_extract_string(r, '$.type') = '{kind}')[1], '$.id')"
            )

        metrics = ",\n".join(
            f"try_cast(json_extract_string(tweet, '$.public_metrics.{m}') AS BIGINT) AS {m}"
            for m in METRICS
        )
        # Long posts carry their full text in note_tweet; `text` is then cut at 280.
        text = "coalesce(json_extract_string(tweet, '$.note_tweet.text'), " + (
            "json_extract_string(tweet, '$.text'))"
        )
        return f"""
            WITH documents AS (
                SELECT json AS document, row_number() OVER () AS document_number
                FROM {read_json_objects_sql(path, sample)}
            ),
            responses AS (
                SELECT document_number,
                       CASE json_type(document, '$.data')
                           WHEN 'ARRAY' THEN from_json(json_extract(document, '$.data'), '["json"]')
                           WHEN 'OBJECT' THEN [json_extract(document, '$.data')]
                       END AS tweets
                FROM documents
            ),
            -- Positions (document, tweet in its data) keep _source_row in file order.
            tweets AS (
                SELECT document_number, unnest(tweets) AS tweet,
                       generate_subscripts(tweets, 1) AS tweet_number
                FROM responses
                WHERE tweets IS NOT NULL
                UNION ALL
                SELECT document_number, document, 1
                FROM documents
                WHERE json_extract(document, '$.data') IS NULL
                    AND json_extract_string(document, '$.author_id') IS NOT NULL
            ),
            -- A user appears once per response however many of its tweets the page holds;
            -- pages repeat users, so one row per user id over the whole file.
            users AS (
                SELECT json_extract_string(user_json, '$.id') AS user_id,
                       first(json_extract_string(user_json, '$.username')
                             ORDER BY document_number) AS username,
                       first(json_extract_string(user_json, '$.name')
                             ORDER BY document_number) AS name
                FROM (
                    SELECT document_number, unnest(from_json(
                        json_extract(document, '$.includes.users'), '["json"]')) AS user_json
                    FROM documents
                )
                GROUP BY 1
            ),
            rows AS (
                SELECT
                    json_extract_string(tweet, '$.id') AS tweet_id,
                    json_extract_string(tweet, '$.conversation_id') AS conversation_id,
                    json_extract_string(tweet, '$.author_id') AS author_id,
                    coalesce(users.username, json_extract_string(tweet, '$.author.username'))
                        AS author_username,
                    coalesce(users.name, json_extract_string(tweet, '$.author.name'))
                        AS author_name,
                    {decode_entities_sql(text)} AS text,
                    json_extract_string(tweet, '$.lang') AS lang,
                    {created_at} AS created_at_raw,
                    {parse_timestamp_sql(created_at, config.timezone_for(self.name))}
                        AS created_at,
                    {referenced("replied_to")} AS replied_to_id,
                    {referenced("quoted")} AS quoted_id,
                    {referenced("retweeted")} AS retweeted_id,
                    json_extract_string(tweet, '$.in_reply_to_user_id') AS in_reply_to_user_id,
                    {metrics},
                    document_number,
                    tweet_number
                FROM tweets
                LEFT JOIN users ON users.user_id = json_extract_string(tweet, '$.author_id')
            ),
            -- Overlapping pages repeat a tweet; the raw gate wants one row per id and file.
            deduplicated AS (
                SELECT * FROM rows
                QUALIFY row_number() OVER (
                    PARTITION BY tweet_id ORDER BY document_number, tweet_number
                ) = 1
            )
            SELECT
                * EXCLUDE (document_number, tweet_number),
                row_number() OVER (ORDER BY document_number, tweet_number) AS _source_row
            FROM deduplicated
            -- Without tweet.fields=created_at X leaves the time out: say so for the file
            -- rather than let it fail the whole run's raw gate. A filter, so that a count
            -- (learnloop inspect) evaluates it too.
            WHERE CASE
                WHEN tweet_id IS NULL THEN error('a tweet in data has no id')
                WHEN created_at IS NULL THEN error(
                    'tweet ' || tweet_id || ' has no parseable created_at (request '
                    || 'tweet.fields=created_at,author_id,conversation_id,referenced_tweets,'
                    || 'public_metrics)'
                )
                ELSE true
            END
        """
