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
    platform = "linkedin"
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


class LinkedinPageContent(_LinkedinWorkbook):
    name = "linkedin_page_content"
    title = "LinkedIn Company Page content export"
    raw_table = "linkedin_page_content__posts"
    raw_description = "One row per post of the All posts sheet, lifetime metrics as of the export."
    column_docs = (
        (
            "post_id",
            "The post's urn (urn:li:activity:…, urn:li:share:… or urn:li:ugcPost:…) from its link.",
        ),
        ("created_at", "Created date (MM/DD/YYYY) as local midnight (UTC instant)."),
    )
    id_column = "post_id"
    time_column = "created_at"
    time_required = False  # docs/kpis.md: a post without a known publish time is kept
    count_columns = ("impressions", "views", "clicks", "likes", "comments", "reposts", "follows")
    columns = (
        ("post_id", "VARCHAR"),
        ("post_link", "VARCHAR"),
        ("post_title", "VARCHAR"),
        ("post_type", "VARCHAR"),
        ("campaign_name", "VARCHAR"),
        ("posted_by", "VARCHAR"),
        ("content_type", "VARCHAR"),
        ("created_date_raw", "VARCHAR"),
        ("created_at", "TIMESTAMPTZ"),
        ("impressions", "BIGINT"),
        ("views", "BIGINT"),
        ("clicks", "BIGINT"),
        ("likes", "BIGINT"),
        ("comments", "BIGINT"),
        ("reposts", "BIGINT"),
        ("follows", "BIGINT"),
        ("sheet", "VARCHAR"),
    )
    headers = POST_HEADERS
    required = POST_REQUIRED
    marker = "created_date"
    sheet_title = "All posts"

    def select_sql(self, path: Path, sample: FileSample, config: Config) -> str:
        header = self.checked_header(sample)
        link = _text(header, "post_link")
        created = _text(header, "created_date")
        created_date = f"try_strptime({created}, '{DATE_FORMAT}')"
        return f"""
            WITH cells AS (
                SELECT *, row_number() OVER () AS _source_row
                FROM {_csv_columns(path, header)}
            ),
            posts AS (
                SELECT
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
                        AS created_at,
                    {_count(header, "impressions")} AS impressions,
                    {_count(header, "views")} AS views,
                    {_count(header, "clicks")} AS clicks,
                    {_count(header, "likes")} AS likes,
                    {_count(header, "comments")} AS comments,
                    {_count(header, "reposts")} AS reposts,
                    {_count(header, "follows")} AS follows,
                    {sql_literal(header.sheet)} AS sheet,
                    _source_row
                FROM cells
                -- Spreadsheets end in empty rows.
                WHERE {link} IS NOT NULL OR {created} IS NOT NULL
            )
            SELECT * FROM posts
            -- A row without id (or with an unreadable date) would fail the whole run's raw
            -- gate; say so for this file instead. A filter, so that a count (learnloop inspect) evaluates it.
            WHERE CASE
                WHEN post_id IS NULL THEN error(
                    'row ' || _source_row || ': the post link names no urn:li: post id')
                -- A missing date keeps the post (docs/kpis.md); an unreadable one is an error.
                WHEN created_at IS NULL AND nullif(trim(created_date_raw), '') IS NOT NULL
                    THEN error('row ' || _source_row || ': created date '''
                        || created_date_raw || ''' is not MM/DD/YYYY')
                ELSE true
            END
        """


class LinkedinPageFollowers(_LinkedinWorkbook):
    name = "linkedin_page_followers"
    title = "LinkedIn Company Page followers export"
    raw_table = "linkedin_page_followers__daily"
    raw_description = "One row per day: new followers, sponsored, organic, auto-invited and their total (total_followers is the day's new followers, not the page's follower count)."
    column_docs = (
        ("date_raw", "Date as written (MM/DD/YYYY)."),
        ("day_start", "The date's local midnight (UTC instant)."),
    )
    id_column = "date_raw"
    time_column = "day_start"
    count_columns = (
        "sponsored_followers",
        "organic_followers",
        "auto_invited_followers",
        "total_followers",
    )
    columns = (
        ("date_raw", "VARCHAR"),
        ("date", "DATE"),
        ("day_start", "TIMESTAMPTZ"),
        ("sponsored_followers", "BIGINT"),
        ("organic_followers", "BIGINT"),
        ("auto_invited_followers", "BIGINT"),
        ("total_followers", "BIGINT"),
        ("sheet", "VARCHAR"),
    )
    headers = FOLLOWER_HEADERS
    required = FOLLOWER_REQUIRED
    marker = "date"
    sheet_title = "New followers"

    def select_sql(self, path: Path, sample: FileSample, config: Config) -> str:
        header = self.checked_header(sample)
        day = _text(header, "date")
        date = f"try_strptime({day}, '{DATE_FORMAT}')"
        return f"""
            WITH cells AS (
                SELECT *, row_number() OVER () AS _source_row
                FROM {_csv_columns(path, header)}
            ),
            days AS (
                SELECT
                    {day} AS date_raw,
                    CAST({date} AS DATE) AS date,
                    {local_midnight_sql(date, config.timezone_for(self.name))} AS day_start,
                    {_count(header, "sponsored_followers")} AS sponsored_followers,
                    {_count(header, "organic_followers")} AS organic_followers,
                    {_count(header, "auto_invited_followers")} AS auto_invited_followers,
                    {_count(header, "total_followers")} AS total_followers,
                    {sql_literal(header.sheet)} AS sheet,
                    _source_row
                FROM cells
                WHERE {day} IS NOT NULL
            )
            SELECT * FROM days
            WHERE CASE
                WHEN day_start IS NULL THEN error(
                    'row ' || _source_row || ': date ''' || date_raw || ''' is not MM/DD/YYYY')
                ELSE true
            END
        """
