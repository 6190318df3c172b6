"""LinkedIn data export `messages.csv` (docs/formats.md §1).

`CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,
SUBJECT,CONTENT,FOLDER`, newer exports with more columns at the end (ATTACHMENTS, ...),
`DATE` like `2026-08-01 02:00:00 UTC`. Every message is private. Unsent drafts (`IS MESSAGE
DRAFT` = Yes, in exports that have the column) are not messages and are skipped.

There is no message id in the file. The id is `CONVERSATION ID:DATE:n`, n counting the rows
of that conversation with the same DATE in file order (almost always 1): it does not depend
on the row's position, so a later export with more messages gives the same ids again.
"""

from __future__ import annotations

from pathlib import Path

from learnloop.config import Config
from learnloop.errors import FormatError
from learnloop.ingest.csv_files import header_cells, read_csv_text_sql
from learnloop.ingest.formats.base import ExportFormat, FileSample
from learnloop.ingest.timestamps import parse_timestamp_sql

# Columns no other CSV export has: enough to tell this file from a generic inbox CSV.
_MARKERS = ("conversation id", "sender profile url", "recipient profile urls")
REQUIRED = (
    "CONVERSATION ID",
    "CONVERSATION TITLE",
    "FROM",
    "SENDER PROFILE URL",
    "TO",
    "RECIPIENT PROFILE URLS",
    "DATE",
    "SUBJECT",
    "CONTENT",
    "FOLDER",
)


def header_of(sample: FileSample) -> list[str]:
    return [cell.upper() for cell in header_cells(sample)]


class LinkedinMessages(ExportFormat):
    name = "linkedin_messages"
    platform = "linkedin"
    private_messages = True
    title = "LinkedIn messages.csv"
    raw_table = "linkedin_messages__messages"
    raw_description = "One row per sent message."
    column_docs = (
        (
            "message_id",
            "Derived (the export has none): CONVERSATION ID:DATE:n, n counting the conversation's rows with the same DATE in file order.",
        ),
        ("sender_profile_id", "Last path segment of SENDER PROFILE URL (/in/<id>, /company/<id>)."),
        ("sent_at", "DATE of the message as an instant."),
    )
    author_columns = ("from_name", "sender_profile_url", "sender_profile_id")
    id_column = "message_id"
    time_column = "sent_at"
    columns = (
        ("conversation_id", "VARCHAR"),
        ("conversation_title", "VARCHAR"),
        ("message_id", "VARCHAR"),
        ("from_name", "VARCHAR"),
        ("sender_profile_url", "VARCHAR"),
        ("sender_profile_id", "VARCHAR"),
        ("to_names", "VARCHAR"),
        ("recipient_profile_urls", "VARCHAR"),
        ("date_raw", "VARCHAR"),
        ("sent_at", "TIMESTAMPTZ"),
        ("subject", "VARCHAR"),
        ("content", "VARCHAR"),
        ("folder", "VARCHAR"),
    )

    def detect(self, sample: FileSample, config: Config) -> bool:
        if b"\x00" in sample.head:
            return False
        header = {cell.lower() for cell in header_of(sample)}
        return all(marker in header for marker in _MARKERS)

    def select_sql(self, path: Path, sample: FileSample, config: Config) -> str:
        missing = [column for column in REQUIRED if column not in header_of(sample)]
        if missing:
            raise FormatError(f"the header lacks the columns {', '.join(missing)}")
        # Drafts were never sent; _source_row still counts them, as it counts lines of the file.
        drafts = (
            "WHERE lower(trim(coalesce(\"IS MESSAGE DRAFT\", ''))) NOT IN ('yes', 'true')"
            if "IS MESSAGE DRAFT" in header_of(sample)
            else ""
        )
        # DuckDB matches the quoted names case-insensitively, as the header check above does.
        return f"""
            WITH rows AS (
                SELECT *, row_number() OVER () AS _source_row
                FROM {read_csv_text_sql(path)}
            )
            SELECT
                "CONVERSATION ID" AS conversation_id,
                "CONVERSATION TITLE" AS conversation_title,
                "CONVERSATION ID" || ':' || "DATE" || ':' || row_number() OVER (
                    PARTITION BY "CONVERSATION ID", "DATE" ORDER BY _source_row
                ) AS message_id,
                "FROM" AS from_name,
                "SENDER PROFILE URL" AS sender_profile_url,
                -- The profile's public id: the URL's last path segment (/in/<id>, /company/<id>).
                nullif(regexp_extract("SENDER PROFILE URL", '([^/?#]+)/?(?:[?#].*)?$', 1), '')
                    AS sender_profile_id,
                "TO" AS to_names,
                "RECIPIENT PROFILE URLS" AS recipient_profile_urls,
                "DATE" AS date_raw,
                {parse_timestamp_sql('"DATE"', config.timezone_for(self.name))} AS sent_at,
                "SUBJECT" AS subject,
                "CONTENT" AS content,
                "FOLDER" AS folder,
                _source_row
            FROM rows
            {drafts}
        """
