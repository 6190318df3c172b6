"""Facebook Graph API page posts JSON with nested comments (docs/formats.md §1).

`/{page-id}/posts?fields=id,message,created_time,permalink_url,comments{id,message,
created_time,from,comments{id,message,created_time,from}}`: one response, a JSON array of
responses, or JSON Lines of responses. Posts, comments and their nested replies go into one
raw table; `record_type` tells them apart.

A page of a comment's replies fetched on its own (`/{comment-id}/comments`, e.g. by following
a nested `paging.next`) is read too: its items are comments, recognised by their `parent`
field (request `fields=...,parent` to keep the thread) or by a `from` without the post's
`permalink_url`. Their post and page are not in the file, so those stay NULL.
"""

from __future__ import annotations

import re
from pathlib import Path

from learnloop.config import Config
from learnloop.ingest.formats.base import ExportFormat, FileSample
from learnloop.ingest.json_files import graph_data_items_sql
from learnloop.ingest.timestamps import parse_timestamp_sql

# Graph API times: `"created_time": "2026-01-05T10:00:00+0000"` (offset without colon).
_CREATED_TIME = re.compile(
    r'"created_time"\s*:\s*"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:?\d{2}"'
)
# Page post ids are PAGEID_POSTID, comment ids POSTID_COMMENTID.
_GRAPH_ID = re.compile(r'"id"\s*:\s*"\d+_\d+"')


class FacebookGraphJson(ExportFormat):
    name = "facebook_graph"
    platform = "facebook"
    title = "Facebook Graph API page posts JSON"
    raw_table = "facebook_graph__items"
    raw_description = "One row per post, comment or reply (record_type says which)."
    column_docs = (
        ("record_type", "post, comment or reply."),
        ("item_id", "The Graph id (posts PAGEID_POSTID, comments POSTID_COMMENTID)."),
        ("created_at", "created_time as an instant (Facebook writes +0000 offsets)."),
    )
    author_columns = ("author_id", "author_name")
    id_column = "item_id"
    time_column = "created_at"
    count_columns = ("shares_count", "reactions_count", "comments_count")
    columns = (
        ("record_type", "VARCHAR"),  # post, comment or reply
        ("item_id", "VARCHAR"),
        ("post_id", "VARCHAR"),  # posts: themselves; comments: the post they sit under
        ("page_id", "VARCHAR"),  # the part of the post id before `_`
        ("parent_id", "VARCHAR"),  # replies: the comment they are nested in
        ("author_id", "VARCHAR"),  # from.id; NULL when Facebook withholds `from` (privacy)
        ("author_name", "VARCHAR"),
        ("text", "VARCHAR"),
        ("permalink", "VARCHAR"),
        ("shares_count", "BIGINT"),
        ("reactions_count", "BIGINT"),
        ("comments_count", "BIGINT"),
        ("created_time_raw", "VARCHAR"),
        ("created_at", "TIMESTAMPTZ"),
    )

    def detect(self, sample: FileSample, config: Config) -> bool:
        text = sample.text
        return (
            text.lstrip()[:1] in ("{", "[")
            and bool(_CREATED_TIME.search(text))
            and bool(_GRAPH_ID.search(text))
        )

    def select_sql(self, path: Path, sample: FileSample, config: Config) -> str:
        created_at = parse_timestamp_sql(
            "json_extract_string(item, '$.created_time')", config.timezone_for(self.name)
        )
        # Positions (document, item, comment, reply) keep _source_row in file order: each
        # post, then each of its comments followed by that comment's replies.
        return f"""
            WITH {graph_data_items_sql(path, sample)},
            classified AS (
                SELECT *,
                    json_exists(item, '$.parent')
                        OR (json_exists(item, '$.from')
                            AND NOT json_exists(item, '$.permalink_url')) AS is_comment
                FROM graph_items
            ),
            comments AS (
                SELECT document_number, item_number,
                       generate_subscripts(nested, 1) AS comment_number,
                       unnest(nested) AS comment, post_id
                FROM (
                    SELECT document_number, item_number,
                           json_extract_string(item, '$.id') AS post_id,
                           from_json(json_extract(item, '$.comments.data'), '["json"]') AS nested
                    FROM classified
                    WHERE NOT is_comment
                )
                UNION ALL
                SELECT document_number, item_number, 0, item, NULL
                FROM classified
                WHERE is_comment
            ),
            rows AS (
                SELECT document_number, item_number, 0 AS comment_number, 0 AS reply_number,
                       'post' AS record_type, item, json_extract_string(item, '$.id') AS post_id,
                       NULL AS parent_id
                FROM classified
                WHERE NOT is_comment
                UNION ALL
                SELECT document_number, item_number, comment_number, 0, 'comment', comment,
                       post_id, json_extract_string(comment, '$.parent.id')
                FROM comments
                UNION ALL
                SELECT document_number, item_number, comment_number,
                       generate_subscripts(replies, 1), 'reply', unnest(replies), post_id,
                       parent_id
                FROM (
                    SELECT *, json_extract_string(comment, '$.id') AS parent_id,
                           from_json(json_extract(comment, '$.comments.data'), '["json"]')
                               AS replies
                    FROM comments
                )
            )
            SELECT
                -- A reply fetched on its own page is a reply too.
                CASE WHEN record_type = 'comment' AND parent_id IS NOT NULL THEN 'reply'
                     ELSE record_type END AS record_type,
                json_extract_string(item, '$.id') AS item_id,
                post_id,
                nullif(split_part(post_id, '_', 1), '') AS page_id,
                parent_id,
                json_extract_string(item, '$.from.id') AS author_id,
                json_extract_string(item, '$.from.name') AS author_name,
                json_extract_string(item, '$.message') AS text,
                json_extract_string(item, '$.permalink_url') AS permalink,
                CASE WHEN record_type = 'post' THEN
                    try_cast(json_extract_string(item, '$.shares.count') AS BIGINT)
                END AS shares_count,
                CASE WHEN record_type = 'post' THEN
                    try_cast(json_extract_string(item, '$.reactions.summary.total_count')
                             AS BIGINT)
                END AS reactions_count,
                CASE WHEN record_type = 'post' THEN
                    try_cast(json_extract_string(item, '$.comments.summary.total_count')
                             AS BIGINT)
                END AS comments_count,
                json_extract_string(item, '$.created_time') AS created_time_raw,
                {created_at} AS created_at,
                row_number() OVER (
                    ORDER BY document_number, item_number, comment_number, reply_number
                ) AS _source_row
            FROM rows
            WHERE item IS NOT NULL
        """
