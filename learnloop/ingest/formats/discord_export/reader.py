"""DiscordChatExporter JSON of a server channel (docs/formats.md, Discord).

`{guild: {id, name}, channel: {id, type, name, ...}, messages: [{id, type, timestamp,
content, author: {id, name, nickname, isBot, roles: [{id, name}]}, reference?:
{messageId}}], messageCount}`. Every message becomes one row, system messages (joins, pins)
too: staging keeps the dialogue. Which authors are the brand's (an account id, name or role)
is decided in staging against `[brand] discord`, so a change of it re-splits loaded rows.
"""

from __future__ import annotations

import re
from pathlib import Path

from learnloop.config import Config
from learnloop.ingest.formats.base import ExportFormat, FileSample
from learnloop.ingest.json_files import read_json_objects_sql
from learnloop.ingest.timestamps import parse_timestamp_sql

_EXPORT_START = re.compile(r'^\s*\{\s*"guild"\s*:\s*\{')
_CHANNEL = re.compile(r'"channel"\s*:\s*\{')


class DiscordChatExport(ExportFormat):
    name = "discord_export"
    platform = "discord"
    title = "DiscordChatExporter channel JSON"
    raw_table = "discord_export__messages"
    raw_description = "One row per message of the exported channel, system messages included."
    column_docs = (
        ("message_id", "The message's snowflake id."),
        ("created_at", "timestamp of the message (UTC instant)."),
        ("message_type", "Default, Reply, or a system message type (GuildMemberJoin, ...)."),
        ("author_roles", "The author's server role names, as a JSON array."),
    )
    author_columns = ("author_id", "author_name", "author_nickname")
    id_column = "message_id"
    time_column = "created_at"
    columns = (
        ("message_id", "VARCHAR"),
        ("message_type", "VARCHAR"),
        ("created_at_raw", "VARCHAR"),
        ("created_at", "TIMESTAMPTZ"),
        ("edited_at_raw", "VARCHAR"),
        ("content", "VARCHAR"),
        ("author_id", "VARCHAR"),
        ("author_name", "VARCHAR"),
        ("author_nickname", "VARCHAR"),
        ("author_is_bot", "BOOLEAN"),
        ("author_roles", "VARCHAR"),
        ("reference_message_id", "VARCHAR"),
        ("guild_id", "VARCHAR"),
        ("guild_name", "VARCHAR"),
        ("channel_id", "VARCHAR"),
        ("channel_name", "VARCHAR"),
    )

    def detect(self, sample: FileSample, config: Config) -> bool:
        text = sample.text
        return bool(_EXPORT_START.search(text)) and bool(_CHANNEL.search(text))

    def select_sql(self, path: Path, sample: FileSample, config: Config) -> str:
        timestamp = "json_extract_string(message, '$.timestamp')"
        return f"""
            WITH documents AS (
                SELECT json AS document
                FROM {read_json_objects_sql(path, sample)}
                -- A filter, so that a count (learnloop inspect) evaluates it too.
                WHERE CASE
                    WHEN json_type(json, '$.messages') = 'ARRAY' THEN true
                    ELSE error('the export holds no "messages" array')
                END
            ),
            messages AS (
                SELECT document, unnest(items) AS message,
                       generate_subscripts(items, 1) AS _source_row
                FROM (
                    SELECT document,
                           from_json(json_extract(document, '$.messages'), '["json"]') AS items
                    FROM documents
                )
            ),
            rows AS (
                SELECT
                    json_extract_string(message, '$.id') AS message_id,
                    json_extract_string(message, '$.type') AS message_type,
                    {timestamp} AS created_at_raw,
                    {parse_timestamp_sql(timestamp, config.timezone_for(self.name))}
                        AS created_at,
                    json_extract_string(message, '$.timestampEdited') AS edited_at_raw,
                    json_extract_string(message, '$.content') AS content,
                    json_extract_string(message, '$.author.id') AS author_id,
                    json_extract_string(message, '$.author.name') AS author_name,
                    json_extract_string(message, '$.author.nickname') AS author_nickname,
                    try_cast(json_extract_string(message, '$.author.isBot') AS BOOLEAN)
                        AS author_is_bot,
                    CAST(coalesce(json_extract(message, '$.author.roles[*].name'), '[]')
                        AS VARCHAR) AS author_roles,
                    json_extract_string(message, '$.reference.messageId')
                        AS reference_message_id,
                    json_extract_string(document, '$.guild.id') AS guild_id,
                    json_extract_string(document, '$.guild.name') AS guild_name,
                    json_extract_string(document, '$.channel.id') AS channel_id,
                    json_extract_string(document, '$.channel.name') AS channel_name,
                    _source_row
                FROM messages
            )
            SELECT * FROM rows
            -- A message without id or time would fail the whole run's raw gate; say so for
            -- this file instead.
            WHERE CASE
                WHEN message_id IS NULL
                    THEN error('message ' || _source_row || ' has no id')
                WHEN created_at IS NULL
                    THEN error('message ' || message_id || ' has no parseable timestamp')
                ELSE true
            END
        """
