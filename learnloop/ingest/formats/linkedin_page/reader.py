"""LinkedIn Company Page exports, .xls and .xlsx (docs/formats.md §2).

Content workbook: sheets `Metrics` (daily page totals) and `All posts` (one row per post:
`Post title, Post link, Post type, Campaign name, Posted by, Created date, ..., Impressions,
Views, Clicks, Click through rate (CTR), Likes, Comments, Reposts, Follows, Engagement rate,
Content Type`). Followers workbook: sheet `New followers` (`Date, Sponsored followers,
Organic followers, Auto-invited followers, Total followers`) plus demographic sheets. Row 1
of each sheet is a title, the header is row 2; dates `MM/DD/YYYY`.

Headers follow the UI language, so sheets are found by their header row (English or German
names in the maps below), not by sheet name. Only `All posts` and `New followers` are read:
the Metrics sheet repeats the posts' sums per day, the other sheets are demographics.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from learnloop.config import Config
from learnloop.db import sql_identifier, sql_literal
from learnloop.errors import FormatError
from learnloop.ingest.csv_files import read_csv_text_sql
from learnloop.ingest.excel import SheetHeader, find_sheet, looks_like_workbook, sheet_as_csv
from learnloop.ingest.formats.base import ExportFormat, FileSample
from learnloop.ingest.numbers import count_sql
from learnloop.ingest.row_errors import fail_file_sql
from learnloop.ingest.timestamps import local_midnight_sql

# canonical field -> header names, lower-case (English first, then German).
POST_HEADERS: Mapping[str, tuple[str, ...]] = {
    "post_title": ("post title", "beitragstitel"),
    "post_link": ("post link", "beitragslink"),
    "post_type": ("post type", "beitragstyp"),
    "campaign_name": ("campaign name", "kampagnenname"),
    "posted_by": ("posted by", "gepostet von"),
    "created_date": ("created date", "erstellungsdatum"),
    "impressions": ("impressions", "impressionen"),
    "views": ("views", "aufrufe"),
    "clicks": ("clicks", "klicks"),
    "likes": ("likes", "reaktionen"),
    "comments": ("comments", "kommentare"),
    "reposts": ("reposts", "geteilte inhalte"),
    "follows": ("follows", "follower"),
    "content_type": ("content type", "inhaltstyp"),
}
POST_REQUIRED = ("post_link", "created_date")
FOLLOWER_HEADERS: Mapping[str, tuple[str, ...]] = {
    "date": ("date", "datum"),
    "sponsored_followers": ("sponsored followers", "gesponserte follower"),
    "organic_followers": ("organic followers", "organische follower"),
    "auto_invited_followers": ("auto-invited followers", "automatisch eingeladene follower"),
    "total_followers": ("total followers", "follower gesamt"),
}
FOLLOWER_REQUIRED = ("date", "total_followers")
# A header naming this many known columns is the sheet, even with a required one missing:
# then the file is quarantined naming the missing column rather than as an unknown format.
RECOGNISED_FIELDS = 4
DATE_FORMAT = "%m/%d/%Y"


def _english(field: str, headers: Mapping[str, tuple[str, ...]]) -> str:
    return headers[field][0].capitalize()


def _csv_columns(path: Path, header: SheetHeader) -> str:
    return read_csv_text_sql(sheet_as_csv(path, header))


def _count(header: SheetHeader, field: str) -> str:
    """A count as BIGINT: the converted cells read `1200` or `1200.0`; empty or `-` is NULL."""
    name = header.columns.get(field)
    return "NULL::BIGINT" if name is None else count_sql(sql_identifier(name))


def _text(header: SheetHeader, field: str) -> str:
    name = header.columns.get(field)
    return f"nullif(trim({sql_identifier(name)}), '')" if name else "NULL::VARCHAR"


class _LinkedinWorkbook(ExportFormat):
    headers: Mapping[str, tuple[str, ...]]
    required: tuple[str, ...]
    marker: str  # a field whose header every version of the sheet has
    sheet_title: str

    def header(self, sample: FileSample) -> SheetHeader | None:
        if not looks_like_workbook(sample.head):
            return None
        return find_sheet(sample.path, self.headers, (self.marker,), RECOGNISED_FIELDS)

    def detect(self, sample: FileSample, config: Config) -> bool:
        return self.header(sample) is not None

    def checked_header(self, sample: FileSample) -> SheetHeader:
        header = self.header(sample)
        if header is None:
            raise FormatError(f"no {self.sheet_title} sheet with a header row")
        missing = [
            _english(field, self.headers) for field in self.required if field not in header.columns
        ]
        if missing:
            raise FormatError(f"the {self.sheet_title} sheet lacks the column {', '.join(missing)}")
        return header

    def rows_sql(
        self, path: Path, header: SheetHeader, fields: str, keep: str, failures: str
    ) -> str:
        """The reader query over the sheet: the format's own `fields`, its count_columns (by
        header), the sheet's name and each line's number, for the lines where `keep` holds
        (spreadsheets end in empty rows); `failures` is the filter of fail_file_sql."""
        counts = ",\n".join(
            f"{_count(header, column)} AS {column}" for column in self.count_columns
        )
        return f"""
            WITH cells AS (
                SELECT *, row_number() OVER () AS _source_row
                FROM {_csv_columns(path, header)}
            ),
            sheet_rows AS (
                SELECT
                    {fields},
                    {counts},
                    {sql_literal(header.sheet)} AS sheet,
                    _source_row
                FROM cells
                WHERE {keep}
            )
            SELECT * FROM sheet_rows
            {failures}
        """


class LinkedinPageContent(_LinkedinWorkbook):
    headers = POST_HEADERS
    required = POST_REQUIRED
    marker = "created_date"
    sheet_title = "All posts"

    def select_sql(self, path: Path, sample: FileSample, config: Config) -> str:
        header = self.checked_header(sample)
        link = _text(header, "post_link")
        created = _text(header, "created_date")
        created_date = f"try_strptime({created}, '{DATE_FORMAT}')"
        failures = fail_file_sql(
            "WHEN post_id IS NULL THEN error("
            "'row ' || _source_row || ': the post link names no urn:li: post id')",
            # A missing date keeps the post (docs/kpis.md); an unreadable one is an error.
            "WHEN created_at IS NULL AND nullif(trim(created_date_raw), '') IS NOT NULL"
            " THEN error('row ' || _source_row || ': created date '''"
            " || created_date_raw || ''' is not MM/DD/YYYY')",
        )
        fields = f"""
                    -- urn:li:activity:…, urn:li:share:… or urn:li:ugcPost:…; links may
                    -- carry the urn percent-encoded.
                    nullif(regexp_extract(url_decode({link}), 'urn:li:[A-Za-z]+:[0-9]+'), '')
                        AS post_id,
                    {link} AS post_link,
                    {_text(header, "post_title")} AS post_title,
                    {_text(header, "post_type")} AS post_type,
                    {_text(header, "campaign_name")} AS campaign_name,
                    {_text(header, "posted_by")} AS posted_by,
                    {_text(header, "content_type")} AS content_type,
                    {created} AS created_date_raw,
                    {local_midnight_sql(created_date, config.timezone_for(self.name))}
                        AS created_at"""
        keep = f"{link} IS NOT NULL OR {created} IS NOT NULL"
        return self.rows_sql(path, header, fields, keep, failures)


class LinkedinPageFollowers(_LinkedinWorkbook):
    headers = FOLLOWER_HEADERS
    required = FOLLOWER_REQUIRED
    marker = "date"
    sheet_title = "New followers"

    def select_sql(self, path: Path, sample: FileSample, config: Config) -> str:
        header = self.checked_header(sample)
        day = _text(header, "date")
        date = f"try_strptime({day}, '{DATE_FORMAT}')"
        failures = fail_file_sql(
            "WHEN day_start IS NULL THEN error("
            "'row ' || _source_row || ': date ''' || date_raw || ''' is not MM/DD/YYYY')"
        )
        fields = f"""
                    {day} AS date_raw,
                    CAST({date} AS DATE) AS date,
                    {local_midnight_sql(date, config.timezone_for(self.name))} AS day_start"""
        return self.rows_sql(path, header, fields, f"{day} IS NOT NULL", failures)
