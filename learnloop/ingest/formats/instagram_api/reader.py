"""Instagram Graph API JSON (docs/formats.md §1): media with nested comments and replies.

Accepts one response (`{"data": [...], "paging": {...}}`), a JSON array of responses (pages),
or JSON Lines of responses or of bare items. A response's items are media
(`/{ig-user-id}/media?fields=id,caption,timestamp,permalink,like_count,comments_count,
comments{...,replies{...}}`) or comments (`/{ig-media-id}/comments`, no media around them).
Media, comments and replies all go into one raw table; `record_type` tells them apart.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from pathlib import Path

from learnloop.config import Config
from learnloop.db import sql_literal
from learnloop.ingest.formats.base import FileSample, FilesTogetherFormat
from learnloop.ingest.json_files import (
    JsonPaths,
    graph_data_items_sql,
    is_json_lines,
    looks_like_json,
)
from learnloop.ingest.timestamps import parse_timestamp_sql

# Instagram writes `"timestamp": "2026-01-05T10:00:00+0000"` (offset without colon).
_TIMESTAMP = re.compile(r'"timestamp"\s*:\s*"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{4}"')
# Keys only media objects have; a comment has `username` and `text` instead.
MEDIA_KEYS = ("caption", "media_type", "media_url", "permalink", "comments_count")
_MEDIA_KEY = re.compile(r'"(' + "|".join(MEDIA_KEYS) + r')"\s*:')
_COMMENT_KEYS = (re.compile(r'"username"\s*:\s*"'), re.compile(r'"text"\s*:\s*"'))
# Facebook Graph and YouTube JSON share some keys; their own keys rule them out.
_OTHER_FORMAT = re.compile(r'"(created_time|kind)"\s*:')
# What is read of each media, comment and reply.
_ITEM = JsonPaths(
    "item_fields",
    "$.id",
    "$.username",
    "$.caption",
    "$.text",
    "$.permalink",
    "$.media_type",
    "$.like_count",
    "$.comments_count",
    "$.timestamp",
)


class InstagramApiJson(FilesTogetherFormat):
    def detect(self, sample: FileSample, config: Config) -> bool:
        if not looks_like_json(sample, _TIMESTAMP) or _OTHER_FORMAT.search(sample.text):
            return False
        return looks_like_json(sample, _MEDIA_KEY) or looks_like_json(sample, *_COMMENT_KEYS)

    def shared_reading(self, sample: FileSample, config: Config) -> Hashable | None:
        return is_json_lines(sample)  # JSON Lines and whole documents are read differently

    def select_files_sql(self, paths: Sequence[Path], sample: FileSample, config: Config) -> str:
        media_keys = ", ".join(sql_literal(key) for key in MEDIA_KEYS)
        timestamp = parse_timestamp_sql(_ITEM["$.timestamp"], config.timezone_for(self.name))
        # Positions (document, item, comment, reply) keep _source_row in file order: each
        # media, then each of its comments followed by that comment's replies.
        return f"""
            WITH {graph_data_items_sql(paths, sample)},
            items AS (
                SELECT * FROM graph_items
                UNION ALL
                -- JSON Lines of bare media or comments.
                SELECT file_index, document_number, document, 1
                FROM documents
                WHERE json_extract(document, '$.data') IS NULL
                    AND json_extract(document, '$.id') IS NOT NULL
            ),
            classified AS (
                SELECT *, list_has_any(json_keys(item), [{media_keys}]) AS is_media
                FROM items
            ),
            comments AS (
                -- Comments nested in media.
                SELECT file_index, document_number, item_number,
                       generate_subscripts(nested, 1) AS comment_number,
                       unnest(nested) AS comment, media_id, media_username
                FROM (
                    SELECT file_index, document_number, item_number,
                           json_extract_string(item, '$.id') AS media_id,
                           json_extract_string(item, '$.username') AS media_username,
                           from_json(json_extract(item, '$.comments.data'), '["json"]') AS nested
                    FROM classified
                    WHERE is_media
                )
                UNION ALL
                -- A bare comments response: the media is not in the file.
                SELECT file_index, document_number, item_number, 0, item,
                       json_extract_string(item, '$.media.id'), NULL
                FROM classified
                WHERE NOT is_media
            ),
            rows AS (
                SELECT file_index, document_number, item_number, 0 AS comment_number,
                       0 AS reply_number,
                       'media' AS record_type, item,
                       json_extract_string(item, '$.id') AS media_id, NULL AS parent_id,
                       NULL AS media_username
                FROM classified
                WHERE is_media
                UNION ALL
                SELECT file_index, document_number, item_number, comment_number, 0, 'comment',
                       comment,
                       media_id, json_extract_string(comment, '$.parent_id'), media_username
                FROM comments
                UNION ALL
                SELECT file_index, document_number, item_number, comment_number,
                       generate_subscripts(replies, 1), 'reply', unnest(replies),
                       media_id, parent_id, media_username
                FROM (
                    SELECT *, json_extract_string(comment, '$.id') AS parent_id,
                           from_json(json_extract(comment, '$.replies.data'), '["json"]')
                               AS replies
                    FROM comments
                )
            ),
            -- Each item's JSON parsed once for every field read of it (a media's holds all
            -- its comments).
            fields AS (
                SELECT *, {_ITEM.extract_sql("item")}
                FROM rows
                WHERE item IS NOT NULL
            )
            SELECT
                record_type,
                {_ITEM["$.id"]} AS item_id,
                media_id,
                parent_id,
                {_ITEM["$.username"]} AS username,
                media_username,
                CASE WHEN record_type = 'media' THEN {_ITEM["$.caption"]}
                     ELSE {_ITEM["$.text"]} END AS text,
                {_ITEM["$.permalink"]} AS permalink,
                {_ITEM["$.media_type"]} AS media_type,
                try_cast({_ITEM["$.like_count"]} AS BIGINT) AS like_count,
                try_cast({_ITEM["$.comments_count"]} AS BIGINT) AS comments_count,
                {_ITEM["$.timestamp"]} AS timestamp_raw,
                {timestamp} AS created_at,
                file_index,
                row_number() OVER (
                    ORDER BY document_number, item_number, comment_number, reply_number
                ) AS _source_row
            FROM fields
        """
