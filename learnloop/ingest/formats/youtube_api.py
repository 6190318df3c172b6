"""YouTube Data API v3 `commentThreads.list` JSON (formats.md §1).

Accepts one response, a JSON array of responses (pages), or JSON Lines of commentThread
objects. Every top-level comment and every reply becomes one row.
"""

from __future__ import annotations

import re
from pathlib import Path

from learnloop.config import Config
from learnloop.db import sql_literal
from learnloop.ingest.formats.base import ExportFormat, FileSample

_MARKER = re.compile(r'"kind"\s*:\s*"youtube#commentThread(ListResponse)?"')
# A single response can be large; DuckDB's default object limit is 16 MB.
MAX_OBJECT_BYTES = 1 << 30


class YoutubeApiJson(ExportFormat):
    name = "youtube_api"
    title = "YouTube Data API commentThreads JSON"
    raw_table = "youtube_api__comments"
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
                SELECT json AS document, row_number() OVER () AS document_number
                FROM read_json_objects(
                    {sql_literal(str(path))}, format = 'auto',
                    maximum_object_size = {MAX_OBJECT_BYTES}
                )
            ),
            -- Positions (document, thread in document, reply in thread) keep _source_row
            -- in file order: each top-level comment, then its replies.
            threads AS (
                SELECT document_number, unnest(threads) AS thread,
                       generate_subscripts(threads, 1) AS thread_number
                FROM (
                    SELECT document_number,
                           from_json(json_extract(document, '$.items'), '["json"]') AS threads
                    FROM documents
                    WHERE json_extract(document, '$.items') IS NOT NULL
                )
                UNION ALL
                SELECT document_number, document, 1
                FROM documents
                WHERE json_extract_string(document, '$.kind') = 'youtube#commentThread'
            ),
            comments AS (
                SELECT document_number, thread_number, 0 AS reply_number, thread,
                       json_extract(thread, '$.snippet.topLevelComment') AS comment,
                       false AS is_reply
                FROM threads
                UNION ALL
                SELECT document_number, thread_number, generate_subscripts(replies, 1), thread,
                       unnest(replies), true
                FROM (
                    SELECT *, from_json(json_extract(thread, '$.replies.comments'), '["json"]')
                        AS replies
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
                row_number() OVER (
                    ORDER BY document_number, thread_number, reply_number
                ) AS _source_row
            FROM comments
            WHERE comment IS NOT NULL
        """
