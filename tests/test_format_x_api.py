"""X API v2 tweets JSON (docs/formats.md §1): exact raw rows, then interactions and posts via dbt.

The fixtures are a recent search for the brand (newest first, as X returns it: a brand post,
a reply tree under it, a mention without referenced_tweets, a reply whose parent is not in
the file, a retweet; one user referenced by several tweets) and a conversation lookup in two
pages as JSON Lines (the root brand post is not in data, as X's conversation search leaves
it out). The brand is configured by handle, in another case and with an @.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from learnloop.build import RunContext
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

X = FIXTURES / "x_api"
SEARCH = X / "search_recent_nordlicht.json"
CONVERSATION = X / "conversation_1878000000000000200.jsonl"
NO_CREATED_AT = X / "search_without_tweet_fields.json"
TABLE = "raw.x_api__tweets"
TITLE = "X API v2 tweets JSON"
X_CONFIG = FIXTURE_CONFIG + 'x = ["@nordlichtbikes"]\n'

BRAND_ID = "1500000000000000001"
BERGFEE, KIESWEG, PEDALPIA, MIA, TOM = (f"200000000000000000{n}" for n in range(1, 6))


def tweet(n: int) -> str:
    return f"1878000000000000{n}"


RAW_COLUMNS = (
    "tweet_id, conversation_id, author_id, author_username, author_name, text, lang, "
    "created_at_raw, created_at, replied_to_id, quoted_id, retweeted_id, in_reply_to_user_id, "
    "retweet_count, reply_count, like_count, quote_count, bookmark_count, impression_count"
)
POST_TEXT = "Winter service week: 20 % off & a free battery check <3 https://t.co/xyz789"
# In file order (newest first). Entities decoded (&amp; &lt; &gt; &quot;), emoji kept.
SEARCH_ROWS = [
    (tweet(107), tweet(107), TOM, "tom_k", "Tom K.", f"RT @NordlichtBikes: {POST_TEXT}", "en",
     "2026-01-05T13:30:00.000Z", utc(2026, 1, 5, 13, 30), None, None, tweet(100), None,
     4, 0, 0, 0, 0, 0),
    (tweet(106), "1877999999999999000", PEDALPIA, "pedalpia", "Pia Pedal",
     "@kiesweg same question here, also for the Fjord 1?", "en",
     "2026-01-05T13:20:00.000Z", utc(2026, 1, 5, 13, 20), "1878000000000000099", None, None,
     KIESWEG, 0, 0, 1, 0, 0, 40),
    (tweet(105), tweet(105), KIESWEG, "kiesweg", "Kiesweg",
     "Anyone tried the @NordlichtBikes Fjord 2 on gravel? Tyres > 45 mm & fenders?", "en",
     "2026-01-05T12:00:00.000Z", utc(2026, 1, 5, 12, 0), None, None, None, None,
     1, 0, 4, 0, 1, 310),
    (tweet(104), tweet(100), BERGFEE, "bergfee_x", "Bergfee",
     "@NordlichtBikes Great, booked for Thursday!", "en",
     "2026-01-05T11:00:00.000Z", utc(2026, 1, 5, 11, 0), tweet(103), None, None, BRAND_ID,
     0, 0, 0, 0, 0, 25),
    (tweet(103), tweet(100), BRAND_ID, "NordlichtBikes", "Nordlicht Bikes",
     "@bergfee_x Yes, battery checks are included. Book here: https://t.co/abc123", "en",
     "2026-01-05T10:40:00.000Z", utc(2026, 1, 5, 10, 40), tweet(101), None, None, BERGFEE,
     0, 1, 2, 0, 0, 90),
    (tweet(101), tweet(100), BERGFEE, "bergfee_x", "Bergfee",
     "@NordlichtBikes Does that include e-bike batteries? 🔋", "en",
     "2026-01-05T10:15:00.000Z", utc(2026, 1, 5, 10, 15), tweet(100), None, None, BRAND_ID,
     0, 1, 1, 0, 0, 120),
    (tweet(100), tweet(100), BRAND_ID, "NordlichtBikes", "Nordlicht Bikes", POST_TEXT, "en",
     "2026-01-05T09:00:00.000Z", utc(2026, 1, 5, 9, 0), None, None, None, None,
     4, 3, 25, 1, 2, 1800),
]  # fmt: skip
# Page 1 (two tweets), then page 2 (one tweet); users come from each page's includes.
CONVERSATION_ROWS = [
    (tweet(202), tweet(200), MIA, "radlerin_mia", "Radlerin Mia",
     '@NordlichtBikes Danke! "Schon bestellt"', "de",
     "2026-01-07T16:05:00.000Z", utc(2026, 1, 7, 16, 5), tweet(201), None, None, BRAND_ID,
     0, 0, 0, 0, 0, 55),
    (tweet(201), tweet(200), BRAND_ID, "NordlichtBikes", "Nordlicht Bikes",
     "@radlerin_mia Ab Februar wieder da, Größe M inklusive.", "de",
     "2026-01-07T15:30:00.000Z", utc(2026, 1, 7, 15, 30), tweet(210), None, None, MIA,
     0, 1, 1, 0, 0, 70),
    (tweet(210), tweet(200), MIA, "radlerin_mia", "Radlerin Mia",
     "@NordlichtBikes Wann ist das Fjord 2 wieder lieferbar?", "de",
     "2026-01-07T15:00:00.000Z", utc(2026, 1, 7, 15, 0), tweet(200), None, None, BRAND_ID,
     0, 1, 2, 0, 0, 80),
]  # fmt: skip


def x_config(home: Home) -> Config:
    return configure(home, X_CONFIG)


def raw_rows(context: RunContext, file_name: str) -> list[tuple]:
    return source_rows(context.database_path, TABLE, RAW_COLUMNS, file_name)


def lineage(context: RunContext, file_name: str) -> list[tuple]:
    return source_rows(context.database_path, TABLE, LINEAGE, file_name)


# --- raw rows -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [(SEARCH, SEARCH_ROWS), (CONVERSATION, CONVERSATION_ROWS)],
    ids=["one search response", "json lines of pages"],
)
def test_x_api_loads_exact_rows_with_lineage(home: Home, source: Path, expected: list):
    config = x_config(home)
    land(config, source, source.name)
    context, summary = ingest(config)

    assert raw_rows(context, source.name) == expected
    assert lineage(context, source.name) == expected_lineage(
        context, source.name, source, len(expected)
    )
    assert manifest(context) == [
        (source.name, source.name, sha256(source), "x_api", "loaded", len(expected))
    ]
    assert summary.rows == len(expected)


def test_x_api_array_of_responses_and_repeated_pages_load_once(config: Config):
    """A JSON array of the same two pages gives the same rows; a page saved twice (an
    overlapping download) does not repeat its tweets."""
    pages = CONVERSATION.read_text(encoding="utf-8").splitlines()
    array = ("[" + ",\n".join(pages) + "]").encode()
    repeated = ("[" + ",\n".join([*pages, pages[1]]) + "]").encode()
    land(config, array, "pages_array.json")
    land(config, repeated, "pages_repeated.json")
    context, _ = ingest(config)

    assert raw_rows(context, "pages_array.json") == CONVERSATION_ROWS
    assert raw_rows(context, "pages_repeated.json") == CONVERSATION_ROWS
    assert lineage(context, "pages_repeated.json") == expected_lineage(
        context, "pages_repeated.json", repeated, 3
    )


def test_x_api_without_created_at_is_quarantined_with_a_reason(config: Config):
    land(config, NO_CREATED_AT, "drop/no_fields.json")
    land(config, SEARCH, "good/search.json")
    context, summary = ingest(config)

    assert manifest(context) == [
        ("drop/no_fields.json", "drop/no_fields.json", sha256(NO_CREATED_AT), "x_api",
         "quarantined", None),
        ("good/search.json", "good/search.json", sha256(SEARCH), "x_api", "loaded", 7),
    ]  # fmt: skip
    assert summary.as_dict() == {"loaded": 1, "duplicate": 0, "quarantined": 1, "rows": 7}
    assert quarantine_reason(config, context, "drop/no_fields.json") == (
        f"drop/no_fields.json: looks like {TITLE}, but tweet 1878000000000000300 has no "
        "parseable created_at (request tweet.fields=created_at,author_id,conversation_id,"
        "referenced_tweets,public_metrics)"
    )
    assert query(context.database_path, f"SELECT count(*) FROM {TABLE}") == [(7,)]


def test_inspect_names_the_x_format_and_row_count(home: Home):
    output = inspect_output(home, SEARCH, CONVERSATION)
    assert output.splitlines() == [
        f"{SEARCH}: x_api ({TITLE}), 7 rows",
        f"{CONVERSATION}: x_api ({TITLE}), 3 rows",
    ]


# --- through dbt --------------------------------------------------------------------------


@dataclass(frozen=True)
class Built:
    database: Path


# What this module puts into the shared builds of the format tests (tests/format_build.py).
SHARED_BUILD = Landing(by_name(SEARCH, CONVERSATION), brand={"x": ("@nordlichtbikes",)})


@pytest.fixture(scope="module")
def built(format_builds: SharedBuilds) -> Built:
    return Built(format_builds.of(__name__).database)


@pytest.mark.slow
def test_x_api_interactions(built: Built):
    rows = query(
        built.database,
        "SELECT platform, interaction_id, thread_id, parent_id, post_id, direction, created_at, "
        "is_private, text FROM analytics.interactions WHERE source_format = 'x_api' "
        "ORDER BY created_at",
    )
    # The brand post 100 is a post, the retweet 107 neither. Replies under post 100 thread at
    # 101 (its parent is the post, not an interaction); 106's parent 099 is not loaded, so
    # 106 is its own root; under post 200 (not in the data, known as the brand's through
    # 210's in_reply_to_user_id) the thread starts at 210.
    assert rows == [
        ("x", tweet(101), tweet(101), tweet(100), tweet(100), "inbound",
         utc(2026, 1, 5, 10, 15), False,
         "@NordlichtBikes Does that include e-bike batteries? 🔋"),
        ("x", tweet(103), tweet(101), tweet(101), tweet(100), "outbound",
         utc(2026, 1, 5, 10, 40), False,
         "@bergfee_x Yes, battery checks are included. Book here: https://t.co/abc123"),
        ("x", tweet(104), tweet(101), tweet(103), tweet(100), "inbound",
         utc(2026, 1, 5, 11, 0), False, "@NordlichtBikes Great, booked for Thursday!"),
        ("x", tweet(105), tweet(105), None, None, "inbound", utc(2026, 1, 5, 12, 0), False,
         "Anyone tried the @NordlichtBikes Fjord 2 on gravel? Tyres > 45 mm & fenders?"),
        ("x", tweet(106), tweet(106), "1878000000000000099", None, "inbound",
         utc(2026, 1, 5, 13, 20), False, "@kiesweg same question here, also for the Fjord 1?"),
        ("x", tweet(210), tweet(210), tweet(200), tweet(200), "inbound",
         utc(2026, 1, 7, 15, 0), False,
         "@NordlichtBikes Wann ist das Fjord 2 wieder lieferbar?"),
        ("x", tweet(201), tweet(210), tweet(210), tweet(200), "outbound",
         utc(2026, 1, 7, 15, 30), False,
         "@radlerin_mia Ab Februar wieder da, Größe M inklusive."),
        ("x", tweet(202), tweet(210), tweet(201), tweet(200), "inbound",
         utc(2026, 1, 7, 16, 5), False, '@NordlichtBikes Danke! "Schon bestellt"'),
    ]  # fmt: skip


@pytest.mark.slow
def test_x_api_conversations(built: Built):
    rows = query(
        built.database,
        "SELECT thread_id, started_at, first_response_minutes, answered, turns, two_way "
        f"FROM analytics.conversations WHERE {threads_of('x_api')} ORDER BY started_at",
    )
    # 101: 10:15 -> brand 10:40 = 25 min, bergfee back at 11:00. 210: 15:00 -> 15:30 = 30
    # min, Mia back at 16:05. The mention 105 and the orphan reply 106 are unanswered.
    assert rows == [
        (tweet(101), utc(2026, 1, 5, 10, 15), 25.0, True, 3, True),
        (tweet(105), utc(2026, 1, 5, 12, 0), None, False, 1, False),
        (tweet(106), utc(2026, 1, 5, 13, 20), None, False, 1, False),
        (tweet(210), utc(2026, 1, 7, 15, 0), 30.0, True, 3, True),
    ]


@pytest.mark.slow
def test_x_api_posts(built: Built):
    rows = query(
        built.database,
        "SELECT platform, post_id, account, published_at, permalink, text, reactions, comments, "
        "shares, clicks, impressions, source_format, source_file FROM analytics.posts "
        "WHERE source_format = 'x_api'",
    )
    # shares = retweet_count (4); quote_count (1) is not counted.
    assert rows == [
        ("x", tweet(100), "NordlichtBikes", utc(2026, 1, 5, 9, 0),
         f"https://x.com/NordlichtBikes/status/{tweet(100)}", POST_TEXT, 25, 3, 4, None, 1800,
         "x_api", SEARCH.name),
    ]  # fmt: skip
    # No export time in an API response: the snapshot is the load.
    assert query(
        built.database,
        "SELECT posts.snapshot_at = raw._loaded_at FROM analytics.posts AS posts "
        f"JOIN {TABLE} AS raw ON raw.tweet_id = posts.post_id",
    ) == [(True,)]
