"""Mastodon REST API statuses JSON (docs/formats.md §1).

Accepts an array of statuses (timelines, account statuses, search), a context response
(`GET /api/v1/statuses/:id/context`: `{"ancestors":[...], "descendants":[...]}`, which
leaves out the status asked about), a single status, or JSON Lines of any of these. Every
status becomes one row; the HTML content is turned into plain text here, with DuckDB.

Which statuses are the brand's (its posts vs. its replies) is decided in staging against
the configured `[brand] mastodon` handles, so a later change of the configuration re-splits
statuses already loaded.
"""

from __future__ import annotations

import re
from pathlib import Path

from learnloop.config import Config
from learnloop.ingest.formats.base import ExportFormat, FileSample
from learnloop.ingest.html import html_to_text_sql
from learnloop.ingest.json_files import read_json_objects_sql
from learnloop.ingest.timestamps import parse_timestamp_sql

# Keys only Mastodon's REST entities spell this way (the ActivityPub outbox says inReplyTo).
_STATUS_KEYS = (re.compile(r'"in_reply_to_account_id"\s*:'), re.compile(r'"reblogs_count"\s*:'))
_CONTEXT = re.compile(r'^\s*\{\s*"(ancestors|descendants)"\s*:\s*\[')


class MastodonApiJson(ExportFormat):
    name = "mastodon_api"
    platform = "mastodon"
    title = "Mastodon API statuses JSON"
    raw_table = "mastodon_api__statuses"
    raw_description = "One row per status (a context response's ancestors and descendants)."
    column_docs = (
        ("status_id", "The status id on the instance the API was asked."),
        ("created_at", "created_at of the status (UTC instant)."),
    )
    author_columns = (
        "account_id",
        "account_username",
        "account_acct",
        "account_display_name",
        "account_url",
        "author_handle",
    )
    id_column = "status_id"
    time_column = "created_at"
    count_columns = ("replies_count", "reblogs_count", "favourites_count")
    columns = (
        ("status_id", "VARCHAR"),
        ("context_part", "VARCHAR"),
        ("created_at_raw", "VARCHAR"),
        ("created_at", "TIMESTAMPTZ"),
        ("in_reply_to_id", "VARCHAR"),
        ("in_reply_to_account_id", "VARCHAR"),
        ("reblog_of_id", "VARCHAR"),
        ("visibility", "VARCHAR"),
        ("language", "VARCHAR"),
        ("url", "VARCHAR"),
        ("uri", "VARCHAR"),
        ("content_html", "VARCHAR"),
        ("text", "VARCHAR"),
        ("account_id", "VARCHAR"),
        ("account_username", "VARCHAR"),
        ("account_acct", "VARCHAR"),
        ("account_display_name", "VARCHAR"),
        ("account_url", "VARCHAR"),
        ("author_handle", "VARCHAR"),
        ("replies_count", "BIGINT"),
        ("reblogs_count", "BIGINT"),
        ("favourites_count", "BIGINT"),
    )

    def detect(self, sample: FileSample, config: Config) -> bool:
        text = sample.text
        if text.lstrip()[:1] not in ("{", "["):
            return False
        return bool(_CONTEXT.search(text)) or all(key.search(text) for key in _STATUS_KEYS)

    def select_sql(self, path: Path, sample: FileSample, config: Config) -> str:
        created_at = "json_extract_string(status, '$.created_at')"
        username = "json_extract_string(status, '$.account.username')"
        acct = "json_extract_string(status, '$.account.acct')"
        account_url = "json_extract_string(status, '$.account.url')"
        # `acct` is `user@host` for remote accounts but just `user` for the instance's own;
        # the host of the account's profile URL completes a local handle.
        handle = (
            f"CASE WHEN contains({acct}, '@') THEN {acct} "
            f"ELSE {username} || '@' || nullif(regexp_extract({account_url}, "
            f"'^https?://([^/:]+)', 1), '') END"
        )
        return f"""
            WITH documents AS (
                SELECT json AS document, row_number() OVER () AS document_number
                FROM {read_json_objects_sql(path, sample)}
            ),
            -- read_json_objects yields the elements of a top-level array; a context
            -- response is one object with two lists, a bare status an object with an id.
            statuses AS (
                SELECT document_number, part, unnest(list) AS status,
                       generate_subscripts(list, 1) AS status_number
                FROM (
                    SELECT document_number, 'ancestors' AS part,
                           from_json(json_extract(document, '$.ancestors'), '["json"]') AS list
                    FROM documents
                    UNION ALL
                    SELECT document_number, 'descendants',
                           from_json(json_extract(document, '$.descendants'), '["json"]')
                    FROM documents
                )
                WHERE list IS NOT NULL
                UNION ALL
                SELECT document_number, NULL, document, 0
                FROM documents
                WHERE json_extract(document, '$.ancestors') IS NULL
                    AND json_extract(document, '$.descendants') IS NULL
            ),
            rows AS (
                SELECT
                    json_extract_string(status, '$.id') AS status_id,
                    part AS context_part,
                    {created_at} AS created_at_raw,
                    {parse_timestamp_sql(created_at, config.timezone_for(self.name))}
                        AS created_at,
                    json_extract_string(status, '$.in_reply_to_id') AS in_reply_to_id,
                    json_extract_string(status, '$.in_reply_to_account_id')
                        AS in_reply_to_account_id,
                    json_extract_string(status, '$.reblog.id') AS reblog_of_id,
                    json_extract_string(status, '$.visibility') AS visibility,
                    json_extract_string(status, '$.language') AS language,
                    json_extract_string(status, '$.url') AS url,
                    json_extract_string(status, '$.uri') AS uri,
                    json_extract_string(status, '$.content') AS content_html,
                    {html_to_text_sql("json_extract_string(status, '$.content')")} AS text,
                    json_extract_string(status, '$.account.id') AS account_id,
                    {username} AS account_username,
                    {acct} AS account_acct,
                    json_extract_string(status, '$.account.display_name')
                        AS account_display_name,
                    {account_url} AS account_url,
                    {handle} AS author_handle,
                    try_cast(json_extract_string(status, '$.replies_count') AS BIGINT)
                        AS replies_count,
                    try_cast(json_extract_string(status, '$.reblogs_count') AS BIGINT)
                        AS reblogs_count,
                    try_cast(json_extract_string(status, '$.favourites_count') AS BIGINT)
                        AS favourites_count,
                    document_number,
                    -- Ancestors before descendants, as the thread reads.
                    CASE part WHEN 'descendants' THEN 1 ELSE 0 END AS part_number,
                    status_number
                FROM statuses
            ),
            -- Context responses of one thread repeat statuses; one row per id and file.
            deduplicated AS (
                SELECT * FROM rows
                QUALIFY row_number() OVER (
                    PARTITION BY status_id ORDER BY document_number, part_number, status_number
                ) = 1
            )
            SELECT
                * EXCLUDE (document_number, part_number, status_number),
                row_number() OVER (
                    ORDER BY document_number, part_number, status_number
                ) AS _source_row
            FROM deduplicated
            -- A status without id or time would fail the whole run's raw gate; say so for
            -- this file instead. A filter, so that a count (learnloop inspect) evaluates it.
            WHERE CASE
                WHEN status_id IS NULL THEN error('a status has no id')
                WHEN created_at IS NULL
                    THEN error('status ' || status_id || ' has no parseable created_at')
                ELSE true
            END
        """
