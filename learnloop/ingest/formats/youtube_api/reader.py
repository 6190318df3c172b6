"""YouTube Data API v3 `commentThreads.list` JSON (docs/formats.md §1).

Accepts one response, a JSON array of responses (pages), or JSON Lines of commentThread
objects. Every top-level comment and every reply becomes one row.
"""

from __future__ import annotations

import json
import re
from collections.abc import Hashable, Sequence
from pathlib import Path

from learnloop.config import Config
from learnloop.db import sql_literal
from learnloop.ingest.formats.base import FileSample, FilesTogetherFormat
from learnloop.ingest.json_files import documents_sql, is_json_lines, looks_like_json

_MARKER = re.compile(r'"kind"\s*:\s*"youtube#commentThread(ListResponse)?"')
# What is read of each comment and each thread: from_json parses a thread once into these
# fields (json_extract_string path by path parsed each comment ten times, which made this
# reader four times slower: bench/scale.py --ingest-only). Every value is read as text (a
# number's digits, an object's JSON, the first of duplicate keys, NULL for a missing key or
# a value of the wrong shape, as json_extract_string reads them) and typed in SQL.
_COMMENT = {
    "id": "VARCHAR",
    "snippet": {
        "parentId": "VARCHAR",
        "videoId": "VARCHAR",
        "channelId": "VARCHAR",
        "authorChannelId": {"value": "VARCHAR"},
        "authorDisplayName": "VARCHAR",
        "textOriginal": "VARCHAR",
        "textDisplay": "VARCHAR",
        "likeCount": "VARCHAR",
        "publishedAt": "VARCHAR",
        "updatedAt": "VARCHAR",
    },
}
_THREAD = {
    "id": "VARCHAR",
    "snippet": {
        "videoId": "VARCHAR",
        "channelId": "VARCHAR",
        "totalReplyCount": "VARCHAR",
        "topLevelComment": _COMMENT,
    },
    "replies": {"comments": [_COMMENT]},
}


class YoutubeApiJson(FilesTogetherFormat):
    def detect(self, sample: FileSample, config: Config) -> bool:
        return looks_like_json(sample, _MARKER)

    def shared_reading(self, sample: FileSample, config: Config) -> Hashable | None:
        return is_json_lines(sample)  # JSON Lines and whole documents are read differently

    def select_files_sql(self, paths: Sequence[Path], sample: FileSample, config: Config) -> str:
        # Rows of read_json_objects are responses (with `items`) or, in JSON Lines, threads.
        thread_type = sql_literal(json.dumps(_THREAD))
        threads_type = sql_literal(json.dumps([_THREAD]))
        return f"""
            WITH {documents_sql(paths, sample, numbered=False)},
            -- One pass, every CTE read once (DuckDB would materialise a CTE read twice):
            -- documents -> threads (a response's items, or the line itself in JSON Lines, each
            -- parsed into its fields) -> comments (the top-level comment, then its replies).
            -- With insertion order preserved, row_number() OVER () streams and numbers rows
            -- in file order.
            threads AS (
                SELECT file_index, unnest(thread_list) AS thread
                FROM (
                    SELECT file_index, CASE
                        WHEN json_extract(document, '$.items') IS NOT NULL
                            THEN from_json(json_extract(document, '$.items'), {threads_type})
                        WHEN json_extract_string(document, '$.kind') = 'youtube#commentThread'
                            THEN [from_json(document, {thread_type})]
                    END AS thread_list
                    FROM documents
                )
            ),
            comments AS (
                SELECT file_index, thread_id, thread_video_id, thread_channel_id,
                       total_reply_count, unnest(comment_list) AS comment,
                       generate_subscripts(comment_list, 1) > 1 AS is_reply
                FROM (
                    SELECT file_index,
                           thread.id AS thread_id,
                           thread.snippet.videoId AS thread_video_id,
                           thread.snippet.channelId AS thread_channel_id,
                           thread.snippet.totalReplyCount AS total_reply_count,
                           list_prepend(
                               thread.snippet.topLevelComment,
                               coalesce(thread.replies.comments, [])
                           ) AS comment_list
                    FROM threads
                )
            )
            SELECT
                thread_id,
                comment.id AS comment_id,
                comment.snippet.parentId AS parent_id,
                coalesce(thread_video_id, comment.snippet.videoId) AS video_id,
                coalesce(thread_channel_id, comment.snippet.channelId) AS channel_id,
                comment.snippet.authorChannelId.value AS author_channel_id,
                comment.snippet.authorDisplayName AS author_display_name,
                coalesce(comment.snippet.textOriginal, comment.snippet.textDisplay) AS text,
                try_cast(comment.snippet.likeCount AS BIGINT) AS like_count,
                CASE WHEN NOT is_reply THEN try_cast(total_reply_count AS BIGINT) END
                    AS total_reply_count,
                comment.snippet.publishedAt AS published_at_raw,
                try_cast(comment.snippet.publishedAt AS TIMESTAMPTZ) AS published_at,
                try_cast(comment.snippet.updatedAt AS TIMESTAMPTZ) AS updated_at,
                is_reply,
                file_index,
                row_number() OVER () AS _source_row
            FROM comments
            WHERE comment IS NOT NULL
        """
