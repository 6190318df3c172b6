"""Social inbox / listening CSV (Hootsuite Inbox, Sprout Social, Sparkcentral, Brandwatch, ...).

Columns are found by header synonyms (docs/formats.md §1), case-insensitively; `[inbox.columns]`
in learnloop.toml names the headers of any other tool. Tools that put metadata lines above
the header are handled by looking for the header in the first lines.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from learnloop.config import Config
from learnloop.db import sql_identifier, sql_literal
from learnloop.errors import FormatError
from learnloop.ingest.formats.base import ExportFormat, FileSample
from learnloop.ingest.timestamps import parse_timestamp_sql

SYNONYMS: Mapping[str, tuple[str, ...]] = {
    "conversation_id": ("conversation id", "thread id"),
    "message_id": ("message id", "id", "mention id"),
    "created_at": ("created at", "message date", "date", "timestamp"),
    "direction": ("direction", "sender type"),
    "author": ("author", "from", "sender", "contact primary identifier"),
    "platform": ("network", "channel", "medium", "page type"),
    "text": ("message", "content", "text", "full text", "snippet"),
    "parent_id": ("parent post id", "in reply to"),
    "post_url": ("url", "post url"),
}
REQUIRED = ("message_id", "created_at", "platform", "text")
# A header naming this many canonical fields is an inbox export, even when a required one is
# missing: then the file is quarantined with the missing columns named, not as "unknown".
RECOGNISED_FIELDS = 3
# How many lines above the header a tool may write (Brandwatch writes 5-6).
MAX_PREAMBLE_LINES = 12
DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True)
class Header:
    line: int  # 0-based line number of the header row
    delimiter: str
    columns: Mapping[str, str]  # canonical field -> header as written in the file


def find_header(text: str, extra: Mapping[str, str]) -> Header | None:
    """The first line among the first few that names enough canonical fields to be a header."""
    return _find_header(text, tuple(extra.items()))


# Once per file: the detector asks for every landed file, the reader again for its own.
@functools.lru_cache(maxsize=8)
def _find_header(text: str, configured: tuple[tuple[str, str], ...]) -> Header | None:
    extra = dict(configured)
    lines = text.splitlines()[:MAX_PREAMBLE_LINES]
    for number, line in enumerate(lines):
        delimiter = max(DELIMITERS, key=line.count)
        cells = next(csv.reader(io.StringIO(line), delimiter=delimiter), [])
        columns = _resolve(cells, extra)
        # An inbox tool writes a message id, or at least each message's time and network.
        # LinkedIn's messages.csv names From, Date and Content too, but no id and no
        # network: it is not an inbox's export (and its own detector takes it).
        if len(columns) >= RECOGNISED_FIELDS and (
            "message_id" in columns or {"created_at", "platform"} <= columns.keys()
        ):
            return Header(number, delimiter, columns)
    return None


def missing_required(header: Header) -> list[str]:
    return [field for field in REQUIRED if field not in header.columns]


def _resolve(cells: list[str], extra: Mapping[str, str]) -> dict[str, str]:
    by_lower = {}
    for cell in cells:
        by_lower.setdefault(cell.strip().lower(), cell)
    columns: dict[str, str] = {}
    for field, synonyms in SYNONYMS.items():
        # A configured header is tried first; the known synonyms still serve other tools.
        wanted = (extra[field].strip().lower(), *synonyms) if field in extra else synonyms
        for synonym in wanted:
            if synonym in by_lower:
                columns[field] = by_lower[synonym]
                break
    return columns


class InboxCsv(ExportFormat):
    def detect(self, sample: FileSample, config: Config) -> bool:
        return sample.is_text and find_header(sample.text, config.inbox_columns) is not None

    def select_sql(self, path: Path, sample: FileSample, config: Config) -> str:
        header = find_header(sample.text, config.inbox_columns)
        if header is None:
            raise FormatError(f"no header row naming the columns {', '.join(REQUIRED)}")
        missing = missing_required(header)
        if missing:
            described = "; ".join(f"{f} (one of: {', '.join(SYNONYMS[f])})" for f in missing)
            raise FormatError(f"the header lacks required columns: {described}")

        def column(field: str) -> str:
            header_name = header.columns.get(field)
            return f"{sql_identifier(header_name)}" if header_name else "NULL"

        created_at = column("created_at")
        timezone = config.timezone_for(self.name)
        return f"""
            SELECT
                {column("conversation_id")} AS conversation_id,
                {column("message_id")} AS message_id,
                {created_at} AS created_at_raw,
                {parse_timestamp_sql(created_at, timezone)} AS created_at,
                {column("direction")} AS direction_raw,
                {column("author")} AS author,
                {column("platform")} AS platform_raw,
                {column("text")} AS text,
                {column("parent_id")} AS parent_id,
                {column("post_url")} AS post_url,
                row_number() OVER () AS _source_row
            FROM read_csv(
                {sql_literal(str(path))},
                header = true,
                skip = {header.line},
                delim = {sql_literal(header.delimiter)},
                quote = '"',
                escape = '"',
                all_varchar = true
            )
        """
