"""LinkedIn Company Page exports (docs/formats.md §2): content and follower workbooks, .xls and
.xlsx, English and German headers; exact raw rows, then posts, followers_daily and the post
and follower columns of kpi_weekly via dbt.

The fixtures were generated once with openpyxl/xlwt (a throwaway script, not part of the
project) in LinkedIn's shape: a title row above the header in every sheet, MM/DD/YYYY dates
as text, numbers as numeric cells (xlwt and openpyxl write some as floats, 1200.0), the
content workbook's Metrics sheet next to All posts, the follower workbook's demographic
sheets next to New followers, and one hand-edited copy whose All posts sheet lost its
Post link column. The reporting zone is Berlin: a date is local midnight, 23:00 UTC the day
before in winter.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest

from learnloop.build import RunContext
from learnloop.config import Config
from learnloop.ingest.discover import discover
from learnloop.paths import Home
from tests.conftest import FIXTURES, query
from tests.format_build import Landing, SharedBuilds
from tests.harness import (
    LINEAGE,
    build_zip,
    by_name,
    expected_lineage,
    ingest,
    inspect_output,
    land,
    manifest,
    quarantine_reason,
    sha256,
    source_rows,
    utc,
)

LINKEDIN = FIXTURES / "linkedin_page"
CONTENT_EN = LINKEDIN / "nordlicht-bikes_content_1768150000000.xls"
CONTENT_DE = LINKEDIN / "nordlicht-bikes_inhalte_1768400000000.xlsx"
FOLLOWERS_EN = LINKEDIN / "nordlicht-bikes_followers_1768150000000.xlsx"
FOLLOWERS_DE = LINKEDIN / "nordlicht-bikes_follower_1768400000000.xls"
WITHOUT_LINKS = LINKEDIN / "content_without_links.xlsx"
CONTENT_TITLE = "LinkedIn Company Page content export"
FOLLOWERS_TITLE = "LinkedIn Company Page followers export"


def berlin_midnight(day: int) -> datetime:
    """00:00 in Berlin on 2026-01-<day> (UTC+1 in January)."""
    return utc(2026, 1, day - 1, 23)


def link(urn: str, slash: str = "/") -> str:
    return f"https://www.linkedin.com/feed/update/{urn}{slash}"


A1, U2, S3 = (
    "urn:li:activity:7414000000000000001",
    "urn:li:ugcPost:7414000000000000002",
    "urn:li:share:7414000000000000003",
)
A4, A5 = "urn:li:activity:7415000000000000004", "urn:li:activity:7415000000000000005"
T1 = "Winter service week: 20 % off & a free battery check!"
T2 = "Fjord 2 \u2013 now in Polarnacht & Moltebeere"  # an en dash, as LinkedIn keeps it
T3 = "We're hiring: bike mechanic (m/f/d) in Hamburg"
T4 = "Neue Farben für das Fjord 2: Polarnacht & Moltebeere"
T5 = "Werkstatt-Tipp: Kette richtig ölen"

POST_COLUMNS = (
    "post_id, post_link, post_title, post_type, campaign_name, posted_by, content_type, "
    "created_date_raw, created_at, impressions, views, clicks, likes, comments, reposts, "
    "follows, sheet"
)
# Empty cells (Campaign name, Views of non-videos) are NULL; the urn is taken from the link
# whether or not it ends in a slash.
CONTENT_EN_ROWS = [
    (A1, link(A1), T1, "Organic", None, "Jana Beispiel", "Image", "01/05/2026",
     berlin_midnight(5), 1200, None, 85, 40, 6, 3, 2, "All posts"),
    (U2, link(U2, ""), T2, "Sponsored", "Fjord 2 launch", "Jana Beispiel", "Video",
     "01/08/2026", berlin_midnight(8), 5400, 2100, 310, 120, 14, 9, 25, "All posts"),
    (S3, link(S3, ""), T3, "Organic", None, "Jana Beispiel", "Text", "01/11/2026",
     berlin_midnight(11), 640, None, 22, 7, 0, 0, 0, "All posts"),
]  # fmt: skip
# German headers (Beitragslink, Erstellungsdatum, Impressionen, Klicks, Kommentare, ...).
CONTENT_DE_ROWS = [
    (A4, link(A4), T4, "Organisch", None, "Jana Beispiel", "Bild", "01/13/2026",
     berlin_midnight(13), 900, None, 41, 33, 5, 2, 1, "Alle Beiträge"),
    (A5, link(A5), T5, "Organisch", None, "Jana Beispiel", "Video", "01/14/2026",
     berlin_midnight(14), 480, 310, 12, 19, 3, 1, 0, "Alle Beiträge"),
]  # fmt: skip

FOLLOWER_COLUMNS = (
    "date_raw, date, day_start, sponsored_followers, organic_followers, "
    "auto_invited_followers, total_followers, sheet"
)
# (day, sponsored, organic, auto-invited, total new followers) in January 2026.
EN_DAYS = [(5, 0, 3, 1, 4), (6, 0, 2, 0, 2), (7, 0, 5, 0, 5), (8, 4, 6, 1, 11),
           (9, 2, 3, 0, 5), (10, 0, 1, 0, 1), (11, 0, 0, 0, 0)]  # fmt: skip
DE_DAYS = [(12, 1, 2, 0, 3), (13, 0, 4, 0, 4), (14, 0, 0, 1, 1)]


def follower_rows(days: list[tuple[int, ...]], sheet: str) -> list[tuple]:
    return [
        (f"01/{d:02d}/2026", date(2026, 1, d), berlin_midnight(d), s, o, a, t, sheet)
        for d, s, o, a, t in days
    ]


FOLLOWERS_EN_ROWS = follower_rows(EN_DAYS, "New followers")
FOLLOWERS_DE_ROWS = follower_rows(DE_DAYS, "Neue Follower")

CASES = {
    "content .xls English": (CONTENT_EN, "linkedin_page_content", CONTENT_EN_ROWS),
    "content .xlsx German": (CONTENT_DE, "linkedin_page_content", CONTENT_DE_ROWS),
    "followers .xlsx English": (FOLLOWERS_EN, "linkedin_page_followers", FOLLOWERS_EN_ROWS),
    "followers .xls German": (FOLLOWERS_DE, "linkedin_page_followers", FOLLOWERS_DE_ROWS),
}
TABLES = {
    "linkedin_page_content": ("raw.linkedin_page_content__posts", POST_COLUMNS),
    "linkedin_page_followers": ("raw.linkedin_page_followers__daily", FOLLOWER_COLUMNS),
}


def raw_rows(context: RunContext, format_name: str, file_name: str) -> list[tuple]:
    table, columns = TABLES[format_name]
    return source_rows(context.database_path, table, columns, file_name)


def lineage(context: RunContext, format_name: str, file_name: str) -> list[tuple]:
    table, _ = TABLES[format_name]
    return source_rows(context.database_path, table, LINEAGE, file_name)


# --- raw rows -----------------------------------------------------------------------------


@pytest.mark.parametrize(("source", "format_name", "expected"), CASES.values(), ids=CASES.keys())
def test_linkedin_page_loads_exact_rows_with_lineage(
    config: Config, source: Path, format_name: str, expected: list
):
    land(config, source, source.name)
    context, summary = ingest(config)

    assert raw_rows(context, format_name, source.name) == expected
    # _source_row counts the data rows under the header (title and header rows excluded).
    assert lineage(context, format_name, source.name) == expected_lineage(
        context, source.name, source, len(expected)
    )
    assert manifest(context) == [
        (source.name, source.name, sha256(source), format_name, "loaded", len(expected))
    ]
    assert summary.rows == len(expected)


def test_an_xlsx_is_one_file_not_an_archive(tmp_path: Path):
    """An .xlsx is a zip of XML parts; discover keeps it whole (by its layout, whatever its
    name), while a real zip next to it is still unpacked."""
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "followers_export").write_bytes(FOLLOWERS_EN.read_bytes())
    build_zip(landing / "studio.zip", {"Totals.csv": b"Date,Subscribers\n2026-01-05,3\n"})

    files = discover(landing, tmp_path / "files", settle_seconds=0)

    # The workbook is one file (no member path), the zip's member a member of its archive.
    assert [(f.name, f.member) for f in files] == [
        ("followers_export", None),
        ("studio.zip!Totals.csv", "Totals.csv"),
    ]
    with zipfile.ZipFile(FOLLOWERS_EN) as workbook:  # it is a zip indeed
        assert "[Content_Types].xml" in workbook.namelist()


def test_linkedin_content_without_post_links_is_quarantined_with_a_reason(config: Config):
    land(config, WITHOUT_LINKS, "drop/content.xlsx")
    land(config, CONTENT_EN, "good/content.xls")
    context, summary = ingest(config)

    assert manifest(context) == [
        ("drop/content.xlsx", "drop/content.xlsx", sha256(WITHOUT_LINKS),
         "linkedin_page_content", "quarantined", None),
        ("good/content.xls", "good/content.xls", sha256(CONTENT_EN), "linkedin_page_content",
         "loaded", 3),
    ]  # fmt: skip
    assert summary.as_dict() == {"loaded": 1, "duplicate": 0, "quarantined": 1, "rows": 3}
    assert quarantine_reason(config, context, "drop/content.xlsx") == (
        f"drop/content.xlsx: looks like {CONTENT_TITLE}, but the All posts sheet lacks the "
        "column Post link"
    )


def test_a_bad_date_quarantines_the_file_naming_the_row(config: Config, tmp_path: Path):
    """A row that the raw gate would reject (no parseable date) is reported for its file."""
    broken = tmp_path / "followers.xlsx"
    # The same workbook with its first date rewritten in the shared strings part.
    with zipfile.ZipFile(FOLLOWERS_EN) as original, zipfile.ZipFile(broken, "w") as copy:
        for member in original.infolist():
            copy.writestr(member, original.read(member).replace(b"01/05/2026", b"2026-13-45"))
    land(config, broken, "followers.xlsx")
    context, _ = ingest(config)

    assert quarantine_reason(config, context, "followers.xlsx") == (
        f"followers.xlsx: looks like {FOLLOWERS_TITLE}, but row 1: date '2026-13-45' is not "
        "MM/DD/YYYY"
    )


def test_inspect_names_the_linkedin_formats_and_row_counts(home: Home):
    output = inspect_output(home, CONTENT_EN, FOLLOWERS_DE)
    assert output.splitlines() == [
        f"{CONTENT_EN}: linkedin_page_content ({CONTENT_TITLE}), 3 rows",
        f"{FOLLOWERS_DE}: linkedin_page_followers ({FOLLOWERS_TITLE}), 3 rows",
    ]


# --- through dbt --------------------------------------------------------------------------


@dataclass(frozen=True)
class Built:
    database: Path


# What this module puts into the shared builds of the format tests (tests/format_build.py).
# Its weekly KPIs read every week of LinkedIn: a world whose data lies in the
# weeks of 5 and 12 January 2026 only (the world "formats" runs from 2015 to August 2026).
SHARED_BUILD = Landing(
    by_name(CONTENT_EN, CONTENT_DE, FOLLOWERS_EN, FOLLOWERS_DE), world="two_january_weeks"
)


@pytest.fixture(scope="module")
def built(format_builds: SharedBuilds) -> Built:
    return Built(format_builds.of(__name__).database)


def test_linkedin_posts(built: Built):
    rows = query(
        built.database,
        "SELECT platform, post_id, account, published_at, permalink, text, reactions, comments, "
        "shares, clicks, impressions, source_format, source_file FROM analytics.posts "
        "WHERE source_format = 'linkedin_page_content' ORDER BY published_at",
    )
    # reactions = Likes, comments = Comments, shares = Reposts, clicks = Clicks,
    # impressions = Impressions; the export names no page, so account is NULL.
    content = "linkedin_page_content"
    assert rows == [
        ("linkedin", A1, None, berlin_midnight(5), link(A1), T1, 40, 6, 3, 85, 1200,
         content, CONTENT_EN.name),
        ("linkedin", U2, None, berlin_midnight(8), link(U2, ""), T2, 120, 14, 9, 310, 5400,
         content, CONTENT_EN.name),
        ("linkedin", S3, None, berlin_midnight(11), link(S3, ""), T3, 7, 0, 0, 22, 640,
         content, CONTENT_EN.name),
        ("linkedin", A4, None, berlin_midnight(13), link(A4), T4, 33, 5, 2, 41, 900,
         content, CONTENT_DE.name),
        ("linkedin", A5, None, berlin_midnight(14), link(A5), T5, 19, 3, 1, 12, 480,
         content, CONTENT_DE.name),
    ]  # fmt: skip


def test_linkedin_followers_daily(built: Built):
    rows = query(
        built.database,
        "SELECT platform, account, date, followers, net_change, source_format, source_file "
        "FROM analytics.followers_daily WHERE source_format = 'linkedin_page_followers' "
        "ORDER BY date",
    )
    # "Total followers" is the day's new followers: net_change; no follower count is given.
    expected = [
        ("linkedin", "", date(2026, 1, d), None, t, "linkedin_page_followers", name)
        for days, name in ((EN_DAYS, FOLLOWERS_EN.name), (DE_DAYS, FOLLOWERS_DE.name))
        for d, _, _, _, t in days
    ]
    assert rows == expected


def test_linkedin_kpi_weekly_post_and_follower_columns(built: Built):
    rows = query(
        built.database,
        "SELECT week_start, posts, conversation_rate, amplification_rate, applause_rate, "
        "engagement_rate, followers_end, follower_delta FROM analytics.kpi_weekly "
        "WHERE platform = 'linkedin' ORDER BY week_start",
    )
    # Week of Mon 5 Jan (posts of 5, 8, 11 Jan): comments 6+14+0 = 20, reposts 3+9+0 = 12,
    # likes 40+120+7 = 167 over 3 posts; engagement (40+6+3+85) + (120+14+9+310) + (7+0+0+22)
    # = 134 + 453 + 29 = 616 over 1200+5400+640 = 7240 impressions; new followers
    # 4+2+5+11+5+1+0 = 28.
    # Week of Mon 12 Jan (13, 14 Jan): comments 5+3 = 8, reposts 2+1 = 3, likes 33+19 = 52
    # over 2 posts; engagement (33+5+2+41) + (19+3+1+12) = 81 + 35 = 116 over 900+480 = 1380;
    # new followers 3+4+1 = 8. No follower totals, so followers_end is NULL.
    assert rows == [
        (date(2026, 1, 5), 3, pytest.approx(20 / 3), 4.0, pytest.approx(167 / 3),
         pytest.approx(616 / 7240), None, 28),
        (date(2026, 1, 12), 2, 4.0, 1.5, 26.0, pytest.approx(116 / 1380), None, 8),
    ]  # fmt: skip
