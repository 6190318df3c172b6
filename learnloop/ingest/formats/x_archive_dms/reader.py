"""X (Twitter) archive direct messages, `data/direct-messages.js` (docs/formats.md §1).

`window.YTD.direct_messages.part0 = [{"dmConversation":{"conversationId", "messages":[
{"messageCreate":{"senderId","recipientId","text","createdAt","id"}}]}}]`: JavaScript, not
JSON, until the assignment prefix is cut off. Group chats (`direct-messages-group.js`,
`window.YTD.direct_messages_group`) have the same shape without recipientId. Events other
than messageCreate (joins, name changes) are not messages and are skipped.
"""

from __future__ import annotations

from pathlib import Path

from learnloop.config import Config
from learnloop.ingest.formats.base import ExportFormat, FileSample
from learnloop.ingest.formats.x_archive import ytd_items_sql, ytd_prefix
from learnloop.ingest.timestamps import parse_timestamp_sql

_PREFIX = ytd_prefix("direct_messages(?:_group)?")


class XArchiveDms(ExportFormat):
    name = "x_archive_dms"
    platform = "x"
    private_messages = True
    title = "X archive direct-messages.js"
    raw_table = "x_archive_dms__messages"
    raw_description = "One row per direct message."
    column_docs = (
        ("message_id", "The message's id in the archive."),
        ("created_at", "createdAt of the message."),
    )
    author_columns = ("sender_id",)
    id_column = "message_id"
    time_column = "created_at"
    columns = (
        ("conversation_id", "VARCHAR"),
        ("message_id", "VARCHAR"),
        ("sender_id", "VARCHAR"),
        ("recipient_id", "VARCHAR"),
        ("text", "VARCHAR"),
        ("created_at_raw", "VARCHAR"),
        ("created_at", "TIMESTAMPTZ"),
    )

    def detect(self, sample: FileSample, config: Config) -> bool:
        return bool(_PREFIX.match(sample.text))

    def select_sql(self, path: Path, sample: FileSample, config: Config) -> str:
        created_at = "json_extract_string(message, '$.createdAt')"
        return f"""
            WITH conversations AS (
                SELECT item, item_number AS conversation_number
                FROM ({ytd_items_sql(path)})
            ),
            events AS (
                SELECT conversation_number, conversation_id,
                       unnest(events) AS event, generate_subscripts(events, 1) AS event_number
                FROM (
                    SELECT conversation_number,
                           json_extract_string(item, '$.dmConversation.conversationId')
                               AS conversation_id,
                           from_json(json_extract(item, '$.dmConversation.messages'), '["json"]')
                               AS events
                    FROM conversations
                )
            ),
            messages AS (
                SELECT *, json_extract(event, '$.messageCreate') AS message
                FROM events
                WHERE json_extract(event, '$.messageCreate') IS NOT NULL
            )
            SELECT
                conversation_id,
                json_extract_string(message, '$.id') AS message_id,
                json_extract_string(message, '$.senderId') AS sender_id,
                json_extract_string(message, '$.recipientId') AS recipient_id,
                json_extract_string(message, '$.text') AS text,
                {created_at} AS created_at_raw,
                {parse_timestamp_sql(created_at, config.timezone_for(self.name))} AS created_at,
                row_number() OVER (ORDER BY conversation_number, event_number) AS _source_row
            FROM messages
        """
