"""X analytics content CSV (docs/formats.md §2): exact raw rows, quarantine, inspect, then posts
via dbt.

The fixture is written as X's analytics download writes it: plain CSV (quotes only where a
field needs them), `Date` like `Sun, Jan 18, 2026` (a single-digit day unpadded), a post
text with a comma and a line break, a raw `&`, newest post first. The publish time comes
from the post id; the ids were made from the times below ((ms - 1288834974657) << 22, plus
sequence bits). The broken file was re-saved by a spreadsheet, which rounded the id.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from learnloop.config import Config
from learnloop.paths import Home
from tests.conftest import FIXTURES, query
from tests.format_build import Landing, SharedBuilds
from tests.harness import (
    LINEAGE,
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

FOLDER = FIXTURES / "x_analytics_content"
CONTENT = FOLDER / "account_analytics_content_2026-01-01_2026-01-31.csv"
RESAVED = FOLDER / "account_analytics_content_resaved.csv"

TABLE = "raw.x_analytics_content__posts"
TITLE = "X analytics content CSV"
COLUMNS = (
    "post_id, permalink, account, text, date_raw, post_date, published_at, impressions, likes, "
    "engagements, bookmarks, shares, new_follows, replies, reposts, profile_visits, url_clicks"
)

LAUNCH = "2013026112107574272"  # 2026-01-18 23:10:00.000 UTC = Monday 00:10 in Berlin
TIP = "2011117336135731729"  # 2026-01-13 16:45:12.345 UTC
EVENT = "2009392167121846275"  # 2026-01-08 22:30:00.000 UTC

LAUNCH_TEXT = "Neue Tour, neues Glück: die Fjord 3 ist da!\nAlle Details: https://t.co/fj3Launch01"
TIP_TEXT = "Service-Tipp: Kette bei Salz und Schnee wöchentlich ölen."
EVENT_TEXT = "Heute ab 16 Uhr: Glühwein & Lichtcheck vor der Werkstatt Kiel 🚲✨"


def link(post_id: str) -> str:
    return f"https://x.com/NordlichtBikes/status/{post_id}"


ROWS = [
    (LAUNCH, link(LAUNCH), "NordlichtBikes", LAUNCH_TEXT, "Sun, Jan 18, 2026", date(2026, 1, 18),
     utc(2026, 1, 18, 23, 10), 4120, 88, 301, 14, 5, 6, 11, 19, 23, 41),
    (TIP, link(TIP), "NordlichtBikes", TIP_TEXT, "Tue, Jan 13, 2026", date(2026, 1, 13),
     utc(2026, 1, 13, 16, 45, 12, 345000), 950, 17, 44, 6, 0, 0, 2, 3, 4, 0),
    (EVENT, link(EVENT), "NordlichtBikes", EVENT_TEXT, "Thu, Jan 8, 2026", date(2026, 1, 8),
     utc(2026, 1, 8, 22, 30), 610, 9, 20, 1, 0, 1, 0, 1, 2, 0),
]  # fmt: skip


def raw_rows(database: Path, file_name: str) -> list[tuple]:
    return source_rows(database, TABLE, COLUMNS, file_name)


def lineage(database: Path, file_name: str) -> list[tuple]:
    return source_rows(database, TABLE, LINEAGE, file_name)


def test_loads_exact_rows_with_the_time_from_the_id(config: Config):
    land(config, CONTENT, CONTENT.name)
    context, summary = ingest(config)

    assert raw_rows(context.database_path, CONTENT.name) == ROWS
    assert lineage(context.database_path, CONTENT.name) == expected_lineage(
        context, CONTENT.name, CONTENT, 3
    )
    assert manifest(context) == [
        (CONTENT.name, CONTENT.name, sha256(CONTENT), "x_analytics_content", "loaded", 3)
    ]
    assert summary.as_dict() == {"loaded": 1, "duplicate": 0, "quarantined": 0, "rows": 3}


def test_a_byte_order_mark_and_windows_line_ends_change_nothing_but_the_checksum(
    config: Config,
):
    content = b"\xef\xbb\xbf" + CONTENT.read_bytes().replace(b"\n", b"\r\n")
    land(config, content, "with_bom.csv")
    context, _ = ingest(config)
    # The line break inside the quoted text is the file's own (\r\n) now.
    expected = [(ROWS[0][0], *ROWS[0][1:3], LAUNCH_TEXT.replace("\n", "\r\n"), *ROWS[0][4:])]
    assert raw_rows(context.database_path, "with_bom.csv") == expected + ROWS[1:]


def test_a_spreadsheet_rounded_id_is_quarantined_with_one_line_naming_file_format_and_defect(
    config: Config,
):
    land(config, RESAVED, RESAVED.name)
    context, summary = ingest(config)

    assert manifest(context) == [
        (RESAVED.name, RESAVED.name, sha256(RESAVED), "x_analytics_content", "quarantined", None)
    ]
    assert quarantine_reason(config, context, RESAVED.name) == (
        f"{RESAVED.name}: looks like {TITLE}, but Post id 2.01303E+18 is not a whole number "
        "(was the file saved by a spreadsheet program?)"
    )
    assert summary.as_dict() == {"loaded": 0, "duplicate": 0, "quarantined": 1, "rows": 0}


def test_inspect_names_the_format_and_counts_the_posts(home: Home):
    output = inspect_output(home, CONTENT)
    assert output == f"{CONTENT}: x_analytics_content ({TITLE}), 3 rows\n"


# --- dbt ----------------------------------------------------------------------------------


# What this module puts into the shared builds of the format tests (tests/format_build.py).
SHARED_BUILD = Landing(by_name(CONTENT))


@pytest.fixture(scope="module")
def built(format_builds: SharedBuilds) -> Path:
    return format_builds.of(__name__).database


@pytest.mark.slow
def test_every_row_is_a_post_with_reposts_as_shares(built: Path):
    rows = query(
        built,
        "SELECT platform, post_id, account, published_at, week_start, permalink, text, "
        "reactions, comments, shares, clicks, impressions, source_format, source_file "
        "FROM analytics.posts WHERE source_format = 'x_analytics_content' ORDER BY published_at",
    )
    # shares = Reposts (the launch: 19), not Shares (5). Berlin weeks: the launch at 23:10
    # UTC on Sunday 18 January is Monday 00:10 in Berlin.
    assert rows == [
        ("x", EVENT, "NordlichtBikes", utc(2026, 1, 8, 22, 30), date(2026, 1, 5), link(EVENT),
         EVENT_TEXT, 9, 0, 1, 0, 610, "x_analytics_content", CONTENT.name),
        ("x", TIP, "NordlichtBikes", utc(2026, 1, 13, 16, 45, 12, 345000), date(2026, 1, 12),
         link(TIP), TIP_TEXT, 17, 2, 3, 0, 950, "x_analytics_content", CONTENT.name),
        ("x", LAUNCH, "NordlichtBikes", utc(2026, 1, 18, 23, 10), date(2026, 1, 19),
         link(LAUNCH), LAUNCH_TEXT, 88, 11, 19, 41, 4120, "x_analytics_content", CONTENT.name),
    ]  # fmt: skip
    assert query(
        built,
        "SELECT bool_and(posts.snapshot_at = raw._loaded_at), count(*) FROM analytics.posts "
        f"AS posts JOIN {TABLE} AS raw ON raw.post_id = posts.post_id",
    ) == [(True, 3)]


@pytest.mark.slow
def test_a_content_export_is_no_interaction_and_no_follower_row(built: Path):
    for mart in ("interactions", "followers_daily"):
        assert query(
            built, f"SELECT count(*) FROM analytics.{mart} WHERE source_file = ?", [CONTENT.name]
        ) == [(0,)]
