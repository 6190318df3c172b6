"""Bluesky API JSON (docs/formats.md, Bluesky): exact raw rows, then interactions and posts.

The fixtures are a pretty-printed `app.bsky.feed.getPostThread` response for the brand's post
P1 (Mon 2 Feb 2026: Anna asks, the brand answers, Anna thanks; Tomek asks and is not
answered) and a compact `app.bsky.feed.getAuthorFeed` page of the brand (Wed 4 Feb: its
answer R6 to Lotte with the reply context root P5 and parent X5, the post P5 again, and a
repost of Tomek's post T7). The brand is configured by DID. Europe/Berlin is UTC+1 in
February: every post falls in the week of Mon 2026-02-02.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from learnloop.config import Config
from learnloop.paths import Home
from tests.conftest import FIXTURE_CONFIG, FIXTURES, query
from tests.format_build import Landing, SharedBuilds
from tests.harness import (
    LINEAGE,
    by_name,
    configure,
    expected_lineage,
    ingest,
    inspect_output,
    land,
    manifest,
    quarantine_reason,
    sha256,
    source_rows,
    threads_of,
    utc,
)

BLUESKY = FIXTURES / "bluesky_api"
THREAD = BLUESKY / "getPostThread_fjord3.json"
FEED = BLUESKY / "getAuthorFeed_nordlichtbikes.json"
TABLE = "raw.bluesky_api__posts"
TITLE = "Bluesky API thread or author feed JSON"

BRAND = "did:plc:nordlichtbikes2demo4aaaa"
BRAND_HANDLE = "nordlichtbikes.bsky.social"
ANNA, TOMEK, LOTTE = (
    "did:plc:annasommer2fjord4cargo5x",
    "did:plc:tomekwiatr3commuter7abcd",
    "did:plc:lottebrandt6werkstattabc",
)


def uri(did: str, key: str) -> str:
    return f"at://{did}/app.bsky.feed.post/{key}"


P1, R1, R2 = uri(BRAND, "3lhbrandpost2"), uri(ANNA, "3lhannaask222"), uri(BRAND, "3lhbrandans22")
R3, R4 = uri(ANNA, "3lhannathx222"), uri(TOMEK, "3lhtomekq2222")
P5, X5, R6 = uri(BRAND, "3lhworkshop22"), uri(LOTTE, "3lhlottew2222"), uri(BRAND, "3lhbrandre222")
T7 = uri(TOMEK, "3lhtomeksnow2")
P1_TEXT = "New: the Fjord 3 cargo bike. Longer frame, 80 kg load, same price as the Fjord 2 🚲"
P5_TEXT = "Repair workshop this Saturday, 10-14h: bring your bike, we bring the tools."

RAW_COLUMNS = (
    "uri, created_at_raw, created_at, author_did, author_handle, text, reply_root_uri, "
    "reply_parent_uri, reply_count, repost_count, like_count, quote_count, seen_as, "
    "reposted_by_did"
)
# The thread depth-first, as the app shows it: P1, R1, R1's answer R2, R2's answer R3, R4.
THREAD_ROWS = [
    (P1, "2026-02-02T09:00:00.000Z", utc(2026, 2, 2, 9, 0), BRAND, BRAND_HANDLE, P1_TEXT,
     None, None, 2, 4, 17, 1, "thread", None),
    (R1, "2026-02-02T10:00:00.000Z", utc(2026, 2, 2, 10, 0), ANNA, "anna-sommer.bsky.social",
     "Does the Fjord 3 fit two child seats?", P1, P1, 1, 0, 2, 0, "thread", None),
    (R2, "2026-02-02T10:30:00.000Z", utc(2026, 2, 2, 10, 30), BRAND, BRAND_HANDLE,
     "@anna-sommer.bsky.social Yes, two seats plus the rain cover.", P1, R1, 1, 0, 3, 0,
     "thread", None),
    (R3, "2026-02-02T11:15:00.000Z", utc(2026, 2, 2, 11, 15), ANNA, "anna-sommer.bsky.social",
     "Perfect, thank you! Ordering one this week.", P1, R2, 0, 0, 1, 0, "thread", None),
    (R4, "2026-02-02T12:00:00.000Z", utc(2026, 2, 2, 12, 0), TOMEK, "tomek-wiatr.bsky.social",
     'What does the "same price" mean in euros?', P1, P1, 0, 0, 0, 0, "thread", None),
]  # fmt: skip
# Item 1's post, then its reply context's parent and root; item 2's post is that root
# again (one row); item 3 is the brand's repost of T7.
FEED_ROWS = [
    (R6, "2026-02-04T09:30:00.000Z", utc(2026, 2, 4, 9, 30), BRAND, BRAND_HANDLE,
     "Of course, we fit them for free.", P5, X5, 0, 0, 1, 0, "feed", None),
    (X5, "2026-02-04T09:00:00.000Z", utc(2026, 2, 4, 9, 0), LOTTE, "lotte.werkstatt.example",
     "Can I bring my own brake pads?", P5, P5, 1, 0, 0, 0, "feed_parent", None),
    (P5, "2026-02-04T08:00:00.000Z", utc(2026, 2, 4, 8, 0), BRAND, BRAND_HANDLE, P5_TEXT,
     None, None, 1, 2, 9, 0, "feed_root", None),
    (T7, "2026-02-03T07:00:00.000Z", utc(2026, 2, 3, 7, 0), TOMEK, "tomek-wiatr.bsky.social",
     "Commute in the snow, Fjord 2 did not care ❄️", None, None, 0, 1, 5, 0, "feed", BRAND),
]  # fmt: skip


def bluesky_config(home: Home) -> Config:
    return configure(home, FIXTURE_CONFIG + f'bluesky = ["{BRAND}"]\n')


# --- raw rows -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [(THREAD, THREAD_ROWS), (FEED, FEED_ROWS)],
    ids=["getPostThread", "getAuthorFeed"],
)
def test_bluesky_api_loads_exact_rows_with_lineage(home: Home, source: Path, expected: list):
    config = bluesky_config(home)
    land(config, source, source.name)
    context, summary = ingest(config)

    assert source_rows(context.database_path, TABLE, RAW_COLUMNS, source.name) == expected
    assert source_rows(context.database_path, TABLE, LINEAGE, source.name) == expected_lineage(
        context, source.name, source, len(expected)
    )
    assert manifest(context) == [
        (source.name, source.name, sha256(source), "bluesky_api", "loaded", len(expected))
    ]
    assert summary.rows == len(expected)


BAD_FILES = {
    # A post view whose record lost its createdAt.
    "no_time.json": (
        FEED.read_text(encoding="utf-8").replace('"createdAt":"2026-02-04T09:30:00.000Z",', ""),
        f"post {R6} has no parseable record.createdAt",
    ),
    # `feed` must be an array of items, not one item.
    "feed_object.json": (
        '{"feed": {"post": {"uri": "' + P5 + '", "record": {"$type": "app.bsky.feed.post", '
        '"createdAt": "2026-02-04T08:00:00.000Z", "text": "x"}}}}\n',
        'a JSON document holds neither a "thread" object nor a "feed" array',
    ),
    # A post view without its uri.
    "no_uri.json": (
        THREAD.read_text(encoding="utf-8").replace(f'"uri": "{R4}",', "", 1),
        "a post has no uri",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_bluesky_file_is_quarantined_with_a_one_line_reason(config: Config, name: str):
    content, why = BAD_FILES[name]
    land(config, content.encode(), f"drop/{name}")
    land(config, THREAD, "good/thread.json")
    context, summary = ingest(config)

    assert summary.as_dict() == {"loaded": 1, "duplicate": 0, "quarantined": 1, "rows": 5}
    assert [row[3:] for row in manifest(context)] == [
        ("bluesky_api", "quarantined", None),
        ("bluesky_api", "loaded", 5),
    ]
    assert quarantine_reason(config, context, f"drop/{name}") == (
        f"drop/{name}: looks like {TITLE}, but {why}"
    )


def test_inspect_names_the_bluesky_format_and_row_count(home: Home):
    assert inspect_output(home, THREAD, FEED).splitlines() == [
        f"{THREAD}: bluesky_api ({TITLE}), 5 rows",
        f"{FEED}: bluesky_api ({TITLE}), 4 rows",
    ]


# --- through dbt --------------------------------------------------------------------------

# What this module puts into the shared builds of the format tests (tests/format_build.py).
# Bluesky is a platform of its own, so its weekly KPI rows hold these fixtures alone.
SHARED_BUILD = Landing(by_name(THREAD, FEED), brand={"bluesky": (BRAND,)})


@pytest.fixture(scope="module")
def built(format_builds: SharedBuilds) -> Path:
    return format_builds.of(__name__).database


def test_bluesky_api_interactions(built: Path):
    # P1 and P5 are the brand's posts; T7 is in the feed only as the brand's repost. Threads
    # follow reply.parent: R1 and R4 answer the post, so each starts a thread, as does X5.
    assert query(
        built,
        "SELECT interaction_id, thread_id, parent_id, post_id, direction, created_at, text "
        "FROM analytics.interactions WHERE source_format = 'bluesky_api' ORDER BY created_at",
    ) == [
        (R1, R1, P1, P1, "inbound", utc(2026, 2, 2, 10, 0),
         "Does the Fjord 3 fit two child seats?"),
        (R2, R1, R1, P1, "outbound", utc(2026, 2, 2, 10, 30),
         "@anna-sommer.bsky.social Yes, two seats plus the rain cover."),
        (R3, R1, R2, P1, "inbound", utc(2026, 2, 2, 11, 15),
         "Perfect, thank you! Ordering one this week."),
        (R4, R4, P1, P1, "inbound", utc(2026, 2, 2, 12, 0),
         'What does the "same price" mean in euros?'),
        (X5, X5, P5, P5, "inbound", utc(2026, 2, 4, 9, 0), "Can I bring my own brake pads?"),
        (R6, X5, X5, P5, "outbound", utc(2026, 2, 4, 9, 30), "Of course, we fit them for free."),
    ]  # fmt: skip


def test_bluesky_api_conversations(built: Path):
    # R1: 10:00 -> brand 10:30 = 30 min, Anna back at 11:15: 3 turns, two-way. R4: nobody
    # answered. X5: 09:00 -> 09:30 = 30 min, 2 turns.
    assert query(
        built,
        "SELECT thread_id, started_at, first_response_minutes, answered, turns, two_way "
        f"FROM analytics.conversations WHERE {threads_of('bluesky_api')} ORDER BY started_at",
    ) == [
        (R1, utc(2026, 2, 2, 10, 0), 30.0, True, 3, True),
        (R4, utc(2026, 2, 2, 12, 0), None, False, 1, False),
        (X5, utc(2026, 2, 4, 9, 0), 30.0, True, 2, False),
    ]


def test_bluesky_api_posts(built: Path):
    # reactions = likes, comments = replies, shares = reposts + quotes: P1 4 + 1, P5 2 + 0.
    assert query(
        built,
        "SELECT platform, post_id, account, published_at, permalink, text, reactions, comments, "
        "shares, clicks, impressions, source_file FROM analytics.posts "
        "WHERE source_format = 'bluesky_api' ORDER BY published_at",
    ) == [
        ("bluesky", P1, BRAND_HANDLE, utc(2026, 2, 2, 9, 0),
         f"https://bsky.app/profile/{BRAND}/post/3lhbrandpost2", P1_TEXT, 17, 2, 5, None, None,
         THREAD.name),
        ("bluesky", P5, BRAND_HANDLE, utc(2026, 2, 4, 8, 0),
         f"https://bsky.app/profile/{BRAND}/post/3lhworkshop22", P5_TEXT, 9, 1, 2, None, None,
         FEED.name),
    ]  # fmt: skip


def test_bluesky_api_weekly_kpis(built: Path):
    # Week of Mon 2026-02-02, the only week with Bluesky data. Inbound R1, R3, R4, X5 = 4;
    # outbound R2, R6 = 2. Conversations R1, R4, X5 = 3, answered 2: 2/3. Minutes [30, 30]:
    # median 30, p90 30. Two-way 1 of 3; turns (3 + 1 + 2) / 3 = 2. Posts P1 and P5 = 2.
    assert query(
        built,
        "SELECT inbound_messages, outbound_messages, conversations, answered_conversations, "
        "response_rate, median_first_response_minutes, p90_first_response_minutes, "
        "two_way_rate, avg_turns, posts FROM analytics.kpi_weekly "
        "WHERE platform = 'bluesky' AND week_start = DATE '2026-02-02'",
    ) == [(4, 2, 3, 2, 2 / 3, 30.0, 30.0, 1 / 3, 2.0, 2)]
