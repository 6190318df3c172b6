"""YouTube Studio export (docs/formats.md §2): Table data.csv, Chart data.csv and Totals.csv,
zipped (as Studio downloads them) and loose; exact raw rows, then posts, followers_daily and
the post and follower columns of kpi_weekly via dbt.

The fixtures are written in Studio's shape: Table data's first data row is the `Total` of
the view, an id that starts with `-` carries a leading space, `Video publish time` is like
`Jan 6, 2026`, `Average view duration` like `0:04:04`, the net `Subscribers` of a day can be
negative. The zip is built in the tests from the three loose files. A second Totals file of
Views has DD-MM-YYYY dates (seen in a real export). The reporting zone is Berlin: a date is
local midnight, 23:00 UTC the day before in winter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from learnloop.build import RunContext
from learnloop.config import Config
from learnloop.paths import Home
from tests.conftest import FIXTURES, query
from tests.format_build import Landing, SharedBuilds
from tests.harness import (
    LINEAGE,
    build_zip,
    ingest,
    inspect_output,
    land,
    manifest,
    quarantine_reason,
    sha256,
    source_rows,
    utc,
)

STUDIO = FIXTURES / "youtube_studio"
TABLE = STUDIO / "Table data.csv"
CHART = STUDIO / "Chart data.csv"
TOTALS = STUDIO / "Totals.csv"
TOTALS_VIEWS = STUDIO / "Totals views.csv"
ZIP_NAME = "Content 2026-01-05_2026-01-14 Nordlicht Bikes.zip"
TITLES = {
    "youtube_studio_table": "YouTube Studio export Table data.csv",
    "youtube_studio_chart": "YouTube Studio export Chart data.csv",
    "youtube_studio_totals": "YouTube Studio export Totals.csv",
}


def berlin_midnight(day: int) -> datetime:
    """00:00 in Berlin on 2026-01-<day> (UTC+1 in January)."""
    return utc(2026, 1, day - 1, 23)


FJORD, WINTER, SHORT = "-Fj0rd2Pol4", "nLbK7wint3r", "q8Hh2sh0rtZ"
FJORD_TITLE = "Fjord 2 in Polarnacht \u2013 first ride"  # an en dash, as typed in Studio
WINTER_TITLE = "Winter service: battery check, step by step"
SHORT_TITLE = "Kettenöl in 30 Sekunden #shorts"

VIDEO_COLUMNS = (
    "video_id, video_title, published_raw, published_at, duration_seconds, views, "
    "watch_time_hours, subscribers, impressions, impressions_ctr, "
    "average_view_duration_seconds, likes, comments_added, shares"
)
# The Total row is skipped; ' -Fj0rd2Pol4' loses its space; 0:04:04 = 244 s, 0:02:41 =
# 161 s, 0:01:16 = 76 s. _source_row counts the Total row, so the videos are rows 2 to 4.
VIDEO_ROWS = [
    (FJORD, FJORD_TITLE, "Jan 6, 2026", berlin_midnight(6), 245, 3102, 210.2467, 12, 40100,
     5.1, 244, 301, 41, 29),
    (WINTER, WINTER_TITLE, "Jan 9, 2026", berlin_midnight(9), 412, 2219, 99.4521, 5, 21100,
     2.6, 161, 112, 18, 10),
    (SHORT, SHORT_TITLE, "Jan 13, 2026", berlin_midnight(13), 31, 146, 3.1081, -1, 2200, 1.2,
     76, 7, 0, 0),
]  # fmt: skip
CHART_COLUMNS = "row_key, date_raw, date, day_start, video_id, video_title, metric, value"
CHART_ROWS = [
    (f"2026-01-06 {FJORD}", "2026-01-06", date(2026, 1, 6), berlin_midnight(6), FJORD,
     FJORD_TITLE, "Views", 1450.0),
    (f"2026-01-07 {FJORD}", "2026-01-07", date(2026, 1, 7), berlin_midnight(7), FJORD,
     FJORD_TITLE, "Views", 980.0),
    (f"2026-01-09 {WINTER}", "2026-01-09", date(2026, 1, 9), berlin_midnight(9), WINTER,
     WINTER_TITLE, "Views", 1204.0),
]  # fmt: skip
TOTALS_COLUMNS = "date_raw, date, day_start, metric, value"
# Net subscribers per day, 5 to 12 January.
SUBSCRIBERS = [(5, 3), (6, 9), (7, -1), (8, 2), (9, 4), (10, 0), (11, -2), (12, 5)]
TOTALS_ROWS = [
    (f"2026-01-{d:02d}", date(2026, 1, d), berlin_midnight(d), "Subscribers", float(n))
    for d, n in SUBSCRIBERS
]
TOTALS_VIEWS_ROWS = [
    (f"{d}-01-2026", date(2026, 1, d), berlin_midnight(d), "Views", float(n))
    for d, n in ((12, 812), (13, 640), (14, 1020))
]
TABLES = {
    "youtube_studio_table": ("raw.youtube_studio_table__videos", VIDEO_COLUMNS),
    "youtube_studio_chart": ("raw.youtube_studio_chart__daily", CHART_COLUMNS),
    "youtube_studio_totals": ("raw.youtube_studio_totals__daily", TOTALS_COLUMNS),
}


def raw_rows(context: RunContext, format_name: str, file_name: str) -> list[tuple]:
    table, columns = TABLES[format_name]
    return source_rows(context.database_path, table, columns, file_name)


def lineage(context: RunContext, format_name: str, file_name: str) -> list[tuple]:
    table, _ = TABLES[format_name]
    return source_rows(context.database_path, table, LINEAGE, file_name)


def studio_zip(folder: Path) -> Path:
    """The three files at the archive's root, as Studio's "Export current view" zips them."""
    return build_zip(
        folder / ZIP_NAME,
        {path.name: path.read_bytes() for path in (CHART, TABLE, TOTALS)},
    )


# --- raw rows -----------------------------------------------------------------------------


def test_youtube_studio_zip_loads_each_file_with_exact_rows_and_lineage(
    config: Config, tmp_path: Path
):
    land(config, studio_zip(tmp_path), ZIP_NAME)
    context, summary = ingest(config)

    chart, table, totals = (f"{ZIP_NAME}!{p.name}" for p in (CHART, TABLE, TOTALS))
    assert raw_rows(context, "youtube_studio_table", table) == VIDEO_ROWS
    assert raw_rows(context, "youtube_studio_chart", chart) == CHART_ROWS
    assert raw_rows(context, "youtube_studio_totals", totals) == TOTALS_ROWS
    run = context.run_key
    assert lineage(context, "youtube_studio_table", table) == [
        (table, sha256(TABLE), row, run) for row in (2, 3, 4)
    ]
    assert lineage(context, "youtube_studio_totals", totals) == [
        (totals, sha256(TOTALS), row, run) for row in range(1, 9)
    ]
    assert manifest(context) == [
        (chart, ZIP_NAME, sha256(CHART), "youtube_studio_chart", "loaded", 3),
        (table, ZIP_NAME, sha256(TABLE), "youtube_studio_table", "loaded", 3),
        (totals, ZIP_NAME, sha256(TOTALS), "youtube_studio_totals", "loaded", 8),
    ]
    assert summary.as_dict() == {"loaded": 3, "duplicate": 0, "quarantined": 0, "rows": 14}


@pytest.mark.parametrize(
    ("source", "format_name", "expected"),
    [
        (TABLE, "youtube_studio_table", VIDEO_ROWS),
        (TOTALS_VIEWS, "youtube_studio_totals", TOTALS_VIEWS_ROWS),
    ],
    ids=["loose Table data", "loose Totals of Views, DD-MM-YYYY"],
)
def test_loose_youtube_studio_files_load(
    config: Config, source: Path, format_name: str, expected: list
):
    land(config, source, f"studio/{source.name}")
    context, _ = ingest(config)

    assert raw_rows(context, format_name, f"studio/{source.name}") == expected
    assert manifest(context) == [
        (f"studio/{source.name}", f"studio/{source.name}", sha256(source), format_name,
         "loaded", len(expected)),
    ]  # fmt: skip


def test_a_table_without_publish_times_is_quarantined_with_a_reason(config: Config):
    content = b"Content,Video title,Views\nTotal,,5\nnLbK7wint3r,Winter service,5\n"
    land(config, content, "Table data.csv")
    context, summary = ingest(config)

    assert summary.as_dict() == {"loaded": 0, "duplicate": 0, "quarantined": 1, "rows": 0}
    assert quarantine_reason(config, context, "Table data.csv") == (
        "Table data.csv: looks like YouTube Studio export Table data.csv, but the header lacks "
        "the column Video publish time"
    )


def test_a_video_with_an_unreadable_publish_time_names_the_video(config: Config):
    content = (
        b"Content,Video title,Video publish time,Views\nTotal,,,5\n"
        b'nLbK7wint3r,Winter service,"9 Jan 2026",5\n'
    )
    land(config, content, "Table data.csv")
    context, _ = ingest(config)

    assert quarantine_reason(config, context, "Table data.csv") == (
        "Table data.csv: looks like YouTube Studio export Table data.csv, but video "
        "nLbK7wint3r: publish time '9 Jan 2026' is not like Sep 29, 2025"
    )


def test_a_two_column_csv_of_another_metric_is_not_a_studio_totals_file(config: Config):
    land(config, b"Date,Primary\n2026-01-05,3\n", "follows.csv")
    context, _ = ingest(config)
    assert manifest(context)[0][3:5] == (None, "quarantined")


def test_inspect_names_each_file_of_the_studio_zip(home: Home, tmp_path: Path):
    archive = studio_zip(tmp_path)
    output = inspect_output(home, archive)
    assert output.splitlines() == [
        f"{archive}!Chart data.csv: youtube_studio_chart ({TITLES['youtube_studio_chart']}), "
        "3 rows",
        f"{archive}!Table data.csv: youtube_studio_table ({TITLES['youtube_studio_table']}), "
        "3 rows",
        f"{archive}!Totals.csv: youtube_studio_totals ({TITLES['youtube_studio_totals']}), 8 rows",
    ]


# --- through dbt --------------------------------------------------------------------------


@dataclass(frozen=True)
class Built:
    database: Path


# What this module puts into the shared builds of the format tests (tests/format_build.py).
# Its weekly KPIs read every week of YouTube: a world whose data lies in the
# weeks of 5 and 12 January 2026 only (the world "formats" runs from 2015 to August 2026).
SHARED_BUILD = Landing(
    {ZIP_NAME: studio_zip, TOTALS_VIEWS.name: TOTALS_VIEWS}, world="two_january_weeks"
)


@pytest.fixture(scope="module")
def built(format_builds: SharedBuilds) -> Built:
    return Built(format_builds.of(__name__).database)


def test_youtube_studio_posts(built: Built):
    rows = query(
        built.database,
        "SELECT platform, post_id, account, published_at, permalink, text, reactions, comments, "
        "shares, clicks, impressions, source_format, source_file FROM analytics.posts "
        "WHERE source_format = 'youtube_studio_table' ORDER BY published_at",
    )
    # reactions = Likes, comments = Comments added, shares = Shares, impressions =
    # Impressions (not Views); no clicks; the file names no channel.
    watch = "https://www.youtube.com/watch?v="
    source = f"{ZIP_NAME}!Table data.csv"
    assert rows == [
        ("youtube", FJORD, None, berlin_midnight(6), watch + FJORD, FJORD_TITLE,
         301, 41, 29, None, 40100, "youtube_studio_table", source),
        ("youtube", WINTER, None, berlin_midnight(9), watch + WINTER, WINTER_TITLE,
         112, 18, 10, None, 21100, "youtube_studio_table", source),
        ("youtube", SHORT, None, berlin_midnight(13), watch + SHORT, SHORT_TITLE,
         7, 0, 0, None, 2200, "youtube_studio_table", source),
    ]  # fmt: skip


def test_youtube_studio_followers_daily(built: Built):
    rows = query(
        built.database,
        "SELECT platform, account, date, followers, net_change, source_format, source_file "
        "FROM analytics.followers_daily WHERE source_format = 'youtube_studio_totals' "
        "ORDER BY date",
    )
    # Only the Subscribers totals; the Views totals are no follower figures.
    assert rows == [
        ("youtube", "", date(2026, 1, d), None, n, "youtube_studio_totals",
         f"{ZIP_NAME}!Totals.csv")
        for d, n in SUBSCRIBERS
    ]  # fmt: skip


def test_youtube_studio_kpi_weekly_post_and_follower_columns(built: Built):
    rows = query(
        built.database,
        "SELECT week_start, posts, conversation_rate, amplification_rate, applause_rate, "
        "engagement_rate, followers_end, follower_delta FROM analytics.kpi_weekly "
        "WHERE platform = 'youtube' ORDER BY week_start",
    )
    # Week of Mon 5 Jan (videos of 6 and 9 Jan): comments 41+18 = 59, shares 29+10 = 39,
    # likes 301+112 = 413 over 2 posts; engagement (301+41+29) + (112+18+10) = 371 + 140 =
    # 511 over 40100+21100 = 61200 impressions; subscribers 3+9-1+2+4+0-2 = 15.
    # Week of Mon 12 Jan (13 Jan): 0 comments, 0 shares, 7 likes; (7+0+0)/2200; subscribers 5.
    assert rows == [
        (date(2026, 1, 5), 2, 29.5, 19.5, 206.5, pytest.approx(511 / 61200), None, 15),
        (date(2026, 1, 12), 1, 0.0, 0.0, 7.0, pytest.approx(7 / 2200), None, 5),
    ]


def test_video_without_publish_time_is_kept_and_passes_the_raw_gate(config: Config, tmp_path):
    # docs/kpis.md: a post without a known publish time is kept but counts in no week.
    from learnloop.gates.checks import GateParameters
    from learnloop.gates.runner import run_gate

    text = TABLE.read_text(encoding="utf-8").replace('"Jan 13, 2026"', "")
    edited = tmp_path / "Table data.csv"
    edited.write_text(text, encoding="utf-8")
    land(config, edited, "Table data.csv")
    context, _ = ingest(config)
    rows = query(
        context.database_path,
        "SELECT video_id, published_at FROM raw.youtube_studio_table__videos ORDER BY video_id",
    )
    assert rows == [
        ("-Fj0rd2Pol4", berlin_midnight(6)),
        ("nLbK7wint3r", berlin_midnight(9)),
        ("q8Hh2sh0rtZ", None),
    ]
    params = GateParameters(
        context.run_key, datetime(2026, 2, 1, tzinfo=UTC), date(2026, 1, 26), 60, 0.5, None
    )
    assert all(outcome.success for outcome in run_gate("raw_batch", context.database_path, params))
