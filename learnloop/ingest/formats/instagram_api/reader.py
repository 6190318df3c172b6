"""Instagram Graph API JSON (docs/formats.md §1): media with nested comments and replies.

Accepts one response (`{"data": [...], "paging": {...}}`), a JSON array of responses (pages),
or JSON Lines of responses or of bare items. A response's items are media
(`/{ig-user-id}/media?fields=id,caption,timestamp,permalink,like_count,comments_count,
comments{...,replies{...}}`) or comments (`/{ig-media-id}/comments`, no media around them).
Media, comments and replies all go into one raw table; `record_type` tells them apart.
"""

from __future__ import annotations

import re
from pathlib import Path

from learnloop.config import Config
from learnloop.db import sql_literal
from learnloop.ingest.formats.base import ExportFormat, FileSample
from learnloop.ingest.json_files import graph_data_items_sql
from learnloop.ingest.timestamps import parse_timestamp_sql

# Instagram writes `"timestamp": "2026-01-05T10:00:00+0000"` (offset without colon).
_TIMESTAMP = re.compile(r'"timestamp"\s*:\s*"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{4}"')
# Keys only media objects have; a comment has `username` and `text` instead.
MEDIA_KEYS = ("caption", "media_type", "media_url", "permalink", "comments_count")
_MEDIA_KEY = re.compile(r'"(' + "|".join(MEDIA_KEYS) + r')"\s*:')
_COMMENT_KEYS = (re.compile(r'"username"\s*:\s*"'), re.compile(r'"text"\s*:\s*"'))
# Facebook Graph and YouTube JSON share some keys; their own keys rule them out.
_OTHER_FORMAT = re.compile(r'"(created_time|kind)"\s*:')


class InstagramApiJson(ExportFormat):
    name = "instagram_api"
    platform = "instagram"
    title = "Instagram Graph API media/comments JSON"
    raw_table = "instagram_api__items"
    raw_description = "One row per media object, comment or reply (record_type says which)."
    column_docs = (
        ("record_type", "media, comment or reply."),
        ("item_id", "The Instagram id of the media object, comment or reply."),
        ("created_at", "The item's timestamp as an instant (Instagram writes +0000 offsets)."),
    )
    author_columns = ("username",)
    id_column = "item_id"
    time_column = "created_at"
    count_columns = ("like_count", "comments_count")
    columns = (
        ("record_type", "VARCHAR"),  # media, comment or reply
        ("item_id", "VARCHAR"),
        ("media_id", "VARCHAR"),  # media: itself; comments: the media they sit under
        ("parent_id", "VARCHAR"),  # replies: their comment
        ("username", "VARCHAR"),  # comments: the author; media: the owner, when exported
        ("media_username", "VARCHAR"),  # comments: the media owner, when exported
        ("text", "VARCHAR"),  # media: caption; comments: text
        ("permalink", "VARCHAR"),
        ("media_type", "VARCHAR"),
        ("like_count", "BIGINT"),
        ("comments_count", "BIGINT"),
        ("timestamp_raw", "VARCHAR"),
        ("created_at", "TIMESTAMPTZ"),
    )

    def detect(self, sample: FileSample, config: Config) -> bool:
        text = sample.text
        if text.lstrip()[:1] not in ("{", "[") or not _TIMESTAMP.search(text):
            return False
        if _OTHER_FORMAT.search(text):
            return False
        return bool(_MEDIA_KEY.search(text)) or all(key.search(text) for key in _COMMENT_KEYS)

    def select_sql(self, path: Path, sample: FileSample, config: Config) -> str:
        media_keys = ", ".join(sql_literal(key) for key in MEDIA_KEYS)
        timestamp = parse_timestamp_sql(
            "json_extract_string(item, '$.timestamp')", config.timezone_for(self.name)
        )
        # Positions (document, item, comment, reply) keep _source_row in file order: each
        # media, then each of its comments followed by that comment's replies.
        return f"""
            WITH {graph_data_items_sql(path, sample)},
            items AS (
                SELECT * FROM graph_items
                UNION ALL
                -- JSON Lines of bare media or comments.
                SELECT document_number, document, 1
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
                SELECT document_number, item_number,
                       generate_subscripts(nested, 1) AS comment_number,
                       unnest(nested) AS comment, media_id, media_username
                FROM (
                    SELECT document_number, item_number,
                           json_extract_string(item, '$.id') AS media_id,
                           json_extract_string(item, '$.username') AS media_username,
                           from_json(json_extract(item, '$.comments.data'), '["json"]') AS nested
                    FROM classified
                    WHERE is_media
                )
                UNION ALL
                -- A bare comments response: the media is not in the file.
                SELECT document_number, item_number, 0, item,
                       json_extract_string(item, '$.media.id'), NULL
                FROM classified
                WHERE NOT is_media
            ),
            rows AS (
                SELECT document_number, item_number, 0 AS comment_number, 0 AS reply_number,
                       'media' AS record_type, item,
                       json_extract_string(item, '$.id') AS media_id, NULL AS parent_id,
                       NULL AS media_username
                FROM classified
                WHERE is_media
                UNION ALL
                SELECT document_number, item_number, comment_number, 0, 'comment', comment,
                       media_id, json_extract_string(comment, '$.parent_id'), media_username
                FROM comments
                UNION ALL
                SELECT document_number, item_number, comment_number,
                       generate_subscripts(replies, 1), 'reply', unnest(replies),
                       media_id, parent_id, media_username
                FROM (
                    SELECT *, json_extract_string(comment, '$.id') AS parent_id,
                           from_json(json_extract(comment, '$.replies.data'), '["json"]')
                               AS replies
                    FROM comments
                )
            )
            SELECT
                record_type,
                json_extract_string(item, '$.id') AS item_id,
                media_id,
                parent_id,
                json_extract_string(item, '$.username') AS username,
                media_username,
                CASE WHEN record_type = 'media' THEN json_extract_string(item, '$.caption')
                     ELSE json_extract_string(item, '$.text') END AS text,
                json_extract_string(item, '$.permalink') AS permalink,
                json_extract_string(item, '$.media_type') AS media_type,
                try_cast(json_extract_string(item, '$.like_count') AS BIGINT) AS like_count,
                try_cast(json_extract_string(item, '$.comments_count') AS BIGINT)
                    AS comments_count,
                json_extract_string(item, '$.timestamp') AS timestamp_raw,
                {timestamp} AS created_at,
                row_number() OVER (
                    ORDER BY document_number, item_number, comment_number, reply_number
                ) AS _source_row
            FROM rows
            WHERE item IS NOT NULL
        """
