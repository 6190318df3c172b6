"""X tweet activity CSV (docs/formats.md §2): exact raw rows, quarantine, inspect, then posts and
the weekly post KPIs via dbt.

The fixtures are written as X writes them: every field quoted, counts as floats ("2310.0"),
"-" in the promoted columns of tweets that were not promoted, HTML-escaped text with line
breaks and doubled quotes, newest tweet first. The January 2026 file has a promoted tweet;
the October 2015 file is from before likes were called likes (`favorites`) and has no media
columns. Two broken files: one re-saved by a spreadsheet (ids rounded to 2.01134E+18) and
one cut off in the middle of a row.
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

FOLDER = FIXTURES / "x_tweet_activity"
JANUARY = FOLDER / "tweet_activity_metrics_NordlichtBikes_20260101_20260201_en.csv"
OCTOBER_2015 = FOLDER / "tweet_activity_metrics_NordlichtBikes_20151001_20151101_en.csv"
RESAVED = FOLDER / "tweet_activity_metrics_NordlichtBikes_resaved.csv"
TRUNCATED = FOLDER / "tweet_activity_metrics_NordlichtBikes_truncated.csv"

TABLE = "raw.x_tweet_activity__tweets"
TITLE = "X tweet activity CSV"
COLUMNS = (
    "tweet_id, permalink, account, text, time_raw, published_at, impressions, engagements, "
    "retweets, replies, likes, url_clicks, promoted_impressions, promoted_engagements, "
    "promoted_retweets, promoted_replies, promoted_likes, promoted_url_clicks"
)

PROMOTED = "2011340019180085939"  # 2026-01-14, promoted
QUESTION = "2010490827335273537"  # 2026-01-11 23:15 UTC = Monday 00:15 in Berlin
REPLY = "2008932902955524111"  # the brand's reply: a post in this export
HELLO = "656397579973570561"  # 2015
TEST_RIDE = "649946943845302273"  # 2015

PROMOTED_TEXT = (
    "Winter service week: 20 % off & a free battery check.\n\nBook here: https://t.co/nlB1kSrv01"
)
QUESTION_TEXT = (
    'Frage an alle Pendler: fahrt ihr bei Glatteis mit "Spikes" oder nehmt ihr den Bus? '
    "#fahrradwinter"
)
REPLY_TEXT = (
    "@kiesweg Danke für den Hinweis! Das Update für das Fjord-2-Display kommt nächste Woche."
)
HELLO_TEXT = "Hallo Twitter! Nordlicht Bikes ist jetzt auch hier >> https://t.co/nLb1k3sH0m"
TEST_RIDE_TEXT = "Probefahrt-Wochenende in Kiel: 10. & 11. Oktober"


def link(tweet_id: str) -> str:
    return f"https://twitter.com/NordlichtBikes/status/{tweet_id}"


NOT_PROMOTED = (None,) * 6
JANUARY_ROWS = [
    (PROMOTED, link(PROMOTED), "NordlichtBikes", PROMOTED_TEXT, "2026-01-14 07:30 +0000",
     utc(2026, 1, 14, 7, 30), 2310, 95, 6, 4, 31, 12, 5000, 123, 2, 1, 40, 55),
    (QUESTION, link(QUESTION), "NordlichtBikes", QUESTION_TEXT, "2026-01-11 23:15 +0000",
     utc(2026, 1, 11, 23, 15), 880, 41, 1, 7, 12, 0, *NOT_PROMOTED),
    (REPLY, link(REPLY), "NordlichtBikes", REPLY_TEXT, "2026-01-07 16:05 +0000",
     utc(2026, 1, 7, 16, 5), 55, 4, 0, 1, 2, 0, *NOT_PROMOTED),
]  # fmt: skip
# `favorites` is read as likes.
OCTOBER_2015_ROWS = [
    (HELLO, link(HELLO), "NordlichtBikes", HELLO_TEXT, "2015-10-20 09:12 +0000",
     utc(2015, 10, 20, 9, 12), 412, 20, 3, 2, 9, 1, *NOT_PROMOTED),
    (TEST_RIDE, link(TEST_RIDE), "NordlichtBikes", TEST_RIDE_TEXT, "2015-10-02 14:00 +0000",
     utc(2015, 10, 2, 14, 0), 300, 6, 0, 0, 2, 3, *NOT_PROMOTED),
]  # fmt: skip


def raw_rows(database: Path, file_name: str) -> list[tuple]:
    return source_rows(database, TABLE, COLUMNS, file_name)


def lineage(database: Path, file_name: str) -> list[tuple]:
    return source_rows(database, TABLE, LINEAGE, file_name)


def test_loads_exact_rows_with_lineage(config: Config):
    land(config, JANUARY, JANUARY.name)
    land(config, OCTOBER_2015, f"2015/{OCTOBER_2015.name}")
    context, summary = ingest(config)
    database = context.database_path

    assert raw_rows(database, JANUARY.name) == JANUARY_ROWS
    assert raw_rows(database, f"2015/{OCTOBER_2015.name}") == OCTOBER_2015_ROWS
    assert lineage(database, JANUARY.name) == expected_lineage(context, JANUARY.name, JANUARY, 3)
    assert manifest(context) == [
        (f"2015/{OCTOBER_2015.name}", f"2015/{OCTOBER_2015.name}", sha256(OCTOBER_2015),
         "x_tweet_activity", "loaded", 2),
        (JANUARY.name, JANUARY.name, sha256(JANUARY), "x_tweet_activity", "loaded", 3),
    ]  # fmt: skip
    assert summary.as_dict() == {"loaded": 2, "duplicate": 0, "quarantined": 0, "rows": 5}


def test_a_byte_order_mark_changes_nothing_but_the_checksum(config: Config):
    land(config, b"\xef\xbb\xbf" + JANUARY.read_bytes(), "with_bom.csv")
    context, _ = ingest(config)
    assert raw_rows(context.database_path, "with_bom.csv") == JANUARY_ROWS


@pytest.mark.parametrize(
    ("fixture", "defect"),
    [
        (RESAVED, "Tweet id 2.01134E+18 is not a whole number (was the file saved by a "
                  "spreadsheet program?)"),
        # The cut falls in the third tweet, on line 4 of DuckDB's count.
        (TRUNCATED, "line 4: Value with unterminated quote found."),
    ],
    ids=["resaved", "truncated"],
)  # fmt: skip
def test_a_broken_file_is_quarantined_with_one_line_naming_file_format_and_defect(
    config: Config, fixture: Path, defect: str
):
    land(config, fixture, fixture.name)
    context, summary = ingest(config)

    assert manifest(context) == [
        (fixture.name, fixture.name, sha256(fixture), "x_tweet_activity", "quarantined", None)
    ]
    assert quarantine_reason(config, context, fixture.name) == (
        f"{fixture.name}: looks like {TITLE}, but {defect}"
    )
    assert summary.as_dict() == {"loaded": 0, "duplicate": 0, "quarantined": 1, "rows": 0}


def test_inspect_names_the_format_and_counts_the_tweets(home: Home):
    output = inspect_output(home, JANUARY, OCTOBER_2015)
    assert output.splitlines() == [
        f"{JANUARY}: x_tweet_activity ({TITLE}), 3 rows",
        f"{OCTOBER_2015}: x_tweet_activity ({TITLE}), 2 rows",
    ]


# --- dbt ----------------------------------------------------------------------------------


# What this module puts into the shared builds of the format tests (tests/format_build.py).
# Its weekly KPIs read X's weeks from 5 January 2026 on, which other X formats
# share: alone.
SHARED_BUILD = Landing(by_name(JANUARY, OCTOBER_2015), world="x_tweet_activity")


@pytest.fixture(scope="module")
def built(format_builds: SharedBuilds) -> Path:
    return format_builds.of(__name__).database


@pytest.mark.slow
def test_every_row_is_a_post_with_organic_plus_promoted_metrics(built: Path):
    rows = query(
        built,
        "SELECT post_id, account, published_at, week_start, permalink, text, reactions, "
        "comments, shares, clicks, impressions, source_format, source_file "
        "FROM analytics.posts WHERE source_format = 'x_tweet_activity' ORDER BY published_at",
    )
    # The promoted tweet: likes 31 + 40 = 71, replies 4 + 1 = 5, retweets 6 + 2 = 8, url
    # clicks 12 + 55 = 67, impressions 2310 + 5000 = 7310. Weeks are Berlin weeks: 23:15 UTC
    # on Sunday 11 January is Monday 00:15 in Berlin.
    assert rows == [
        (TEST_RIDE, "NordlichtBikes", utc(2015, 10, 2, 14, 0), date(2015, 9, 28),
         link(TEST_RIDE), TEST_RIDE_TEXT, 2, 0, 0, 3, 300, "x_tweet_activity", OCTOBER_2015.name),
        (HELLO, "NordlichtBikes", utc(2015, 10, 20, 9, 12), date(2015, 10, 19),
         link(HELLO), HELLO_TEXT, 9, 2, 3, 1, 412, "x_tweet_activity", OCTOBER_2015.name),
        (REPLY, "NordlichtBikes", utc(2026, 1, 7, 16, 5), date(2026, 1, 5),
         link(REPLY), REPLY_TEXT, 2, 1, 0, 0, 55, "x_tweet_activity", JANUARY.name),
        (QUESTION, "NordlichtBikes", utc(2026, 1, 11, 23, 15), date(2026, 1, 12),
         link(QUESTION), QUESTION_TEXT, 12, 7, 1, 0, 880, "x_tweet_activity", JANUARY.name),
        (PROMOTED, "NordlichtBikes", utc(2026, 1, 14, 7, 30), date(2026, 1, 12),
         link(PROMOTED), PROMOTED_TEXT, 71, 5, 8, 67, 7310, "x_tweet_activity", JANUARY.name),
    ]  # fmt: skip
    # No export time in the file: the snapshot is the load.
    assert query(
        built,
        "SELECT bool_and(posts.snapshot_at = raw._loaded_at), count(*) FROM analytics.posts "
        f"AS posts JOIN {TABLE} AS raw ON raw.tweet_id = posts.post_id",
    ) == [(True, 5)]


@pytest.mark.slow
def test_the_posts_feed_the_weekly_post_kpis(built: Path):
    rows = query(
        built,
        "SELECT week_start, posts, conversation_rate, amplification_rate, applause_rate, "
        "engagement_rate FROM analytics.kpi_weekly WHERE platform = 'x' "
        "AND week_start >= DATE '2026-01-05' ORDER BY week_start",
    )
    assert rows == [
        # The reply alone: comments 1, shares 0, reactions 2; (2 + 1 + 0 + 0) / 55.
        (date(2026, 1, 5), 1, 1.0, 0.0, 2.0, 3 / 55),
        # Question + promoted: comments (7 + 5) / 2, shares (1 + 8) / 2, reactions
        # (12 + 71) / 2; engagement (12 + 7 + 1 + 0 + 71 + 5 + 8 + 67) / (880 + 7310).
        (date(2026, 1, 12), 2, 6.0, 4.5, 41.5, 171 / 8190),
    ]
    # Weeks between 2015 and 2026 exist with no posts (counts 0, rates NULL).
    assert query(
        built,
        "SELECT posts, conversation_rate FROM analytics.kpi_weekly "
        "WHERE platform = 'x' AND week_start = DATE '2020-06-01'",
    ) == [(0, None)]
