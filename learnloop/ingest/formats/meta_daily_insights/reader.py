"""Meta Business Suite daily insight CSV (docs/formats.md §2), e.g. "Facebook follows".

UTF-16LE with BOM; line 1 `sep=,` (Excel's separator hint), line 2 the metric title, line 3
`"Date","Primary"`, then one row per day: `"2025-08-01T00:00:00","20"`. Days without a value
are left out by Meta. The same layout re-saved as UTF-8 is read too.

The title names the platform (`Facebook ...`, `Instagram ...`; NULL when it names neither)
and the metric. Follower metrics get a kind that staging maps to followers_daily:
`follows` (Meta's daily new follows, "Facebook follows", "Instagram new followers"),
`unfollows` and `followers` (a daily total). Every other metric (reach, views, visits,
interactions) is loaded with kind `other` and stays in the raw table.

The file names no account: one file per platform and metric is one account's series.
Each row's id is its date string (unique per file); its time is that date at 00:00 in the
time zone configured for this format (Meta writes local dates without an offset).
"""

from __future__ import annotations

import re
from pathlib import Path

from learnloop.config import Config
from learnloop.db import sql_literal
from learnloop.errors import FormatError
from learnloop.ingest.csv_files import read_csv_text_sql
from learnloop.ingest.formats.base import ExportFormat, FileSample
from learnloop.ingest.timestamps import local_midnight_sql

_UTF16_BOM = b"\xff\xfe"
_HEADER = re.compile(r'^"?Date"?,"?Primary"?$')


def lines_of(sample: FileSample) -> list[str]:
    """The sample's first lines, decoded from UTF-16LE (with BOM) or UTF-8."""
    if sample.head.startswith(_UTF16_BOM):
        head = sample.head[: len(sample.head) // 2 * 2]  # the sample may end mid code unit
        text = head.decode("utf-16", errors="replace")
    else:
        text = sample.text
    return text.splitlines()[:3]


def metric_title(sample: FileSample) -> str | None:
    """Line 2 when lines 1 and 3 are the export's `sep=,` hint and `Date,Primary` header."""
    lines = lines_of(sample)
    if len(lines) < 3 or lines[0].strip() != "sep=," or not _HEADER.match(lines[2].strip()):
        return None
    return lines[1].strip().strip('"').strip()


def platform_of(title: str) -> str | None:
    lowered = title.lower()
    for platform in ("facebook", "instagram"):
        if platform in lowered:
            return platform
    return None


def metric_kind(title: str) -> str:
    lowered = title.lower()
    if "unfollow" in lowered:
        return "unfollows"
    if "new follower" in lowered or re.search(r"\bfollows\b", lowered):
        return "follows"
    if "follower" in lowered:
        return "followers"
    return "other"


class MetaDailyInsights(ExportFormat):
    name = "meta_daily_insights"
    platform = None  # Facebook and Instagram, per row
    title = "Meta Business Suite daily insight CSV"
    raw_table = "meta_daily_insights__days"
    raw_description = "One row per day of a metric file; days Meta left out have no row."
    column_docs = (
        (
            "platform",
            "facebook or instagram as the metric title names it; NULL when it names neither.",
        ),
        ("metric_title", 'Line 2 of the file, e.g. "Facebook follows".'),
        (
            "metric_kind",
            "follows (daily new follows), unfollows, followers (a daily total) or other (reach, views, visits and the rest, kept here only).",
        ),
        ("date", "The local date of the row."),
        ("value", "The day's value (`Primary`)."),
    )
    reads_utf16 = True
    id_column = "day"
    time_column = "day_start"
    count_columns = ("value",)
    columns = (
        ("platform", "VARCHAR"),
        ("metric_title", "VARCHAR"),
        ("metric_kind", "VARCHAR"),
        ("day", "VARCHAR"),
        ("date", "DATE"),
        ("day_start", "TIMESTAMPTZ"),
        ("value", "DOUBLE"),
    )

    def detect(self, sample: FileSample, config: Config) -> bool:
        return metric_title(sample) is not None

    def select_sql(self, path: Path, sample: FileSample, config: Config) -> str:
        title = metric_title(sample)
        if not title:
            raise FormatError("line 2 names no metric")
        platform = platform_of(title)
        encoding = "utf-16" if sample.head.startswith(_UTF16_BOM) else "utf-8"
        timezone = config.timezone_for(self.name)
        return f"""
            WITH days AS (
                SELECT
                    trim("Date") AS day,
                    -- `2025-08-01T00:00:00`: the date part is the local day.
                    try_cast(left(trim("Date"), 10) AS DATE) AS date,
                    try_cast(replace(trim("Primary"), ',', '') AS DOUBLE) AS value,
                    row_number() OVER () AS _source_row
                FROM {read_csv_text_sql(path, encoding=sql_literal(encoding), skip="2", delim="','")}
            )
            SELECT
                {sql_literal(platform) if platform else "NULL"} AS platform,
                {sql_literal(title)} AS metric_title,
                {sql_literal(metric_kind(title))} AS metric_kind,
                day,
                date,
                {local_midnight_sql("date", timezone)} AS day_start,
                value,
                _source_row
            FROM days
        """
