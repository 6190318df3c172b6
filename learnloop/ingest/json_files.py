"""DuckDB's JSON reader, sized per file so that large exports stream with bounded memory."""

from __future__ import annotations

import json
import re
from pathlib import Path

from learnloop.db import sql_literal
from learnloop.ingest.formats.base import FileSample

# DuckDB's default; it keeps a buffer of about this size per reading thread.
JSON_LINES_OBJECT_BYTES = 16 * 1024 * 1024


def looks_like_json(sample: FileSample, *markers: re.Pattern[str], opens: str = "{[") -> bool:
    """What a JSON format's detector asks: does the file open with one of `opens` (an object,
    an array) and does each marker occur in its first bytes (searched after leading white
    space, so a marker anchored with `^` sees the opening bracket)."""
    text = sample.text.lstrip()
    return text.startswith(tuple(opens)) and all(marker.search(text) for marker in markers)


def is_json_lines(sample: FileSample) -> bool:
    """True when the first line is a whole JSON object by itself (JSON Lines)."""
    lines = sample.text.lstrip().splitlines()
    if not lines or not lines[0].startswith("{"):
        return False
    try:
        json.loads(lines[0])
    except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        return False
    return True


def read_json_objects_sql(path: Path, sample: FileSample) -> str:
    """`read_json_objects(...)` for the file: JSON Lines stream line by line; a single JSON
    document (or an array of pages) must fit one object buffer, so that buffer is the file."""
    if is_json_lines(sample):
        limit = JSON_LINES_OBJECT_BYTES
    else:
        limit = max(JSON_LINES_OBJECT_BYTES, path.stat().st_size + 1)
    return (
        f"read_json_objects({sql_literal(str(path))}, format = 'auto', "
        f"maximum_object_size = {limit})"
    )


def documents_sql(path: Path, sample: FileSample, *, numbered: bool) -> str:
    """CTE `documents`: the file's JSON documents as `document` and, when `numbered`, their
    1-based position as `document_number`. Ends without a trailing comma."""
    number = ", row_number() OVER () AS document_number" if numbered else ""
    return f"""documents AS (
                SELECT json AS document{number}
                FROM {read_json_objects_sql(path, sample)}
            )"""


def array_items_sql(name: str, array_path: str) -> str:
    """CTE `name` over a CTE `documents` (document, document_number): every element of each
    document's JSON array at `array_path` as `item`, with its 1-based `item_number`; a
    document without that array gives none. Ends without a trailing comma."""
    array = sql_literal(array_path)
    return f"""
        {name} AS (
            SELECT document_number, unnest(items) AS item,
                   generate_subscripts(items, 1) AS item_number
            FROM (
                SELECT document_number,
                       from_json(json_extract(document, {array}), '["json"]') AS items
                FROM documents
                WHERE json_type(document, {array}) = 'ARRAY'
            )
        )"""


def graph_data_items_sql(path: Path, sample: FileSample) -> str:
    """CTEs `documents` (the file's JSON documents, numbered) and `graph_items` (every element
    of a Graph API response's `data` array, with its position), shared by Meta's Graph
    readers. Ends without a trailing comma, so a reader continues with `, name AS (...)`."""
    return f"""
        {documents_sql(path, sample, numbered=True)},{array_items_sql("graph_items", "$.data")}"""


def first_appearances_sql(rows: str, id_column: str, order: str) -> str:
    """A query over the relation `rows`: each `id_column` once, where it first appears in
    `order` (columns that give the file order: responses that overlap, or a thread and a
    feed, repeat an item, and the raw gate wants one row per id and file), numbered in that
    order as `_source_row`, without the `order` columns."""
    return f"""
            SELECT * EXCLUDE ({order}), row_number() OVER (ORDER BY {order}) AS _source_row
            FROM (
                SELECT * FROM {rows}
                QUALIFY row_number() OVER (PARTITION BY {id_column} ORDER BY {order}) = 1
            )"""
