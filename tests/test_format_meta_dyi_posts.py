"""meta_dyi_posts: Facebook "Download your information" posts JSON -> raw rows, then posts.

The fixture `your_posts__check_ins__photos_and_videos_1.json` is written the way Meta writes
it (docs/formats.md §2): an indented ASCII JSON array, newest first, every string mojibake (each
UTF-8 byte its own \\u00XX escape: umlauts, ß, emoji). It holds a status update, a photo
without text, and a shared link and a status posted in the same second. The truncated copy
is a download that broke off.
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
    build_zip,
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

FOLDER = FIXTURES / "meta_dyi_posts"
POSTS = FOLDER / "your_posts__check_ins__photos_and_videos_1.json"
TRUNCATED = FOLDER / "your_posts_truncated.json"

TABLE = "raw.meta_dyi_posts__posts"
TITLE = "Facebook Download-your-information posts JSON"
COLUMNS = "post_id, timestamp, published_at, title, text, attachment_count"

# Epoch seconds by hand: 2026-01-01T00:00Z is 1767225600. Jan 8 12:00 adds 7 * 86400 + 43200
# (1767873600); Jan 6 15:20 adds 5 * 86400 + 55200 (1767712800); Jan 3 10:00 adds
# 2 * 86400 + 36000 (1767434400).
A, B, C = 1767873600, 1767712800, 1767434400
STATUS = "Nordlicht Bikes hat seinen Status aktualisiert."

# In file order. The last two share a second: the ordinal n of the derived id tells them apart.
ROWS = [
    (
        f"dyi:{A}:1",
        A,
        utc(2026, 1, 8, 12, 0),
        STATUS,
        "Schöne Grüße vom Nordlicht-Team! 🚲❄️",
        0,
    ),
    (
        # A photo without text: kept as a post, text NULL.
        f"dyi:{B}:1",
        B,
        utc(2026, 1, 6, 15, 20),
        "Nordlicht Bikes hat ein neues Foto hinzugefügt.",
        None,
        1,
    ),
    (
        f"dyi:{C}:1",
        C,
        utc(2026, 1, 3, 10, 0),
        "Nordlicht Bikes hat einen Link geteilt.",
        "Unsere Öffnungszeiten über die Feiertage",
        1,
    ),
    (f"dyi:{C}:2", C, utc(2026, 1, 3, 10, 0), STATUS, "Frohes neues Jahr! 🎉", 0),
]


def raw_rows(database: Path, file_name: str) -> list[tuple]:
    return source_rows(database, TABLE, COLUMNS, file_name)


# --- raw rows -----------------------------------------------------------------------------


def test_loads_exact_raw_rows_with_lineage_and_repaired_text(config: Config):
    land(config, POSTS, POSTS.name)
    context, summary = ingest(config)

    assert raw_rows(context.database_path, POSTS.name) == ROWS
    assert lineage(context, TABLE, POSTS.name) == expected_lineage(context, POSTS.name, POSTS, 4)
    assert manifest(context) == [
        (POSTS.name, POSTS.name, sha256(POSTS), "meta_dyi_posts", "loaded", 4)
    ]
    assert summary.as_dict() == {"loaded": 1, "duplicate": 0, "quarantined": 0, "rows": 4}


def test_the_file_inside_a_dyi_zip_loads_the_same_rows(config: Config, tmp_path: Path):
    member = "your_facebook_activity/posts/your_posts__check_ins__photos_and_videos_1.json"
    archive = build_zip(
        tmp_path / "facebook-nordlicht-2026-01-20.zip", {member: POSTS.read_bytes()}
    )
    land(config, archive, archive.name)
    context, _ = ingest(config)

    assert raw_rows(context.database_path, f"{archive.name}!{member}") == ROWS


def test_truncated_download_is_quarantined_with_a_reason(config: Config):
    land(config, TRUNCATED, TRUNCATED.name)
    context, summary = ingest(config)

    assert summary.as_dict() == {"loaded": 0, "duplicate": 0, "quarantined": 1, "rows": 0}
    assert quarantine_reason(config, context, TRUNCATED.name) == (
        f"{TRUNCATED.name}: looks like {TITLE}, but the file is not valid JSON"
    )


def test_inspect_names_the_format_and_counts_rows(home: Home):
    output = inspect_output(home, POSTS)
    assert output.splitlines() == [f"{POSTS}: meta_dyi_posts ({TITLE}), 4 rows"]


# --- the marts, one dbt build for the module ----------------------------------------------


@dataclass(frozen=True)
class Built:
    database: Path


# What this module puts into the shared builds of the format tests (tests/format_build.py).
# Its weekly KPIs read every week of Facebook, which other formats share: alone (but for
# test_format_x_account_overview's overview with X configured by id only: X follower figures
# add no week and no Facebook row).
SHARED_BUILD = Landing(by_name(POSTS), world="meta_dyi_posts")


@pytest.fixture(scope="module")
def built(format_builds: SharedBuilds) -> Built:
    return Built(format_builds.of(__name__).database)


@pytest.mark.slow
def test_posts_without_metrics(built: Built):
    assert query(
        built.database,
        "SELECT count(*) FROM analytics.interactions WHERE source_format = 'meta_dyi_posts'",
    ) == [(0,)]
    rows = query(
        built.database,
        """
        SELECT platform, post_id, account, published_at, week_start, permalink, text,
            reactions, comments, shares, clicks, impressions, source_format, source_file
        FROM analytics.posts WHERE source_format = 'meta_dyi_posts'
        ORDER BY published_at, post_id
        """,
    )
    none = (None, None, None, None, None)  # no metric is in the export: unknown, not 0
    fb, fmt, name = "facebook", "meta_dyi_posts", POSTS.name
    assert rows == [
        (
            fb,
            f"dyi:{C}:1",
            None,
            ROWS[2][2],
            date(2025, 12, 29),
            None,
            ROWS[2][4],
            *none,
            fmt,
            name,
        ),
        (
            fb,
            f"dyi:{C}:2",
            None,
            ROWS[3][2],
            date(2025, 12, 29),
            None,
            ROWS[3][4],
            *none,
            fmt,
            name,
        ),
        (fb, f"dyi:{B}:1", None, ROWS[1][2], date(2026, 1, 5), None, None, *none, fmt, name),
        (fb, f"dyi:{A}:1", None, ROWS[0][2], date(2026, 1, 5), None, ROWS[0][4], *none, fmt, name),
    ]


@pytest.mark.slow
def test_weekly_posts_count_and_rates_stay_null(built: Built):
    rows = query(
        built.database,
        """
        SELECT week_start, platform, posts, conversation_rate, amplification_rate,
            applause_rate, engagement_rate
        FROM analytics.kpi_weekly WHERE platform = 'facebook' ORDER BY week_start
        """,
    )
    # 3 January is in the week of Monday 29 December; 6 and 8 January in the next.
    assert rows == [
        (date(2025, 12, 29), "facebook", 2, None, None, None, None),
        (date(2026, 1, 5), "facebook", 2, None, None, None, None),
    ]
