"""facebook_graph: Facebook Graph API page posts JSON -> exact raw rows, then the marts.

Fixtures (written by the project, docs/formats.md §1): `fb_page_posts_2026-01.json` is one
`/{page-id}/posts` response with nested comments and replies, paging objects, a comment
whose `from` Facebook withheld (privacy), the page's own reply and its own top-level comment,
and metrics (shares, reactions and comments summaries) on one post only.
`fb_comment_replies_page2.json` is the next page of one comment's replies, fetched on its own
by following the nested `paging.next` with `parent` added to the fields: its reply's parent
comment is in the first file only, and the thread must still join across the two files.
Timestamps carry `+0000` without colon. No [brand] facebook account is configured: the page
id in the post ids alone marks the brand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from learnloop.build import RunContext
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
    threads_of,
    utc,
)

FIXTURE_DIR = FIXTURES / "facebook_graph"
POSTS = FIXTURE_DIR / "fb_page_posts_2026-01.json"
REPLIES = FIXTURE_DIR / "fb_comment_replies_page2.json"
TRUNCATED = FIXTURE_DIR / "fb_page_posts_truncated.json"

TABLE = "raw.facebook_graph__items"
TITLE = "Facebook Graph API page posts JSON"
COLUMNS = (
    "record_type, item_id, post_id, page_id, parent_id, author_id, author_name, text, "
    "permalink, shares_count, reactions_count, comments_count, created_time_raw, created_at"
)

PAGE = "104000000000001"
P1, P2 = f"{PAGE}_200000000000001", f"{PAGE}_200000000000002"
C1, C2, C3, C4 = (f"200000000000001_30000000000000{n}" for n in range(1, 5))
C5 = "200000000000002_300000000000005"
LENA = "5550000000000001"
P1_TEXT = "Fjord 2 is back in stock!\nWhich size are you riding? 🚲"
P1_LINK = f"https://www.facebook.com/{PAGE}/posts/200000000000001"
P2_LINK = f"https://www.facebook.com/{PAGE}/posts/200000000000002"

# record_type, item_id, post_id, page_id, parent_id, author_id, author_name, text, permalink,
# shares_count, reactions_count, comments_count, created_time_raw, created_at -- file order.
POSTS_ROWS = [
    (
        "post",
        P1,
        P1,
        PAGE,
        None,
        None,
        None,
        P1_TEXT,
        P1_LINK,
        4,
        37,
        4,
        "2026-01-06T08:00:00+0000",
        utc(2026, 1, 6, 8, 0),
    ),
    (
        "comment",
        C1,
        P1,
        PAGE,
        None,
        LENA,
        "Lena Radtke",
        "Is size M available in blue?",
        None,
        None,
        None,
        None,
        "2026-01-06T09:15:00+0000",
        utc(2026, 1, 6, 9, 15),
    ),
    (
        "reply",
        C2,
        P1,
        PAGE,
        C1,
        PAGE,
        "Nordlicht Bikes",
        "Yes, blue M ships this week.",
        None,
        None,
        None,
        None,
        "2026-01-06T10:00:00+0000",
        utc(2026, 1, 6, 10, 0),
    ),
    (
        # No `from`: Facebook withholds the author for privacy.
        "comment",
        C3,
        P1,
        PAGE,
        None,
        None,
        None,
        "When is the next test day?",
        None,
        None,
        None,
        None,
        "2026-01-06T11:30:00+0000",
        utc(2026, 1, 6, 11, 30),
    ),
    (
        # No shares/reactions/comments summaries requested: metrics unknown, not 0.
        "post",
        P2,
        P2,
        PAGE,
        None,
        None,
        None,
        "Winter service checklist",
        P2_LINK,
        None,
        None,
        None,
        "2026-01-09T16:45:00+0000",
        utc(2026, 1, 9, 16, 45),
    ),
    (
        "comment",
        C5,
        P2,
        PAGE,
        None,
        PAGE,
        "Nordlicht Bikes",
        "Book your slot: nordlicht.example/service",
        None,
        None,
        None,
        None,
        "2026-01-09T17:00:00+0000",
        utc(2026, 1, 9, 17, 0),
    ),
]
# The replies page names neither post nor page; the parent comes from its `parent` field.
REPLIES_ROWS = [
    (
        "reply",
        C4,
        None,
        None,
        C1,
        LENA,
        "Lena Radtke",
        "Great, just ordered one!",
        None,
        None,
        None,
        None,
        "2026-01-06T12:10:00+0000",
        utc(2026, 1, 6, 12, 10),
    ),
]
GOOD = {
    "page posts with nested comments": (POSTS, POSTS_ROWS),
    "a comment's replies page": (REPLIES, REPLIES_ROWS),
}


def raw_rows(context: RunContext, file_name: str) -> list[tuple]:
    return source_rows(context.database_path, TABLE, COLUMNS, file_name)


# --- raw rows -----------------------------------------------------------------------------


@pytest.mark.parametrize(("source", "expected"), GOOD.values(), ids=GOOD.keys())
def test_loads_exact_raw_rows_with_lineage(config: Config, source: Path, expected: list):
    land(config, source, source.name)
    context, summary = ingest(config)

    assert raw_rows(context, source.name) == expected
    assert lineage(context, TABLE, source.name) == expected_lineage(
        context, source.name, source, len(expected)
    )
    assert manifest(context) == [
        (source.name, source.name, sha256(source), "facebook_graph", "loaded", len(expected))
    ]
    assert summary.as_dict() == {
        "loaded": 1,
        "duplicate": 0,
        "quarantined": 0,
        "rows": len(expected),
    }


def test_array_of_page_responses_loads_the_same_rows(config: Config):
    content = b"[" + POSTS.read_bytes() + b"," + REPLIES.read_bytes() + b"]"
    land(config, content, "pages.json")
    context, _ = ingest(config)

    assert raw_rows(context, "pages.json") == POSTS_ROWS + REPLIES_ROWS
    assert lineage(context, TABLE, "pages.json") == expected_lineage(
        context, "pages.json", content, 7
    )


def test_truncated_download_is_quarantined_with_a_reason(config: Config):
    land(config, TRUNCATED, "drop/posts.json")
    land(config, POSTS, "good/posts.json")
    context, summary = ingest(config)

    assert manifest(context) == [
        (
            "drop/posts.json",
            "drop/posts.json",
            sha256(TRUNCATED),
            "facebook_graph",
            "quarantined",
            None,
        ),
        ("good/posts.json", "good/posts.json", sha256(POSTS), "facebook_graph", "loaded", 6),
    ]
    assert summary.as_dict() == {"loaded": 1, "duplicate": 0, "quarantined": 1, "rows": 6}
    assert quarantine_reason(config, context, "drop/posts.json") == (
        f"drop/posts.json: looks like {TITLE}, but Malformed JSON in file "
        '"drop/posts.json", at byte 901 in record/value 2: unexpected end of data.'
    )
    assert raw_rows(context, "good/posts.json") == POSTS_ROWS


def test_inspect_names_the_format_and_counts_rows(home: Home):
    output = inspect_output(home, POSTS, REPLIES)
    assert output.splitlines() == [
        f"{POSTS}: facebook_graph ({TITLE}), 6 rows",
        f"{REPLIES}: facebook_graph ({TITLE}), 1 row",
    ]


# --- the marts, one dbt build for the module ----------------------------------------------


@dataclass(frozen=True)
class Built:
    database: Path


# What this module puts into the shared builds of the format tests (tests/format_build.py).
SHARED_BUILD = Landing(by_name(POSTS, REPLIES))


@pytest.fixture(scope="module")
def built(format_builds: SharedBuilds) -> Built:
    return Built(format_builds.of(__name__).database)


@pytest.mark.slow
def test_interactions(built: Built):
    rows = query(
        built.database,
        """
        SELECT platform, interaction_id, thread_id, parent_id, post_id, direction, created_at,
            is_private, text
        FROM analytics.interactions WHERE source_format = 'facebook_graph'
        ORDER BY interaction_id
        """,
    )
    fb = "facebook"
    assert rows == [
        (fb, C1, C1, None, P1, "inbound", utc(2026, 1, 6, 9, 15), False, POSTS_ROWS[1][7]),
        # The page's own reply: from.id is the page id before `_` in the post id.
        (fb, C2, C1, C1, P1, "outbound", utc(2026, 1, 6, 10, 0), False, POSTS_ROWS[2][7]),
        (fb, C3, C3, None, P1, "inbound", utc(2026, 1, 6, 11, 30), False, POSTS_ROWS[3][7]),
        # From the second file: its parent C1 is in the first, so it joins C1's thread.
        (fb, C4, C1, C1, None, "inbound", utc(2026, 1, 6, 12, 10), False, REPLIES_ROWS[0][7]),
        (fb, C5, C5, None, P2, "outbound", utc(2026, 1, 9, 17, 0), False, POSTS_ROWS[5][7]),
    ]


@pytest.mark.slow
def test_withheld_author_has_no_member_key_and_one_member_keeps_one_key(built: Built):
    keys = dict(
        query(
            built.database,
            "SELECT interaction_id, member_key FROM analytics.interactions "
            "WHERE source_format = 'facebook_graph'",
        )
    )
    assert keys[C3] is None
    assert keys[C2] is None and keys[C5] is None  # the brand is not pseudonymised
    assert keys[C1] is not None and keys[C1] == keys[C4]


@pytest.mark.slow
def test_conversations(built: Built):
    rows = query(
        built.database,
        f"""
        SELECT thread_id, started_at, first_response_minutes, turns, community_turns,
            brand_turns, two_way
        FROM analytics.conversations WHERE {threads_of("facebook_graph")} ORDER BY thread_id
        """,
    )
    # C1: 09:15 -> the page at 10:00 = 45 min; Lena comes back at 12:10 (second file), so
    # two-way. C3 unanswered. C5 is brand-only: no conversation.
    assert rows == [
        (C1, utc(2026, 1, 6, 9, 15), 45.0, 3, 2, 1, True),
        (C3, utc(2026, 1, 6, 11, 30), None, 1, 1, 0, False),
    ]


@pytest.mark.slow
def test_posts(built: Built):
    rows = query(
        built.database,
        """
        SELECT platform, post_id, account, published_at, week_start, permalink, text,
            reactions, comments, shares, clicks, impressions, source_format, source_file
        FROM analytics.posts WHERE source_format = 'facebook_graph' ORDER BY post_id
        """,
    )
    fb, fmt = "facebook", "facebook_graph"
    assert rows == [
        # reactions.summary.total_count, comments.summary.total_count, shares.count.
        (
            fb,
            P1,
            PAGE,
            utc(2026, 1, 6, 8, 0),
            date(2026, 1, 5),
            P1_LINK,
            P1_TEXT,
            37,
            4,
            4,
            None,
            None,
            fmt,
            POSTS.name,
        ),
        (
            fb,
            P2,
            PAGE,
            utc(2026, 1, 9, 16, 45),
            date(2026, 1, 5),
            P2_LINK,
            "Winter service checklist",
            None,
            None,
            None,
            None,
            None,
            fmt,
            POSTS.name,
        ),
    ]
