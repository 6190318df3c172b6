"""X account overview CSV (docs/formats.md §2): exact raw rows, quarantine, inspect, then the
daily follower changes and the weekly follower_delta via dbt.

The fixture is written as X writes it: one row per day, newest first, `Date` like
`Tue, Jan 13, 2026` (quoted, as it holds commas), eleven days across three Berlin weeks.
The broken file was re-saved by a spreadsheet, which rewrote the dates as 1/13/2026.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from learnloop.config import Config
from learnloop.paths import Home
from tests.conftest import FIXTURES, query
from tests.format_build import Landing, SharedBuilds
from tests.harness import (
    by_name,
    expected_lineage,
    ingest,
    inspect_output,
    land,
    manifest,
    quarantine_reason,
    sha256,
    source_rows,
)

FOLDER = FIXTURES / "x_account_overview"
OVERVIEW = FOLDER / "account_overview_analytics.csv"
RESAVED = FOLDER / "account_overview_analytics_resaved.csv"
# The content export of the same account: it gives the weeks their posts (kpi_weekly has rows
# only for platforms with posts or interactions, docs/kpis.md).
CONTENT = FIXTURES / "x_analytics_content" / "account_analytics_content_2026-01-01_2026-01-31.csv"

TABLE = "raw.x_account_overview__days"
TITLE = "X account overview CSV"
COLUMNS = (
    "date_raw, day, day_start, impressions, likes, engagements, bookmarks, shares, new_follows, "
    "unfollows, replies, reposts, profile_visits, create_post, video_views, media_views"
)


def berlin_midnight(day: int) -> datetime:
    """00:00 in Berlin (UTC+1 in January) on that January 2026 day, as UTC."""
    return datetime(2026, 1, day - 1, 23, 0, tzinfo=UTC)


# Newest first, as in the file: the Date as written, as a date, 00:00 local, then the counts.
ROWS = [
    ("Tue, Jan 13, 2026", date(2026, 1, 13), berlin_midnight(13),
     1310, 21, 60, 6, 0, 5, 1, 2, 3, 9, 1, 0, 14),
    ("Mon, Jan 12, 2026", date(2026, 1, 12), berlin_midnight(12),
     842, 12, 31, 2, 1, 3, 2, 1, 1, 6, 0, 0, 8),
    ("Sun, Jan 11, 2026", date(2026, 1, 11), berlin_midnight(11),
     403, 4, 9, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0),
    ("Sat, Jan 10, 2026", date(2026, 1, 10), berlin_midnight(10),
     388, 5, 12, 1, 0, 2, 0, 1, 0, 2, 1, 0, 3),
    ("Fri, Jan 9, 2026", date(2026, 1, 9), berlin_midnight(9),
     1204, 20, 47, 3, 0, 4, 1, 1, 2, 8, 2, 12, 21),
    ("Thu, Jan 8, 2026", date(2026, 1, 8), berlin_midnight(8),
     1020, 14, 38, 2, 0, 1, 1, 0, 1, 5, 1, 0, 11),
    ("Wed, Jan 7, 2026", date(2026, 1, 7), berlin_midnight(7),
     655, 8, 19, 0, 0, 6, 0, 1, 0, 4, 1, 0, 0),
    ("Tue, Jan 6, 2026", date(2026, 1, 6), berlin_midnight(6),
     497, 3, 10, 0, 0, 2, 3, 0, 0, 2, 0, 0, 2),
    ("Mon, Jan 5, 2026", date(2026, 1, 5), berlin_midnight(5),
     512, 6, 14, 1, 0, 1, 0, 0, 0, 3, 0, 0, 1),
    ("Sun, Jan 4, 2026", date(2026, 1, 4), berlin_midnight(4),
     201, 1, 3, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0),
    ("Sat, Jan 3, 2026", date(2026, 1, 3), berlin_midnight(3),
     230, 2, 6, 0, 0, 2, 1, 0, 0, 1, 0, 0, 0),
]  # fmt: skip
# New follows - unfollows per day, oldest first (3 to 13 January).
NET_CHANGES = [1, 0, 1, -1, 6, 0, 3, 2, -1, 1, 4]


def raw_rows(database: Path, file_name: str) -> list[tuple]:
    return source_rows(database, TABLE, COLUMNS, file_name)


def test_loads_one_row_per_day_at_local_midnight(config: Config):
    land(config, OVERVIEW, OVERVIEW.name)
    context, summary = ingest(config)

    assert raw_rows(context.database_path, OVERVIEW.name) == ROWS
    assert query(
        context.database_path,
        f"SELECT _source_file, _source_checksum, _source_row, _run_key FROM {TABLE} "
        "ORDER BY _source_row",
    ) == expected_lineage(context, OVERVIEW.name, OVERVIEW, 11)
    assert manifest(context) == [
        (OVERVIEW.name, OVERVIEW.name, sha256(OVERVIEW), "x_account_overview", "loaded", 11)
    ]
    assert summary.as_dict() == {"loaded": 1, "duplicate": 0, "quarantined": 0, "rows": 11}


def test_a_spreadsheet_date_is_quarantined_with_one_line_naming_file_format_and_defect(
    config: Config,
):
    land(config, RESAVED, RESAVED.name)
    context, summary = ingest(config)

    assert manifest(context) == [
        (RESAVED.name, RESAVED.name, sha256(RESAVED), "x_account_overview", "quarantined", None)
    ]
    assert quarantine_reason(config, context, RESAVED.name) == (
        f"{RESAVED.name}: looks like {TITLE}, but the Date 1/13/2026 is not a date like "
        "Sun, Aug 30, 2026 (was the file saved by a spreadsheet program?)"
    )
    assert summary.as_dict() == {"loaded": 0, "duplicate": 0, "quarantined": 1, "rows": 0}


def test_inspect_names_the_format_and_counts_the_days(home: Home):
    output = inspect_output(home, OVERVIEW, CONTENT)
    # The content export has the same metric headers; it is told apart by its Post id.
    assert output.splitlines() == [
        f"{OVERVIEW}: x_account_overview ({TITLE}), 11 rows",
        f"{CONTENT}: x_analytics_content (X analytics content CSV), 3 rows",
    ]


# --- dbt ----------------------------------------------------------------------------------


# What this module puts into the shared builds of the format tests (tests/format_build.py).
# Its weekly KPIs read every row of kpi_weekly: alone (with the content export
# that gives the weeks their posts).
# Its test without a handle needs X configured with only an id: the overview also lands in
# the world "meta_dyi_posts", where nothing else configures X or writes followers. Only the
# overview: the account of the figures comes from [brand] alone
# (stg_x_account_overview__followers), and the content export's posts would add weeks that
# test_format_meta_dyi_posts reads; followers add none (int_kpi_weekly__spine).
SHARED_BUILD = (
    Landing(
        by_name(OVERVIEW, CONTENT),
        # One handle and one id: the handle names the account of the figures.
        brand={"x": ("@NordlichtBikes", "1500000000000000001")},
        world="x_account_overview",
    ),
    Landing(by_name(OVERVIEW), brand={"x": ("1500000000000000001",)}, world="meta_dyi_posts"),
)


@pytest.fixture(scope="module")
def built(format_builds: SharedBuilds) -> Path:
    return format_builds.of(__name__).database


@pytest.mark.slow
def test_followers_daily_has_the_net_change_of_the_configured_handle(built: Path):
    rows = query(
        built,
        "SELECT platform, account, date, followers, net_change, source_format, source_file "
        "FROM analytics.followers_daily WHERE source_format = 'x_account_overview' "
        "ORDER BY date",
    )
    assert rows == [
        ("x", "nordlichtbikes", date(2026, 1, day), None, net, "x_account_overview", OVERVIEW.name)
        for day, net in zip(range(3, 14), NET_CHANGES, strict=True)
    ]


@pytest.mark.slow
def test_follower_delta_sums_the_weeks_net_changes(built: Path):
    rows = query(
        built,
        "SELECT week_start, platform, posts, followers_end, follower_delta "
        "FROM analytics.kpi_weekly ORDER BY week_start, platform",
    )
    # Weeks run from the first to the last post (5 to 19 January); 3-4 January (+1) lie
    # before them. 5-11 January: 1 - 1 + 6 + 0 + 3 + 2 - 1 = 10; 12-13 January: 1 + 4 = 5;
    # no figures for the week of the 19th. No totals, so followers_end stays NULL.
    assert rows == [
        (date(2026, 1, 5), "all", 1, None, 10),
        (date(2026, 1, 5), "x", 1, None, 10),
        (date(2026, 1, 12), "all", 1, None, 5),
        (date(2026, 1, 12), "x", 1, None, 5),
        (date(2026, 1, 19), "all", 1, None, None),
        (date(2026, 1, 19), "x", 1, None, None),
    ]


@pytest.mark.slow
def test_without_a_configured_handle_the_account_is_empty(format_builds: SharedBuilds):
    # Another [brand] than the shared build's: X has only an id in the world "meta_dyi_posts".
    shared = format_builds.of(__name__, world="meta_dyi_posts")
    assert shared.config.brand["x"] == ("1500000000000000001",)
    # The overview loaded (beside the Facebook posts of test_format_meta_dyi_posts), and its
    # rows are all of followers_daily there.
    loaded = [(row[0], row[3], row[4]) for row in manifest(shared.first)]
    assert (OVERVIEW.name, "x_account_overview", "loaded") in loaded
    assert query(
        shared.database, "SELECT DISTINCT platform, account FROM analytics.followers_daily"
    ) == [("x", "")]
