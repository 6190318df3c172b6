"""Facebook / Instagram "Download your information" direct messages (docs/formats.md §1).

`messages/inbox/<thread>/message_N.json` = `{participants:[{name}], messages:[{sender_name,
timestamp_ms, content, ...}], title, thread_path}`, newest message first. Every message is
a private interaction of the conversation `thread_path`.

Meta writes every string as mojibake: each UTF-8 byte as its own `\\u00XX` escape
(`L\\u00c3\\u00aa` is `Lê`). The reader repairs the file text before DuckDB reads it.

Platform: instagram when the file's name below landing/ (with the zip member's path) names
Instagram, e.g. the member `your_instagram_activity/messages/inbox/...` or an archive called
`instagram-<user>-<date>.zip`; else facebook. The messages themselves carry no reliable mark
of the platform: both exports have the same shape.

There is no message id in the file. The id is `thread_path:timestamp_ms:n`, n counting the
messages of that thread file with the same timestamp_ms in file order (almost always 1), so
it stays the same when a later export of the thread adds newer messages.
"""

from __future__ import annotations

import re
from pathlib import Path

from learnloop.config import Config
from learnloop.db import sql_literal
from learnloop.ingest.formats.base import ExportFormat, FileSample
from learnloop.ingest.formats.meta_dyi import repaired_document_sql

_SHAPE = (
    re.compile(r'"participants"\s*:\s*\['),
    re.compile(r'"messages"\s*:\s*\['),
    re.compile(r'"sender_name"\s*:'),
    re.compile(r'"timestamp_ms"\s*:'),
)


def platform_of(name: str) -> str:
    """From the landed name (`folder/file.json`, `archive.zip!member/path`)."""
    return "instagram" if "instagram" in name.lower() else "facebook"


class MetaDyiMessages(ExportFormat):
    name = "meta_dyi_messages"
    platform = None  # Messenger and Instagram, per row
    private_messages = True
    title = "Facebook/Instagram Download-your-information messages JSON"
    raw_table = "meta_dyi_messages__messages"
    raw_description = "One row per message of a thread file."
    column_docs = (
        ("platform", "instagram when the file's path names Instagram, else facebook."),
        (
            "message_id",
            "Derived (the export has none): thread_path:timestamp_ms:n, n counting the thread's messages with the same timestamp_ms in file order.",
        ),
        ("sent_at", "timestamp_ms (epoch milliseconds) as an instant."),
    )
    author_columns = ("sender_name",)
    id_column = "message_id"
    time_column = "sent_at"
    columns = (
        ("platform", "VARCHAR"),
        ("thread_path", "VARCHAR"),
        ("title", "VARCHAR"),
        ("message_id", "VARCHAR"),
        ("sender_name", "VARCHAR"),
        ("timestamp_ms", "BIGINT"),
        ("sent_at", "TIMESTAMPTZ"),
        ("content", "VARCHAR"),
    )

    def detect(self, sample: FileSample, config: Config) -> bool:
        text = sample.text
        return text.lstrip()[:1] == "{" and all(marker.search(text) for marker in _SHAPE)

    def select_sql(self, path: Path, sample: FileSample, config: Config) -> str:
        document = repaired_document_sql(
            path,
            """WHEN json_type(doc, '$.messages') IS DISTINCT FROM 'ARRAY'
                        THEN error('the file has no messages array')
                    WHEN json_extract_string(doc, '$.thread_path') IS NULL
                        THEN error('the file has no thread_path')""",
        )
        return f"""
            WITH {document},
            messages AS (
                SELECT json_extract_string(doc, '$.thread_path') AS thread_path,
                       json_extract_string(doc, '$.title') AS title,
                       unnest(messages) AS message,
                       generate_subscripts(messages, 1) AS position
                FROM (
                    SELECT doc, from_json(json_extract(doc, '$.messages'), '["json"]') AS messages
                    FROM document
                )
            ),
            typed AS (
                SELECT *,
                       try_cast(json_extract_string(message, '$.timestamp_ms') AS BIGINT)
                           AS timestamp_ms
                FROM messages
            )
            SELECT
                {sql_literal(platform_of(sample.name))} AS platform,
                thread_path,
                title,
                thread_path || ':' || timestamp_ms || ':' || row_number() OVER (
                    PARTITION BY timestamp_ms ORDER BY position
                ) AS message_id,
                json_extract_string(message, '$.sender_name') AS sender_name,
                timestamp_ms,
                -- Epoch milliseconds are a UTC instant; timezone('UTC', ...) keeps it exact.
                timezone('UTC', make_timestamp(timestamp_ms * 1000)) AS sent_at,
                json_extract_string(message, '$.content') AS content,
                position AS _source_row
            FROM typed
        """
