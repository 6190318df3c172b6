"""Bluesky AT Protocol JSON as the public API returns it (docs/formats.md, Bluesky).

Accepts `app.bsky.feed.getPostThread` (`{"thread": {post, parent?, replies: [...]}}`, the
replies nested to any depth) and `app.bsky.feed.getAuthorFeed` (`{"feed": [{post, reply?,
reason?}], "cursor"}`), as one document or JSON Lines of pages. Every post view becomes one
row: a thread's posts (ancestors first, then the replies depth-first as the app shows them),
a feed item's post and the root and parent of its reply context. Not-found and blocked
posts carry no record and are left out.

Which posts are the brand's is decided in staging against the configured `[brand] bluesky`
DIDs or handles, so a later change of the configuration re-splits posts already loaded.
"""

from __future__ import annotations

import re
from pathlib import Path

from learnloop.config import Config
from learnloop.ingest.formats.base import ExportFormat, FileSample
from learnloop.ingest.json_files import read_json_objects_sql
from learnloop.ingest.timestamps import parse_timestamp_sql

# The record type of a post: only AT Protocol JSON spells it.
_POST_RECORD = re.compile(r'"\$type"\s*:\s*"app\.bsky\.feed\.post"')
_RESPONSE = re.compile(r'^\s*\{\s*"(thread|feed)"\s*:')


def _post_columns(view: str) -> str:
    """The raw columns of one post view (a JSON value)."""
    created_at = f"json_extract_string({view}, '$.record.createdAt')"
    return f"""
        json_extract_string({view}, '$.uri') AS uri,
        json_extract_string({view}, '$.cid') AS cid,
        {created_at} AS created_at_raw,
        {{created_at}} AS created_at,
        json_extract_string({view}, '$.indexedAt') AS indexed_at,
        json_extract_string({view}, '$.author.did') AS author_did,
        json_extract_string({view}, '$.author.handle') AS author_handle,
        json_extract_string({view}, '$.author.displayName') AS author_display_name,
        json_extract_string({view}, '$.record.text') AS text,
        json_extract_string({view}, '$.record.langs[0]') AS language,
        json_extract_string({view}, '$.record.reply.root.uri') AS reply_root_uri,
        json_extract_string({view}, '$.record.reply.parent.uri') AS reply_parent_uri,
        try_cast(json_extract_string({view}, '$.replyCount') AS BIGINT) AS reply_count,
        try_cast(json_extract_string({view}, '$.repostCount') AS BIGINT) AS repost_count,
        try_cast(json_extract_string({view}, '$.likeCount') AS BIGINT) AS like_count,
        try_cast(json_extract_string({view}, '$.quoteCount') AS BIGINT) AS quote_count"""


class BlueskyApiJson(ExportFormat):
    name = "bluesky_api"
    platform = "bluesky"
    title = "Bluesky API thread or author feed JSON"
    raw_table = "bluesky_api__posts"
    raw_description = (
        "One row per post view of a getPostThread or getAuthorFeed response (once per file)."
    )
    column_docs = (
        ("uri", "The post's AT URI, at://<author DID>/app.bsky.feed.post/<record key>."),
        ("created_at", "record.createdAt of the post (UTC instant)."),
        ("seen_as", "thread, ancestor, feed, feed_parent or feed_root: where the file holds it."),
        ("reposted_by_did", "For a feed item that is a repost: the DID of who reposted it."),
    )
    author_columns = ("author_did", "author_handle", "author_display_name")
    id_column = "uri"
    time_column = "created_at"
    count_columns = ("reply_count", "repost_count", "like_count", "quote_count")
    columns = (
        ("uri", "VARCHAR"),
        ("cid", "VARCHAR"),
        ("created_at_raw", "VARCHAR"),
        ("created_at", "TIMESTAMPTZ"),
        ("indexed_at", "VARCHAR"),
        ("author_did", "VARCHAR"),
        ("author_handle", "VARCHAR"),
        ("author_display_name", "VARCHAR"),
        ("text", "VARCHAR"),
        ("language", "VARCHAR"),
        ("reply_root_uri", "VARCHAR"),
        ("reply_parent_uri", "VARCHAR"),
        ("reply_count", "BIGINT"),
        ("repost_count", "BIGINT"),
        ("like_count", "BIGINT"),
        ("quote_count", "BIGINT"),
        ("seen_as", "VARCHAR"),
        ("reposted_by_did", "VARCHAR"),
    )

    def detect(self, sample: FileSample, config: Config) -> bool:
        text = sample.text
        return bool(_RESPONSE.search(text)) and bool(_POST_RECORD.search(text))

    def select_sql(self, path: Path, sample: FileSample, config: Config) -> str:
        zone = config.timezone_for(self.name)
        columns = _post_columns("view").replace(
            "{created_at}",
            parse_timestamp_sql("json_extract_string(view, '$.record.createdAt')", zone),
        )
        replies = "from_json(json_extract(node, '$.replies'), '[\"json\"]')"
        return f"""
            WITH RECURSIVE documents AS (
                SELECT json AS document, row_number() OVER () AS document_number
                FROM {read_json_objects_sql(path, sample)}
                -- A filter, so that a count (learnloop inspect) evaluates it too.
                WHERE CASE
                    WHEN json_type(json, '$.thread') = 'OBJECT'
                        OR json_type(json, '$.feed') = 'ARRAY' THEN true
                    ELSE error('a JSON document holds neither a "thread" object '
                               || 'nor a "feed" array')
                END
            ),
            -- A thread's replies nest to any depth: walk them depth-first; the path of
            -- positions orders them as the app shows them.
            thread_nodes (document_number, node, path) AS (
                SELECT document_number, json_extract(document, '$.thread'), [1]
                FROM documents
                WHERE json_type(document, '$.thread') = 'OBJECT'
                UNION ALL
                SELECT document_number, child, list_append(path, position)
                FROM (
                    SELECT document_number, path, unnest({replies}) AS child,
                           unnest(range(1, len({replies}) + 1)) AS position
                    FROM thread_nodes
                    WHERE json_type(node, '$.replies') = 'ARRAY'
                )
            ),
            -- A thread asked about a reply carries its ancestors as a chain of parents.
            ancestors (document_number, node, depth) AS (
                SELECT document_number, json_extract(document, '$.thread.parent'), 1
                FROM documents
                WHERE json_type(document, '$.thread.parent') = 'OBJECT'
                UNION ALL
                SELECT document_number, json_extract(node, '$.parent'), depth + 1
                FROM ancestors
                WHERE json_type(node, '$.parent') = 'OBJECT' AND depth < 1000
            ),
            feed_items AS (
                SELECT document_number, unnest(items) AS item,
                       generate_subscripts(items, 1) AS item_number
                FROM (
                    SELECT document_number,
                           from_json(json_extract(document, '$.feed'), '["json"]') AS items
                    FROM documents
                    WHERE json_type(document, '$.feed') = 'ARRAY'
                )
            ),
            views AS (
                SELECT document_number, [0, -depth] AS position,
                       json_extract(node, '$.post') AS view, 'ancestor' AS seen_as,
                       NULL::VARCHAR AS reposted_by_did
                FROM ancestors
                UNION ALL
                SELECT document_number, list_prepend(1, path), json_extract(node, '$.post'),
                       'thread', NULL::VARCHAR
                FROM thread_nodes
                UNION ALL
                SELECT document_number, [2, item_number, part],
                       json_extract(item, view_path), seen,
                       CASE part WHEN 0
                           THEN json_extract_string(item, '$.reason.by.did') END
                FROM feed_items,
                     (VALUES (0, '$.post', 'feed'), (1, '$.reply.parent', 'feed_parent'),
                             (2, '$.reply.root', 'feed_root')) AS parts(part, view_path, seen)
            ),
            rows AS (
                SELECT {columns},
                       seen_as, reposted_by_did, document_number, position
                FROM views
                -- Not-found and blocked posts (and an item without a reply) hold no record.
                WHERE json_type(view, '$.record') = 'OBJECT'
            ),
            -- A post appears more than once (a thread's root again as a feed item's root):
            -- one row per post and file, at its first appearance.
            deduplicated AS (
                SELECT * FROM rows
                QUALIFY row_number() OVER (
                    PARTITION BY uri ORDER BY document_number, position
                ) = 1
            )
            SELECT
                * EXCLUDE (document_number, position),
                row_number() OVER (ORDER BY document_number, position) AS _source_row
            FROM deduplicated
            -- A post without uri or time would fail the whole run's raw gate; say so for
            -- this file instead.
            WHERE CASE
                WHEN uri IS NULL THEN error('a post has no uri')
                WHEN created_at IS NULL
                    THEN error('post ' || uri || ' has no parseable record.createdAt')
                ELSE true
            END
        """
