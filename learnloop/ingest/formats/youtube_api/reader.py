"""YouTube Data API v3 `commentThreads.list` JSON (docs/formats.md §1).

Accepts one response, a JSON array of responses (pages), or JSON Lines of commentThread
objects. Every top-level comment and every reply becomes one row.
"""

from __future__ import annotations

import re
from pathlib import Path

from learnloop.config import Config
from learnloop.ingest.formats.base import ExportFormat, FileSample
from learnloop.ingest.json_files import read_json_objects_sql

_MARKER = re.compile(r'"kind"\s*:\s*"youtube#commentThread(ListResponse)?"')


class YoutubeApiJson(ExportFormat):
    name = "youtube_api"
    platform = "youtube"
    title = "YouTube Data API commentThreads JSON"
    raw_table = "youtube_api__comments"
    raw_description = "One row per top-level comment or reply."
    column_docs = (
        ("comment_id", "The comment id; replies look like PARENT.CHILD."),
        ("published_at", "publishedAt of the comment."),
    )
    author_columns = ("author_channel_id", "author_display_name")
    id_column = "comment_id"
    time_column = "published_at"
    count_columns = ("like_count", "total_reply_count")
    columns = (
        ("thread_id", "VARCHAR"),
        ("comment_id", "VARCHAR"),
        ("parent_id", "VARCHAR"),
        ("video_id", "VARCHAR"),
        ("channel_id", "VARCHAR"),
        ("author_channel_id", "VARCHAR"),
        ("author_display_name", "VARCHAR"),
        ("text", "VARCHAR"),
        ("like_count", "BIGINT"),
        ("total_reply_count", "BIGINT"),
        ("published_at_raw", "VARCHAR"),
        ("published_at", "TIMESTAMPTZ"),
        ("updated_at", "TIMESTAMPTZ"),
        ("is_reply", "BOOLEAN"),
    )

    def detect(self, sample: FileSample, config: Config) -> bool:
        return sample.text.lstrip()[:1] in ("{", "[") and bool(_MARKER.search(sample.text))

    def select_sql(self, path: Path, sample: FileSample, config: Config) -> str:
        # Rows of read_json_objects are responses (with `items`) or, in JSON Lines, threads.
        return f"""
            WITH documents AS (
                SELECT json AS document
                FROM {read_json_objects_sql(path, sample)}
            ),
            -- One pass, every CTE read once (DuckDB would materialise a CTE read twice):
            -- documents -> threads (a response's items, or the line itself in JSON Lines)
            -- -> comments (the top-level comment, then its replies). With insertion order
            -- preserved, row_number() OVER () streams and numbers rows in file order.
            threads AS (
                SELECT unnest(thread_list) AS thread
                FROM (
                    SELECT CASE
                        WHEN json_extract(document, '$.items') IS NOT NULL
                            THEN from_json(json_extract(document, '$.items'), '["json"]')
                        WHEN json_extract_string(document, '$.kind') = 'youtube#commentThread'
                            THEN [document]
                        ELSE []::JSON[]
                    END AS thread_list
                    FROM documents
                )
            ),
            comments AS (
                SELECT thread, unnest(comment_list) AS comment,
                       generate_subscripts(comment_list, 1) > 1 AS is_reply
                FROM (
                    SELECT thread, list_prepend(
                        json_extract(thread, '$.snippet.topLevelComment'),
                        coalesce(
                            from_json(json_extract(thread, '$.replies.comments'), '["json"]'),
                            []::JSON[]
                        )
                    ) AS comment_list
                    FROM threads
                )
            )
            SELECT
                json_extract_string(thread, '$.id') AS thread_id,
                json_extract_string(comment, '$.id') AS comment_id,
                json_extract_string(comment, '$.snippet.parentId') AS parent_id,
                coalesce(json_extract_string(thread, '$.snippet.videoId'),
                         json_extract_string(comment, '$.snippet.videoId')) AS video_id,
                coalesce(json_extract_string(thread, '$.snippet.channelId'),
                         json_extract_string(comment, '$.snippet.channelId')) AS channel_id,
                json_extract_string(comment, '$.snippet.authorChannelId.value')
                    AS author_channel_id,
                json_extract_string(comment, '$.snippet.authorDisplayName') AS author_display_name,
                coalesce(json_extract_string(comment, '$.snippet.textOriginal'),
                         json_extract_string(comment, '$.snippet.textDisplay')) AS text,
                try_cast(json_extract_string(comment, '$.snippet.likeCount') AS BIGINT)
                    AS like_count,
                CASE WHEN NOT is_reply THEN
                    try_cast(json_extract_string(thread, '$.snippet.totalReplyCount') AS BIGINT)
                END AS total_reply_count,
                json_extract_string(comment, '$.snippet.publishedAt') AS published_at_raw,
                try_cast(json_extract_string(comment, '$.snippet.publishedAt') AS TIMESTAMPTZ)
                    AS published_at,
                try_cast(json_extract_string(comment, '$.snippet.updatedAt') AS TIMESTAMPTZ)
                    AS updated_at,
                is_reply,
                row_number() OVER () AS _source_row
            FROM comments
            WHERE comment IS NOT NULL
        """
