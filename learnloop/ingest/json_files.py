"""DuckDB's JSON reader, sized per file so that large exports stream with bounded memory."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from pathlib import Path

from learnloop.db import sql_literal
from learnloop.ingest.formats.base import FileSample, paths_sql

# DuckDB's default; it keeps a buffer of about this size per reading thread.
JSON_LINES_OBJECT_BYTES = 16 * 1024 * 1024


def looks_like_json(sample: FileSample, *markers: re.Pattern[str], opens: str = "{[") -> bool:
    """What a JSON format's detector asks: does the file open with one of `opens` (an object,
    an array) and does each marker occur in its first bytes (searched after leading white
    space, so a marker anchored with `^` sees the opening bracket)."""
    text = sample.text.lstrip()
    return text.startswith(tuple(opens)) and all(marker.search(text) for marker in markers)


# Asked several times per file (its reader, how it is batched); a whole document's first line
# is up to the sample's 64 KiB.
@functools.lru_cache(maxsize=8)
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


def read_json_objects_sql(paths: Path | Sequence[Path], sample: FileSample) -> str:
    """`read_json_objects(...)` for the file (or files, all JSON Lines or all not, like
    `sample`): JSON Lines stream line by line; a single JSON document (or an array of pages)
    must fit one object buffer, so that buffer is the file (the largest of them)."""
    files = [paths] if isinstance(paths, Path) else list(paths)
    if is_json_lines(sample):
        limit = JSON_LINES_OBJECT_BYTES
    else:
        limit = max(JSON_LINES_OBJECT_BYTES, *(path.stat().st_size + 1 for path in files))
    source = sql_literal(str(paths)) if isinstance(paths, Path) else paths_sql(files)
    return f"read_json_objects({source}, format = 'auto', maximum_object_size = {limit})"


def documents_sql(paths: Path | Sequence[Path], sample: FileSample, *, numbered: bool) -> str:
    """CTE `documents`: the file's JSON documents as `document` and, when `numbered`, their
    1-based position as `document_number`; of a list of files, also the `file_index` of
    each (from 0), the documents numbered across the files in their order. Ends without a
    trailing comma."""
    number = ", row_number() OVER () AS document_number" if numbered else ""
    file_index = "" if isinstance(paths, Path) else ", file_index"
    return f"""documents AS (
                SELECT json AS document{file_index}{number}
                FROM {read_json_objects_sql(paths, sample)}
            )"""


def array_items_sql(name: str, array_path: str, *, files: bool = False) -> str:
    """CTE `name` over a CTE `documents` (document, document_number, and `file_index` when
    `files`): every element of each document's JSON array at `array_path` as `item`, with
    its 1-based `item_number`; a document without that array gives none. Ends without a
    trailing comma."""
    array = sql_literal(array_path)
    file_index = "file_index, " if files else ""
    return f"""
        {name} AS (
            SELECT {file_index}document_number, unnest(items) AS item,
                   generate_subscripts(items, 1) AS item_number
            FROM (
                SELECT {file_index}document_number,
                       from_json(json_extract(document, {array}), '["json"]') AS items
                FROM documents
                WHERE json_type(document, {array}) = 'ARRAY'
            )
        )"""


def graph_data_items_sql(paths: Path | Sequence[Path], sample: FileSample) -> str:
    """CTEs `documents` (the file's JSON documents, numbered) and `graph_items` (every element
    of a Graph API response's `data` array, with its position), shared by Meta's Graph
    readers; of a list of files, both with `file_index`. Ends without a trailing comma, so a
    reader continues with `, name AS (...)`."""
    items = array_items_sql("graph_items", "$.data", files=not isinstance(paths, Path))
    return f"""
        {documents_sql(paths, sample, numbered=True)},{items}"""


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


class JsonPaths:
    """Several JSON paths read from one value with one parse: `extract_sql` is the list of
    their strings (json_extract_string with a list of paths), `self["$.path"]` one of them
    from that list. Reading path by path parses the value once per path, which made the
    YouTube reader three times slower."""

    def __init__(self, column: str, *paths: str) -> None:
        self.column = column  # the name the list of strings gets
        self.paths = paths

    def extract_sql(self, value: str) -> str:
        paths = ", ".join(sql_literal(path) for path in self.paths)
        return f"json_extract_string({value}, [{paths}]) AS {self.column}"

    def __getitem__(self, path: str) -> str:
        return f"{self.column}[{self.paths.index(path) + 1}]"
