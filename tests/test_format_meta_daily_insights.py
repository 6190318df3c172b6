"""meta_daily_insights: Meta Business Suite daily insight CSVs -> exact raw rows, followers.

Fixtures (written by the project in the shape Meta writes, docs/formats.md §2): UTF-16LE with
BOM, line 1 `sep=,`, line 2 the metric title, line 3 `"Date","Primary"`, one quoted row per
day.
- `Follows.csv`: "Facebook follows" (daily new follows), 5-11 January 2026 with the 8th
  missing, as Meta leaves days out.
- `Unfollows.csv`: "Facebook unfollows" on two of those days.
- `Instagram followers.csv`: "Instagram followers" (a daily total) on three days, CRLF.
- `Reach.csv`: "Facebook reach", a metric that stays in the raw table.
- `Follows (untitled).csv`: line 2 holds an empty title.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
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
    lineage,
    manifest,
    quarantine_reason,
    sha256,
    source_rows,
    utc,
)

FOLDER = FIXTURES / "meta_daily_insights"
FOLLOWS = FOLDER / "Follows.csv"
UNFOLLOWS = FOLDER / "Unfollows.csv"
IG_FOLLOWERS = FOLDER / "Instagram followers.csv"
REACH = FOLDER / "Reach.csv"
UNTITLED = FOLDER / "Follows (untitled).csv"
POSTS = FIXTURES / "meta_business_posts"

TABLE = "raw.meta_daily_insights__days"
TITLE = "Meta Business Suite daily insight CSV"
COLUMNS = "platform, metric_title, metric_kind, day, date, day_start, value"


def days(platform: str, title: str, kind: str, values: dict[int, float]) -> list[tuple]:
    """Raw rows for January 2026 days; day_start is 00:00 Berlin (CET) = 23:00 UTC before."""
    return [
        (
            platform,
            title,
            kind,
            f"2026-01-{day:02d}T00:00:00",
            date(2026, 1, day),
            utc(2026, 1, day - 1, 23, 0),
            value,
        )
        for day, value in values.items()
    ]


FOLLOWS_ROWS = days(
    "facebook", "Facebook follows", "follows", {5: 4.0, 6: 11.0, 7: 6.0, 9: 3.0, 10: 0.0, 11: 5.0}
)
UNFOLLOWS_ROWS = days("facebook", "Facebook unfollows", "unfollows", {6: 2.0, 9: 1.0})
IG_FOLLOWERS_ROWS = days(
    "instagram", "Instagram followers", "followers", {4: 1200.0, 7: 1210.0, 11: 1226.0}
)
REACH_ROWS = days("facebook", "Facebook reach", "other", {5: 310.0, 6: 1250.0, 7: 640.0})
GOOD = {
    "facebook follows, a day missing": (FOLLOWS, FOLLOWS_ROWS),
    "facebook unfollows": (UNFOLLOWS, UNFOLLOWS_ROWS),
    "instagram followers, CRLF": (IG_FOLLOWERS, IG_FOLLOWERS_ROWS),
    "another metric": (REACH, REACH_ROWS),
}


def raw_rows(database: Path, file_name: str) -> list[tuple]:
    return source_rows(database, TABLE, COLUMNS, file_name)


# --- raw rows -----------------------------------------------------------------------------


@pytest.mark.parametrize(("source", "expected"), GOOD.values(), ids=GOOD.keys())
def test_loads_exact_raw_rows_with_lineage(config: Config, source: Path, expected: list):
    land(config, source, source.name)
    context, summary = ingest(config)

    assert raw_rows(context.database_path, source.name) == expected
    assert lineage(context, TABLE, source.name) == expected_lineage(
        context, source.name, source, len(expected)
    )
    assert manifest(context) == [
        (source.name, source.name, sha256(source), "meta_daily_insights", "loaded", len(expected))
    ]
    assert summary.as_dict() == {
        "loaded": 1,
        "duplicate": 0,
        "quarantined": 0,
        "rows": len(expected),
    }


def test_the_same_file_resaved_as_utf8_loads_the_same_rows(config: Config):
    content = FOLLOWS.read_bytes().decode("utf-16").encode("utf-8")
    land(config, content, "follows-utf8.csv")
    context, _ = ingest(config)

    assert raw_rows(context.database_path, "follows-utf8.csv") == FOLLOWS_ROWS


def test_a_file_without_a_metric_title_is_quarantined_with_a_reason(config: Config):
    land(config, UNTITLED, UNTITLED.name)
    context, summary = ingest(config)

    assert summary.as_dict() == {"loaded": 0, "duplicate": 0, "quarantined": 1, "rows": 0}
    assert quarantine_reason(config, context, UNTITLED.name) == (
        f"{UNTITLED.name}: looks like {TITLE}, but line 2 names no metric"
    )


def test_inspect_names_the_format_and_counts_rows(home: Home):
    output = inspect_output(home, FOLLOWS, IG_FOLLOWERS)
    assert output.splitlines() == [
        f"{FOLLOWS}: meta_daily_insights ({TITLE}), 6 rows",
        f"{IG_FOLLOWERS}: meta_daily_insights ({TITLE}), 3 rows",
    ]


# --- the marts, one dbt build for the module ----------------------------------------------


@dataclass(frozen=True)
class Built:
    database: Path


# What this module puts into the shared builds of the format tests (tests/format_build.py).
# Its weekly KPIs read every row of kpi_weekly: alone.
SHARED_BUILD = Landing(
    {
        **by_name(FOLLOWS, UNFOLLOWS, IG_FOLLOWERS, REACH),
        **by_name(
            POSTS / "Jan-01-2026_Jan-31-2026_1203948576102938.csv",
            POSTS / "Jan-01-2026_Jan-31-2026_1448291736450091.csv",
        ),
    },
    world="meta_daily_insights",
)


@pytest.fixture(scope="module")
def built(format_builds: SharedBuilds) -> Built:
    return Built(format_builds.of(__name__).database)


@pytest.mark.slow
def test_followers_daily(built: Built):
    rows = query(
        built.database,
        """
        SELECT platform, account, date, followers, net_change, source_format, source_file
        FROM analytics.followers_daily WHERE source_format = 'meta_daily_insights'
        ORDER BY platform, date
        """,
    )
    fmt = "meta_daily_insights"
    assert rows == [
        # Follows minus unfollows where Unfollows.csv has the day (6th: 11 - 2, 9th: 3 - 1),
        # else the gross follows. The 8th is missing in the export, so it has no row. The
        # files name no account ('').
        ("facebook", "", date(2026, 1, 5), None, 4, fmt, FOLLOWS.name),
        ("facebook", "", date(2026, 1, 6), None, 9, fmt, UNFOLLOWS.name),
        ("facebook", "", date(2026, 1, 7), None, 6, fmt, FOLLOWS.name),
        ("facebook", "", date(2026, 1, 9), None, 2, fmt, UNFOLLOWS.name),
        ("facebook", "", date(2026, 1, 10), None, 0, fmt, FOLLOWS.name),
        ("facebook", "", date(2026, 1, 11), None, 5, fmt, FOLLOWS.name),
        ("instagram", "", date(2026, 1, 4), 1200, None, fmt, IG_FOLLOWERS.name),
        ("instagram", "", date(2026, 1, 7), 1210, None, fmt, IG_FOLLOWERS.name),
        ("instagram", "", date(2026, 1, 11), 1226, None, fmt, IG_FOLLOWERS.name),
    ]


@pytest.mark.slow
def test_weekly_follower_context(built: Built):
    rows = query(
        built.database,
        """
        SELECT week_start, platform, posts, followers_end, follower_delta
        FROM analytics.kpi_weekly ORDER BY week_start, platform
        """,
    )
    assert rows == [
        # all: 1226 (Instagram's only total, Facebook gives none) and 26 + 26 = 52.
        (date(2026, 1, 5), "all", 4, 1226, 52),
        # Facebook gives no totals: the sum of net changes 4 + 9 + 6 + 2 + 0 + 5 = 26.
        (date(2026, 1, 5), "facebook", 2, None, 26),
        # Instagram: the total at the week's end (11th) minus the last before the week
        # (4th): 1226 - 1200 = 26.
        (date(2026, 1, 5), "instagram", 2, 1226, 26),
    ]


@pytest.mark.slow
def test_other_metrics_stay_raw(built: Built):
    # Reach.csv loaded (3 days) but added nothing to followers_daily (exact rows above).
    assert query(
        built.database,
        f"SELECT metric_title, count(*) FROM {TABLE} WHERE metric_kind = 'other' GROUP BY 1",
    ) == [("Facebook reach", 3)]
