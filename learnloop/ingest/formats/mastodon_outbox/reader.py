"""Mastodon account archive `outbox.json` (docs/formats.md §2).

An ActivityPub `OrderedCollection` of the account's own activities: `Create` (object: the
Note with `id, published, inReplyTo, url, content (HTML), conversation, to, cc`) and
`Announce` (a boost; object: the boosted status's URL). Every activity becomes one row;
staging splits the brand's posts from its replies and leaves boosts out.

Quirk: Mastodon's backup writes the collection's own `"orderedItems":[]` and then appends
the real list under the same key, so the key appears twice, and `totalItems` is not the
list's length. DuckDB's `json_extract` takes the first (empty) value of a duplicate key;
`json_each` yields every key/value pair, so the rows come from every `orderedItems` list.
"""

from __future__ import annotations

import re
from pathlib import Path

from learnloop.config import Config
from learnloop.ingest.formats.base import ExportFormat, FileSample
from learnloop.ingest.html import html_to_text_sql
from learnloop.ingest.json_files import read_json_objects_sql
from learnloop.ingest.timestamps import parse_timestamp_sql

_COLLECTION = re.compile(r'"type"\s*:\s*"OrderedCollection"')
_ITEMS = re.compile(r'"orderedItems"\s*:')
# likes.json and bookmarks.json of the same archive are OrderedCollections of plain URLs.
_ACTIVITY = re.compile(r'"type"\s*:\s*"(Create|Announce)"')
# How ActivityPub addresses "everyone" (Mastodon writes the first).
_PUBLIC = "['https://www.w3.org/ns/activitystreams#Public', 'as:Public', 'Public']"


class MastodonOutbox(ExportFormat):
    name = "mastodon_outbox"
    platform = "mastodon"
    title = "Mastodon archive outbox.json"
    raw_table = "mastodon_outbox__activities"
    raw_description = "One row per Create (a status the account wrote) or Announce (a boost)."
    column_docs = (
        ("activity_id", "The activity's ActivityPub id (unique per file)."),
        (
            "status_id",
            "The status id on the account's instance (last part of the Note's id; for a boost, of the Announce's id).",
        ),
        ("in_reply_to", "The ActivityPub id (URI) of the status replied to."),
        (
            "in_reply_to_local_id",
            "That status's id when it lives on the account's own instance (its URI holds the instance's id), else NULL.",
        ),
        (
            "visibility",
            "public, unlisted, private (followers only) or direct, derived from the to/cc addressing.",
        ),
        ("published_at", "When the activity was published (UTC instant)."),
    )
    id_column = "activity_id"
    time_column = "published_at"
    columns = (
        ("activity_id", "VARCHAR"),
        ("activity_type", "VARCHAR"),
        ("status_id", "VARCHAR"),
        ("status_uri", "VARCHAR"),
        ("published_raw", "VARCHAR"),
        ("published_at", "TIMESTAMPTZ"),
        ("in_reply_to", "VARCHAR"),
        ("in_reply_to_local_id", "VARCHAR"),
        ("url", "VARCHAR"),
        ("conversation", "VARCHAR"),
        ("visibility", "VARCHAR"),
        ("content_html", "VARCHAR"),
        ("text", "VARCHAR"),
        ("actor", "VARCHAR"),
        ("author_handle", "VARCHAR"),
    )

    def detect(self, sample: FileSample, config: Config) -> bool:
        text = sample.text
        if text.lstrip()[:1] != "{":
            return False
        return all(marker.search(text) for marker in (_COLLECTION, _ITEMS, _ACTIVITY))

    def select_sql(self, path: Path, sample: FileSample, config: Config) -> str:
        note = "json_extract(item, '$.object')"
        is_note = f"json_type({note}) = 'OBJECT'"
        published = (
            "coalesce(json_extract_string(item, '$.object.published'), "
            "json_extract_string(item, '$.published'))"
        )
        addressed = (
            "list_concat("
            "coalesce(from_json(json_extract(item, '$.to'), '[\"varchar\"]'), []), "
            "coalesce(from_json(json_extract(item, '$.cc'), '[\"varchar\"]'), []))"
        )
        to = "coalesce(from_json(json_extract(item, '$.to'), '[\"varchar\"]'), [])"
        actor = "json_extract_string(item, '$.actor')"
        actor_host = f"regexp_extract({actor}, '^https?://([^/:]+)', 1)"
        in_reply_to = "json_extract_string(item, '$.object.inReplyTo')"
        return f"""
            WITH documents AS (
                SELECT json AS document
                FROM {read_json_objects_sql(path, sample)}
            ),
            -- Every orderedItems list, the empty duplicate included (see the module doc).
            lists AS (
                SELECT entry.id AS list_number, entry.value AS list
                FROM documents, json_each(documents.document) AS entry
                WHERE entry.key = 'orderedItems' AND entry.type = 'ARRAY'
            ),
            items AS (
                SELECT list_number, unnest(items) AS item,
                       generate_subscripts(items, 1) AS item_number
                FROM (SELECT list_number, from_json(list, '["json"]') AS items FROM lists)
            ),
            activities AS (
                SELECT
                    json_extract_string(item, '$.id') AS activity_id,
                    json_extract_string(item, '$.type') AS activity_type,
                    -- Mastodon's status id: the last part of the Note's id; for a boost, of
                    -- the Announce's id (…/statuses/ID/activity).
                    nullif(regexp_extract(
                        CASE WHEN {is_note} THEN json_extract_string({note}, '$.id')
                             ELSE json_extract_string(item, '$.id') END,
                        '/statuses/([0-9]+)(/activity)?$', 1), '') AS status_id,
                    CASE WHEN {is_note} THEN json_extract_string({note}, '$.id')
                         ELSE json_extract_string(item, '$.object') END AS status_uri,
                    {published} AS published_raw,
                    {parse_timestamp_sql(published, config.timezone_for(self.name))}
                        AS published_at,
                    {in_reply_to} AS in_reply_to,
                    -- A status of the account's own instance has that instance's API id in
                    -- its URI; a remote one's URI holds its home instance's id, not the one
                    -- the brand's instance gives it (staging looks that up by URI).
                    CASE WHEN regexp_extract({in_reply_to}, '^https?://([^/:]+)', 1)
                            = {actor_host}
                        THEN nullif(regexp_extract({in_reply_to}, '/statuses/([0-9]+)$', 1), '')
                    END AS in_reply_to_local_id,
                    json_extract_string(item, '$.object.url') AS url,
                    json_extract_string(item, '$.object.conversation') AS conversation,
                    -- Mastodon's visibility from the addressing: public = to everyone,
                    -- unlisted = cc everyone, private = followers only, else direct.
                    CASE
                        WHEN list_has_any({to}, {_PUBLIC}) THEN 'public'
                        WHEN list_has_any({addressed}, {_PUBLIC}) THEN 'unlisted'
                        WHEN list_contains({addressed}, {actor} || '/followers') THEN 'private'
                        ELSE 'direct'
                    END AS visibility,
                    json_extract_string(item, '$.object.content') AS content_html,
                    {html_to_text_sql("json_extract_string(item, '$.object.content')")} AS text,
                    {actor} AS actor,
                    -- The handle user@host that [brand] mastodon names and mastodon_api uses.
                    nullif(regexp_extract({actor}, '/users/([^/]+)$', 1), '') || '@'
                        || nullif({actor_host}, '') AS author_handle,
                    row_number() OVER (ORDER BY list_number, item_number) AS _source_row
                FROM items
            )
            SELECT * FROM activities
            -- An activity without id or time would fail the whole run's raw gate; say so for
            -- this file instead. A filter, so that a count (learnloop inspect) evaluates it.
            WHERE CASE
                WHEN activity_id IS NULL THEN error('an activity has no id')
                WHEN published_at IS NULL
                    THEN error('activity ' || activity_id || ' has no parseable published time')
                ELSE true
            END
        """
