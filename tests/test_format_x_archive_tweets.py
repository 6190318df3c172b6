"""X archive `data/tweets.js` (docs/formats.md §2): raw rows, prefix variants, quarantine,
inspect, then posts and the brand's replies via dbt.

The fixture is JavaScript as X writes it (`window.YTD.tweets.part0 = [...]`, ` : ` spacing,
every number a string, newest first): a retweet, a reply to a community tweet that is not in
the archive, a self-reply that continues a post, and that post (with `&amp;` and a line
break). The brand is configured by handle.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from learnloop.config import Config
from learnloop.paths import Home
from tests.conftest import FIXTURE_CONFIG, FIXTURES, query
from tests.format_build import Landing, SharedBuilds
from tests.harness import (
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

FOLDER = FIXTURES / "x_archive_tweets"
TWEETS = FOLDER / "tweets.js"
TRUNCATED = FOLDER / "tweets-truncated.js"

TABLE = "raw.x_archive_tweets__tweets"
TITLE = "X archive tweets.js"
COLUMNS = (
    "tweet_id, text, lang, created_at_raw, created_at, in_reply_to_status_id, "
    "in_reply_to_user_id, in_reply_to_screen_name, favorite_count, retweet_count"
)
CONFIG = FIXTURE_CONFIG + 'x = ["@NordlichtBikes"]\n'

BRAND_ID = "1500000000000000001"
KIESWEG = "1600000000000000002"
RETWEET = "2010436586566582281"
ANSWER = "2009901775380807685"  # the brand answers kiesweg's tweet (not in the archive)
KIESWEG_TWEET = "2009897496867766385"
CONTINUATION = "2009581542468223005"  # the brand replies to its own post
POST = "2009580911850422316"

# With en dashes (\u2013), as people type opening hours.
POST_TEXT = "Neue Öffnungszeiten der Werkstätten Kiel & Lübeck:\nMo\u2013Fr 8\u201318 Uhr 🔧"
ANSWER_TEXT = "@kiesweg Das klingt nach dem Bremssensor > bitte schreib uns eine DM!"
CONTINUATION_TEXT = "Samstags nur mit Termin: https://t.co/termin0001"


ROWS = [
    (RETWEET, "RT @kiesweg: Bestes Werkstatt-Erlebnis ever, danke @NordlichtBikes 🚲", "de",
     "Sun Jan 11 19:40:09 +0000 2026", utc(2026, 1, 11, 19, 40, 9), None, None, None, 0, 0),
    (ANSWER, ANSWER_TEXT, "de", "Sat Jan 10 08:15:00 +0000 2026", utc(2026, 1, 10, 8, 15),
     KIESWEG_TWEET, KIESWEG, "kiesweg", 1, 0),
    (CONTINUATION, CONTINUATION_TEXT, "de", "Fri Jan 09 11:02:30 +0000 2026",
     utc(2026, 1, 9, 11, 2, 30), POST, BRAND_ID, "NordlichtBikes", 2, 0),
    (POST, POST_TEXT, "de", "Fri Jan 09 11:00:00 +0000 2026", utc(2026, 1, 9, 11, 0), None,
     None, None, 12, 3),
]  # fmt: skip


@pytest.fixture
def x_config(home: Home) -> Config:
    return configure(home, CONFIG)


def raw_rows(database: Path, file_name: str) -> list[tuple]:
    return source_rows(database, TABLE, COLUMNS, file_name)


def test_loads_exact_rows_with_lineage(x_config: Config):
    name = "twitter-2026-01-20/data/tweets.js"
    land(x_config, TWEETS, name)
    context, summary = ingest(x_config)

    assert raw_rows(context.database_path, name) == ROWS
    assert query(
        context.database_path,
        f"SELECT _source_file, _source_checksum, _source_row, _run_key FROM {TABLE} "
        "ORDER BY _source_row",
    ) == expected_lineage(context, name, TWEETS, 4)
    assert manifest(context) == [(name, name, sha256(TWEETS), "x_archive_tweets", "loaded", 4)]
    assert summary.as_dict() == {"loaded": 1, "duplicate": 0, "quarantined": 0, "rows": 4}


def unwrapped() -> bytes:
    """Older archives' tweet.js: the tweet objects without the {"tweet": ...} wrapper."""
    items = json.loads(TWEETS.read_text(encoding="utf-8").split("=", 1)[1])
    return ("window.YTD.tweet.part0 = " + json.dumps([i["tweet"] for i in items])).encode()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("tweets-part1.js", TWEETS.read_bytes().replace(b".part0 =", b".part1 =")),
        ("tweet.js", TWEETS.read_bytes().replace(b"YTD.tweets.", b"YTD.tweet.")),
        ("tweet-unwrapped.js", unwrapped()),
        ("tweets-bom.js", b"\xef\xbb\xbf" + TWEETS.read_bytes()),
    ],
    ids=["part1", "tweet.js", "unwrapped", "bom"],
)
def test_the_archives_other_spellings_give_the_same_rows(
    x_config: Config, name: str, content: bytes
):
    land(x_config, content, name)
    context, _ = ingest(x_config)
    assert raw_rows(context.database_path, name) == ROWS


def test_a_truncated_file_is_quarantined_with_one_line_naming_file_format_and_defect(
    x_config: Config,
):
    land(x_config, TRUNCATED, TRUNCATED.name)
    context, summary = ingest(x_config)

    assert manifest(context) == [
        (TRUNCATED.name, TRUNCATED.name, sha256(TRUNCATED), "x_archive_tweets", "quarantined",
         None)
    ]  # fmt: skip
    assert quarantine_reason(x_config, context, TRUNCATED.name) == (
        f"{TRUNCATED.name}: looks like {TITLE}, but the part after the window.YTD prefix is "
        "not valid JSON"
    )
    assert summary.as_dict() == {"loaded": 0, "duplicate": 0, "quarantined": 1, "rows": 0}


def test_inspect_names_the_format_and_counts_the_tweets(x_config: Config):
    output = inspect_output(x_config.home, TWEETS)
    assert output == f"{TWEETS}: x_archive_tweets ({TITLE}), 4 rows\n"


# --- dbt ----------------------------------------------------------------------------------


# What this module puts into the shared builds of the format tests (tests/format_build.py).
# Its weekly KPIs read X's week of 5 January, which four other X formats share
# in the world "formats"; in this world no other format writes X.
SHARED_BUILD = Landing(
    {"data/tweets.js": TWEETS}, brand={"x": ("@NordlichtBikes",)}, world="two_january_weeks"
)


@pytest.fixture(scope="module")
def built(format_builds: SharedBuilds) -> Path:
    return format_builds.of(__name__).database


@pytest.mark.slow
def test_the_brands_replies_are_outbound_interactions(built: Path):
    rows = query(
        built,
        "SELECT platform, interaction_id, thread_id, parent_id, post_id, direction, created_at, "
        "is_private, text, author_handle, member_key FROM analytics.interactions "
        "WHERE source_format = 'x_archive_tweets' ORDER BY created_at",
    )
    # The continuation answers the post (not an interaction), so it is its own thread, under
    # that post; the answer's parent is not loaded, so it is its own thread. The retweet is
    # neither a post nor an interaction.
    assert rows == [
        ("x", CONTINUATION, CONTINUATION, POST, POST, "outbound", utc(2026, 1, 9, 11, 2, 30),
         False, CONTINUATION_TEXT, "nordlichtbikes", None),
        ("x", ANSWER, ANSWER, KIESWEG_TWEET, None, "outbound", utc(2026, 1, 10, 8, 15), False,
         ANSWER_TEXT, "nordlichtbikes", None),
    ]  # fmt: skip
    # Brand-only threads are no conversations.
    assert query(
        built,
        f"SELECT count(*) FROM analytics.conversations WHERE {threads_of('x_archive_tweets')}",
    ) == [(0,)]


@pytest.mark.slow
def test_the_brands_other_tweets_are_posts_without_comment_counts(built: Path):
    rows = query(
        built,
        "SELECT platform, post_id, account, published_at, week_start, permalink, text, "
        "reactions, comments, shares, clicks, impressions, source_format, source_file "
        "FROM analytics.posts WHERE source_format = 'x_archive_tweets'",
    )
    assert rows == [
        ("x", POST, "nordlichtbikes", utc(2026, 1, 9, 11, 0), date(2026, 1, 5),
         f"https://x.com/nordlichtbikes/status/{POST}", POST_TEXT, 12, None, 3, None, None,
         "x_archive_tweets", "data/tweets.js"),
    ]  # fmt: skip
    # The week's KPIs: one post, 12 likes, 3 retweets; comments and impressions unknown.
    assert query(
        built,
        "SELECT posts, conversation_rate, amplification_rate, applause_rate, engagement_rate, "
        "outbound_messages FROM analytics.kpi_weekly "
        "WHERE platform = 'x' AND week_start = DATE '2026-01-05'",
    ) == [(1, None, 3.0, 12.0, None, 2)]
