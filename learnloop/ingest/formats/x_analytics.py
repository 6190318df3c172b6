"""What X's analytics CSV exports share: a header row that names the metrics and post links
that carry the handle. Their counts may be floats (`"1777.0"`) or `-`: numbers.count_sql."""

from __future__ import annotations

import functools
from collections.abc import Hashable, Mapping, Sequence
from pathlib import Path
from typing import ClassVar

from learnloop.config import Config
from learnloop.db import sql_identifier, sql_literal
from learnloop.errors import FormatError
from learnloop.ingest.csv_files import header_cells
from learnloop.ingest.formats.base import FileSample, FilesTogetherFormat, paths_sql
from learnloop.ingest.numbers import count_sql

# The metrics that X's content (per post) and account overview (per day) exports both have:
# raw column -> its header.
SHARED_METRICS = {
    "impressions": "impressions",
    "likes": "likes",
    "engagements": "engagements",
    "bookmarks": "bookmarks",
    "shares": "shares",
    "new_follows": "new follows",
}
# The Date of the content and account overview exports: `Sun, Aug 30, 2026`.
DATE_FORMAT = "%a, %b %d, %Y"
# X's ids are snowflakes: the creation time in ms since the Twitter epoch, shifted left 22.
TWITTER_EPOCH_MS = 1288834974657


def one_header_each(metrics: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    """`XAnalyticsCsv.metrics` for an export that spells each metric one way."""
    return {raw: (header,) for raw, header in metrics.items()}


def header_columns(sample: FileSample) -> dict[str, str]:
    """The header row's cells, lower-cased -> as written."""
    return dict(_header_columns(sample))


# Once per file: the three X analytics detectors ask for every landed file (a JSON export's
# first line can be thousands of "cells").
@functools.lru_cache(maxsize=8)
def _header_columns(sample: FileSample) -> tuple[tuple[str, str], ...]:
    if not sample.is_text:
        return ()
    cells = header_cells(sample)
    columns = {cell.lower(): cell for cell in cells}
    # A repeated header cannot be named; such a file is not one of these exports.
    return tuple(columns.items()) if len(columns) == len(cells) else ()


def column_sql(columns: Mapping[str, str], *names: str) -> str:
    """The first of `names` (lower-case) that the header has, quoted; NULL when none is."""
    for name in names:
        if name in columns:
            return sql_identifier(columns[name])
    return "NULL"


def require(columns: Mapping[str, str], *names: str) -> None:
    missing = [name for name in names if name not in columns]
    if missing:
        raise FormatError(f"the header lacks the columns {', '.join(missing)}")


def handle_from_link_sql(link: str) -> str:
    """The handle in `https://twitter.com/<handle>/status/<id>` (also x.com, mobile.)."""
    pattern = r"^https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/([A-Za-z0-9_]+)/status/"
    return f"nullif(regexp_extract({link}, {sql_literal(pattern)}, 1), '')"


def snowflake_time_sql(post_id: str) -> str:
    """The instant an X id was created (UTC), NULL when the id is not a number."""
    milliseconds = f"(try_cast({post_id} AS BIGINT) >> 22) + {TWITTER_EPOCH_MS}"
    return f"timezone('UTC', epoch_ms({milliseconds}))"


def read_csv_sql(paths: Sequence[Path], columns: Mapping[str, str]) -> str:
    """read_csv of files with the header's columns given, all text: DuckDB's sniffer is not
    asked (a truncated file then fails on its broken line, not with "could not sniff").
    Quoted fields may hold line breaks; typing happens in SQL."""
    types = "{" + ", ".join(f"{sql_literal(name)}: 'VARCHAR'" for name in columns.values()) + "}"
    return (
        f"read_csv({paths_sql(paths)}, header = true, auto_detect = false, "
        f"columns = {types}, delim = ',', quote = '\"', escape = '\"')"
    )


class XAnalyticsCsv(FilesTogetherFormat):
    """An X analytics CSV: recognised by its metric headers, its counts named by header.
    Files with the same header are read together."""

    markers: ClassVar[tuple[str, ...]]  # lower-case headers the export always has
    # Raw count column -> the headers that may carry it (newest spelling first).
    metrics: ClassVar[Mapping[str, tuple[str, ...]]]

    def detect(self, sample: FileSample, config: Config) -> bool:
        columns = header_columns(sample)
        return all(marker in columns for marker in self.markers)

    def shared_reading(self, sample: FileSample, config: Config) -> Hashable | None:
        return tuple(header_columns(sample).items())

    def counts_sql(self, columns: Mapping[str, str]) -> str:
        """The select list of the counts; a count whose header is missing is NULL."""
        return ",\n".join(
            f"{count_sql(column_sql(columns, *headers), strict=False)} AS {raw}"
            for raw, headers in self.metrics.items()
        )

    def rows_sql(
        self, paths: Sequence[Path], columns: Mapping[str, str], fields: str, failures: str
    ) -> str:
        """The reader query: the format's own `fields`, the counts, the file and the row
        number of each line; `failures` is the filter of fail_file_sql."""
        return f"""
            SELECT * FROM (
                SELECT
                    {fields},
                    {self.counts_sql(columns)},
                    file_index,
                    row_number() OVER () AS _source_row
                FROM {read_csv_sql(paths, columns)}
            )
            {failures}
        """


def whole_number_id_sql(id_column: str, label: str) -> str:
    """Branches for fail_file_sql: the row's id is missing or not a whole number (a
    spreadsheet re-saved the file and rounded it to 1.88E+18)."""
    return f"""WHEN nullif({id_column}, '') IS NULL THEN error('a row has no {label}')
                WHEN NOT regexp_full_match({id_column}, '[0-9]+')
                    THEN error('{label} ' || {id_column} || ' is not a whole number (was the '
                               || 'file saved by a spreadsheet program?)')"""
