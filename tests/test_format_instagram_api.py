"""instagram_api: Instagram Graph API media/comments JSON -> exact raw rows, then the marts.

Fixtures (written by the project, docs/formats.md §1): one media response with nested comments,
replies and paging (`ig_media_2026-01.json`, a caption with emoji and a newline, a reel
without caption), a JSON array of two page responses (`ig_media_pages.json`, a brand
top-level comment under its own post), a bare comments response without media
(`ig_comments_17900000000000002.json`) and a truncated download. All timestamps carry
Instagram's `+0000` offset without colon. The brand's handle is configured as
`@Nordlicht.Bikes`: case and the leading @ must not matter.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from learnloop.build import RunContext
from learnloop.config import Config
from learnloop.paths import Home
from tests.conftest import FIXTURE_CONFIG, FIXTURES, query
from tests.format_build import Landing, SharedBuilds
from tests.harness import (
    by_name,
    configure,
    expected_lineage,
    ingest,
    inspect_output,
    land,
    lineage,
    manifest,
    quarantine_reason,
    sha256,
    source_rows,
    threads_of,
    utc,
)

FIXTURE_DIR = FIXTURES / "instagram_api"
SINGLE = FIXTURE_DIR / "ig_media_2026-01.json"
PAGES = FIXTURE_DIR / "ig_media_pages.json"
BARE = FIXTURE_DIR / "ig_comments_17900000000000002.json"
TRUNCATED = FIXTURE_DIR / "ig_media_truncated.json"

TABLE = "raw.instagram_api__items"
TITLE = "Instagram Graph API media/comments JSON"
COLUMNS = (
    "record_type, item_id, media_id, parent_id, username, media_username, text, permalink, "
    "media_type, like_count, comments_count, timestamp_raw, created_at"
)
# FIXTURE_CONFIG ends in its [brand] section.
CONFIG = FIXTURE_CONFIG + 'instagram = ["@Nordlicht.Bikes"]\n'
BRAND = "nordlicht.bikes"

M1, M2, M3, M4 = (f"1790000000000000{n}" for n in range(1, 5))
CAPTION_1 = "Winter test ride on the fjord 🚲❄️\nWhich colour should come next?"

# record_type, item_id, media_id, parent_id, username, media_username, text, permalink,
# media_type, like_count, comments_count, timestamp_raw, created_at -- in file order.
SINGLE_ROWS = [
    (
        "media",
        M1,
        M1,
        None,
        None,
        None,
        CAPTION_1,
        "https://www.instagram.com/p/DFjordWin1/",
        "IMAGE",
        120,
        3,
        "2026-01-05T10:00:00+0000",
        utc(2026, 1, 5, 10, 0),
    ),
    (
        "comment",
        "17850000000000011",
        M1,
        None,
        "velo_vera",
        None,
        "Does it come in size S?",
        None,
        None,
        2,
        None,
        "2026-01-05T10:20:00+0000",
        utc(2026, 1, 5, 10, 20),
    ),
    (
        "reply",
        "17850000000000012",
        M1,
        "17850000000000011",
        BRAND,
        None,
        "@velo_vera yes, from 1,55 m!",
        None,
        None,
        None,
        None,
        "2026-01-05T11:05:00+0000",
        utc(2026, 1, 5, 11, 5),
    ),
    (
        "comment",
        "17850000000000013",
        M1,
        None,
        "kiesweg_kim",
        None,
        "Love it 😍",
        None,
        None,
        0,
        None,
        "2026-01-05T12:00:00+0000",
        utc(2026, 1, 5, 12, 0),
    ),
    (
        # Instagram leaves `caption` out when a media has none.
        "media",
        M2,
        M2,
        None,
        None,
        None,
        None,
        "https://www.instagram.com/reel/DLofoten2/",
        "VIDEO",
        45,
        0,
        "2026-01-08T17:30:00+0000",
        utc(2026, 1, 8, 17, 30),
    ),
]
PAGES_ROWS = [
    (
        "media",
        M3,
        M3,
        None,
        None,
        None,
        "New bell, same calm ride.",
        "https://www.instagram.com/p/DBell3/",
        None,
        12,
        1,
        "2026-01-12T09:00:00+0000",
        utc(2026, 1, 12, 9, 0),
    ),
    (
        "comment",
        "17850000000000041",
        M3,
        None,
        BRAND,
        None,
        "Shop link in bio!",
        None,
        None,
        0,
        None,
        "2026-01-12T09:01:00+0000",
        utc(2026, 1, 12, 9, 1),
    ),
    (
        "media",
        M4,
        M4,
        None,
        None,
        None,
        "Sunday 🌅",
        "https://www.instagram.com/p/DSunday4/",
        None,
        30,
        2,
        "2026-01-18T07:00:00+0000",
        utc(2026, 1, 18, 7, 0),
    ),
    (
        "comment",
        "17850000000000051",
        M4,
        None,
        "po_problem",
        None,
        "Saddle is too hard for me",
        None,
        None,
        1,
        None,
        "2026-01-18T19:00:00+0000",
        utc(2026, 1, 18, 19, 0),
    ),
    (
        "reply",
        "17850000000000052",
        M4,
        "17850000000000051",
        BRAND,
        None,
        "Try the comfort saddle, 20 % off this week.",
        None,
        None,
        None,
        None,
        "2026-01-19T08:00:00+0000",
        utc(2026, 1, 19, 8, 0),
    ),
]
# A bare comments response names no media: media_id stays NULL.
BARE_ROWS = [
    (
        "comment",
        "17850000000000031",
        None,
        None,
        "fjell.fan",
        None,
        "Where was this shot?",
        None,
        None,
        1,
        None,
        "2026-01-09T08:00:00+0000",
        utc(2026, 1, 9, 8, 0),
    ),
    (
        "reply",
        "17850000000000032",
        None,
        "17850000000000031",
        BRAND,
        None,
        "Lofoten, in December ❄️",
        None,
        None,
        None,
        None,
        "2026-01-09T08:30:00+0000",
        utc(2026, 1, 9, 8, 30),
    ),
    (
        "comment",
        "17850000000000033",
        None,
        None,
        "fjell.fan",
        None,
        "Take me with you next time",
        None,
        None,
        0,
        None,
        "2026-01-09T21:15:00+0000",
        utc(2026, 1, 9, 21, 15),
    ),
]
GOOD = {
    "one media response": (SINGLE, SINGLE_ROWS),
    "array of page responses": (PAGES, PAGES_ROWS),
    "bare comments response": (BARE, BARE_ROWS),
}


@pytest.fixture
def ig_config(home: Home) -> Config:
    return configure(home, CONFIG)


def raw_rows(context: RunContext, file_name: str) -> list[tuple]:
    return source_rows(context.database_path, TABLE, COLUMNS, file_name)


# --- raw rows -----------------------------------------------------------------------------


@pytest.mark.parametrize(("source", "expected"), GOOD.values(), ids=GOOD.keys())
def test_loads_exact_raw_rows_with_lineage(ig_config: Config, source: Path, expected: list):
    land(ig_config, source, source.name)
    context, summary = ingest(ig_config)

    assert raw_rows(context, source.name) == expected
    assert lineage(context, TABLE, source.name) == expected_lineage(
        context, source.name, source, len(expected)
    )
    assert manifest(context) == [
        (source.name, source.name, sha256(source), "instagram_api", "loaded", len(expected))
    ]
    assert summary.as_dict() == {
        "loaded": 1,
        "duplicate": 0,
        "quarantined": 0,
        "rows": len(expected),
    }


def test_json_lines_of_the_same_pages_load_the_same_rows(ig_config: Config):
    pages = json.loads(PAGES.read_text(encoding="utf-8"))
    content = "".join(json.dumps(page, ensure_ascii=False) + "\n" for page in pages).encode()
    land(ig_config, content, "media_pages.jsonl")
    context, _ = ingest(ig_config)

    assert raw_rows(context, "media_pages.jsonl") == PAGES_ROWS
    assert lineage(context, TABLE, "media_pages.jsonl") == expected_lineage(
        context, "media_pages.jsonl", content, 5
    )


def test_truncated_download_is_quarantined_with_a_reason(ig_config: Config):
    land(ig_config, TRUNCATED, "drop/media.json")
    land(ig_config, SINGLE, "good/media.json")
    context, summary = ingest(ig_config)

    assert manifest(context) == [
        (
            "drop/media.json",
            "drop/media.json",
            sha256(TRUNCATED),
            "instagram_api",
            "quarantined",
            None,
        ),
        ("good/media.json", "good/media.json", sha256(SINGLE), "instagram_api", "loaded", 5),
    ]
    assert summary.as_dict() == {"loaded": 1, "duplicate": 0, "quarantined": 1, "rows": 5}
    assert quarantine_reason(ig_config, context, "drop/media.json") == (
        f"drop/media.json: looks like {TITLE}, but Malformed JSON in file "
        '"drop/media.json", at byte 701 in record/value 2: unexpected end of data.'
    )
    assert raw_rows(context, "good/media.json") == SINGLE_ROWS


def test_inspect_names_the_format_and_counts_rows(home: Home):
    output = inspect_output(home, SINGLE, PAGES, BARE)
    assert output.splitlines() == [
        f"{SINGLE}: instagram_api ({TITLE}), 5 rows",
        f"{PAGES}: instagram_api ({TITLE}), 5 rows",
        f"{BARE}: instagram_api ({TITLE}), 3 rows",
    ]


# --- the marts, one dbt build for the module ----------------------------------------------


@dataclass(frozen=True)
class Built:
    database: Path


# What this module puts into the shared builds of the format tests (tests/format_build.py).
SHARED_BUILD = Landing(by_name(SINGLE, PAGES, BARE), brand={"instagram": ("@Nordlicht.Bikes",)})


@pytest.fixture(scope="module")
def built(format_builds: SharedBuilds) -> Built:
    return Built(format_builds.of(__name__).database)


C11, C12, C13 = "17850000000000011", "17850000000000012", "17850000000000013"
C31, C32, C33 = "17850000000000031", "17850000000000032", "17850000000000033"
C41, C51, C52 = "17850000000000041", "17850000000000051", "17850000000000052"


@pytest.mark.slow
def test_interactions(built: Built):
    rows = query(
        built.database,
        """
        SELECT platform, interaction_id, thread_id, parent_id, post_id, direction, created_at,
            is_private, text
        FROM analytics.interactions WHERE source_format = 'instagram_api'
        ORDER BY interaction_id
        """,
    )
    ig = "instagram"
    assert rows == [
        (ig, C11, C11, None, M1, "inbound", utc(2026, 1, 5, 10, 20), False, SINGLE_ROWS[1][6]),
        (ig, C12, C11, C11, M1, "outbound", utc(2026, 1, 5, 11, 5), False, SINGLE_ROWS[2][6]),
        (ig, C13, C13, None, M1, "inbound", utc(2026, 1, 5, 12, 0), False, "Love it 😍"),
        # The bare comments response: no media, so no post.
        (ig, C31, C31, None, None, "inbound", utc(2026, 1, 9, 8, 0), False, BARE_ROWS[0][6]),
        (ig, C32, C31, C31, None, "outbound", utc(2026, 1, 9, 8, 30), False, BARE_ROWS[1][6]),
        (ig, C33, C33, None, None, "inbound", utc(2026, 1, 9, 21, 15), False, BARE_ROWS[2][6]),
        # The brand's own top-level comment under its post is an outbound interaction.
        (ig, C41, C41, None, M3, "outbound", utc(2026, 1, 12, 9, 1), False, "Shop link in bio!"),
        (ig, C51, C51, None, M4, "inbound", utc(2026, 1, 18, 19, 0), False, PAGES_ROWS[3][6]),
        (ig, C52, C51, C51, M4, "outbound", utc(2026, 1, 19, 8, 0), False, PAGES_ROWS[4][6]),
    ]


@pytest.mark.slow
def test_conversations(built: Built):
    rows = query(
        built.database,
        f"""
        SELECT thread_id, started_at, first_response_minutes, turns, two_way
        FROM analytics.conversations WHERE {threads_of("instagram_api")} ORDER BY thread_id
        """,
    )
    # 10:20 -> 11:05 is 45 min; 08:00 -> 08:30 is 30 min; 18 Jan 19:00 -> 19 Jan 08:00 is
    # 13 h = 780 min. C41 is brand-only: no conversation.
    assert rows == [
        (C11, utc(2026, 1, 5, 10, 20), 45.0, 2, False),
        (C13, utc(2026, 1, 5, 12, 0), None, 1, False),
        (C31, utc(2026, 1, 9, 8, 0), 30.0, 2, False),
        (C33, utc(2026, 1, 9, 21, 15), None, 1, False),
        (C51, utc(2026, 1, 18, 19, 0), 780.0, 2, False),
    ]


@pytest.mark.slow
def test_posts(built: Built):
    rows = query(
        built.database,
        """
        SELECT platform, post_id, account, published_at, week_start, permalink, text,
            reactions, comments, shares, clicks, impressions, source_format, source_file
        FROM analytics.posts WHERE source_format = 'instagram_api' ORDER BY post_id
        """,
    )
    ig, fmt = "instagram", "instagram_api"
    # The account is the one configured handle, lower-case without @. 18 Jan 07:00 UTC is
    # Sunday 08:00 in Berlin, so M4 still counts in the week of 12 Jan.
    assert rows == [
        (
            ig,
            M1,
            BRAND,
            utc(2026, 1, 5, 10, 0),
            date(2026, 1, 5),
            SINGLE_ROWS[0][7],
            CAPTION_1,
            120,
            3,
            None,
            None,
            None,
            fmt,
            SINGLE.name,
        ),
        (
            ig,
            M2,
            BRAND,
            utc(2026, 1, 8, 17, 30),
            date(2026, 1, 5),
            SINGLE_ROWS[4][7],
            None,
            45,
            0,
            None,
            None,
            None,
            fmt,
            SINGLE.name,
        ),
        (
            ig,
            M3,
            BRAND,
            utc(2026, 1, 12, 9, 0),
            date(2026, 1, 12),
            PAGES_ROWS[0][7],
            "New bell, same calm ride.",
            12,
            1,
            None,
            None,
            None,
            fmt,
            PAGES.name,
        ),
        (
            ig,
            M4,
            BRAND,
            utc(2026, 1, 18, 7, 0),
            date(2026, 1, 12),
            PAGES_ROWS[2][7],
            "Sunday 🌅",
            30,
            2,
            None,
            None,
            None,
            fmt,
            PAGES.name,
        ),
    ]
