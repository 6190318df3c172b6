"""YouTube Data API v3 `commentThreads.list` JSON (docs/formats.md §1).

Accepts one response, a JSON array of responses (pages), or JSON Lines of commentThread
objects. Every top-level comment and every reply becomes one row.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from pathlib import Path

from learnloop.config import Config
from learnloop.ingest.formats.base import FileSample, FilesTogetherFormat
from learnloop.ingest.json_files import JsonPaths, documents_sql, is_json_lines, looks_like_json

_MARKER = re.compile(r'"kind"\s*:\s*"youtube#commentThread(ListResponse)?"')
# What is read of each thread and of each comment.
_THREAD = JsonPaths(
    "thread_fields", "$.id", "$.snippet.videoId", "$.snippet.channelId", "$.snippet.totalReplyCount"
)
_COMMENT = JsonPaths(
    "comment_fields",
    "$.id",
    "$.snippet.parentId",
    "$.snippet.videoId",
    "$.snippet.channelId",
    "$.snippet.authorChannelId.value",
    "$.snippet.authorDisplayName",
    "$.snippet.textOriginal",
    "$.snippet.textDisplay",
    "$.snippet.likeCount",
    "$.snippet.publishedAt",
    "$.snippet.updatedAt",
)


class YoutubeApiJson(FilesTogetherFormat):
    def detect(self, sample: FileSample, config: Config) -> bool:
        return looks_like_json(sample, _MARKER)

    def shared_reading(self, sample: FileSample, config: Config) -> Hashable | None:
        return is_json_lines(sample)  # JSON Lines and whole documents are read differently

    def select_files_sql(self, paths: Sequence[Path], sample: FileSample, config: Config) -> str:
        # Rows of read_json_objects are responses (with `items`) or, in JSON Lines, threads.
        return f"""
            WITH {documents_sql(paths, sample, numbered=False)},
            -- One pass, every CTE read once (DuckDB would materialise a CTE read twice):
            -- documents -> threads (a response's items, or the line itself in JSON Lines)
            -- -> comments (the top-level comment, then its replies) -> fields (each thread's
            -- and each comment's JSON parsed once for all the paths read of it). With
            -- insertion order preserved, row_number() OVER () streams and numbers rows in
            -- file order.
            threads AS (
                SELECT file_index, unnest(thread_list) AS thread
                FROM (
                    SELECT file_index, CASE
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
                SELECT file_index, thread_fields, unnest(comment_list) AS comment,
                       generate_subscripts(comment_list, 1) > 1 AS is_reply
                FROM (
                    SELECT file_index, {_THREAD.extract_sql("thread")},
                        list_prepend(
                            json_extract(thread, '$.snippet.topLevelComment'),
                            coalesce(
                                from_json(json_extract(thread, '$.replies.comments'), '["json"]'),
                                []::JSON[]
                            )
                        ) AS comment_list
                    FROM threads
                )
            ),
            fields AS (
                SELECT file_index, thread_fields, is_reply, {_COMMENT.extract_sql("comment")}
                FROM comments
                WHERE comment IS NOT NULL
            )
            SELECT
                {_THREAD["$.id"]} AS thread_id,
                {_COMMENT["$.id"]} AS comment_id,
                {_COMMENT["$.snippet.parentId"]} AS parent_id,
                coalesce({_THREAD["$.snippet.videoId"]}, {_COMMENT["$.snippet.videoId"]})
                    AS video_id,
                coalesce({_THREAD["$.snippet.channelId"]}, {_COMMENT["$.snippet.channelId"]})
                    AS channel_id,
                {_COMMENT["$.snippet.authorChannelId.value"]} AS author_channel_id,
                {_COMMENT["$.snippet.authorDisplayName"]} AS author_display_name,
                coalesce({_COMMENT["$.snippet.textOriginal"]}, {_COMMENT["$.snippet.textDisplay"]})
                    AS text,
                try_cast({_COMMENT["$.snippet.likeCount"]} AS BIGINT) AS like_count,
                CASE WHEN NOT is_reply THEN
                    try_cast({_THREAD["$.snippet.totalReplyCount"]} AS BIGINT)
                END AS total_reply_count,
                {_COMMENT["$.snippet.publishedAt"]} AS published_at_raw,
                try_cast({_COMMENT["$.snippet.publishedAt"]} AS TIMESTAMPTZ) AS published_at,
                try_cast({_COMMENT["$.snippet.updatedAt"]} AS TIMESTAMPTZ) AS updated_at,
                is_reply,
                file_index,
                row_number() OVER () AS _source_row
            FROM fields
        """
