"""Mastodon account archive outbox.json (docs/formats.md §2): exact raw rows, then the brand's
posts and replies via dbt, joined with the Mastodon API fixture's threads.

The fixture is written as Mastodon's backup writes it: one line, the collection's own empty
`"orderedItems":[]` followed by the real list under the same key, `totalItems` 9 for 7
items. Items, oldest first: a brand post (also in the API fixture, with counts there), a
boost, a direct reply to kai's direct message (a status of the brand's own instance), a
reply to kiesweg's status on another instance (in the API fixture), a followers-only post,
the brand's reply to that post, and a reply to a remote status that is not loaded. HTML
content with mention markup, <br />, paragraphs and entities.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from learnloop.build import RunContext
from learnloop.config import Config
from learnloop.paths import Home
from tests.conftest import FIXTURE_CONFIG, FIXTURES, query, restore_dm_ids
from tests.format_build import Landing, SharedBuilds
from tests.harness import (
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

OUTBOX = FIXTURES / "mastodon_outbox" / "outbox.json"
TRUNCATED = FIXTURES / "mastodon_outbox" / "outbox_truncated.json"
API_STATUSES = FIXTURES / "mastodon_api" / "statuses_nordlicht_mentions.json"
TABLE = "raw.mastodon_outbox__activities"
TITLE = "Mastodon archive outbox.json"
MASTODON_CONFIG = FIXTURE_CONFIG + 'mastodon = ["Nordlicht@velo.social"]\n'

BRAND = "nordlicht@velo.social"
ACTOR = "https://velo.social/users/nordlicht"


def status(n: int) -> str:
    return f"1138000000000000{n:02d}"


def note(n: int) -> str:
    return f"{ACTOR}/statuses/{status(n)}"


def web(n: int) -> str:
    return f"https://velo.social/@nordlicht/{status(n)}"


def tag(day: str, n: int) -> str:
    return f"tag:velo.social,{day}:objectId=00{n:02d}:objectType=Conversation"


POST_TEXT = (
    "Winter service week: 20 % off & a free battery check!\n"
    "Book at https://nordlicht.example/service\n\nOffer ends Sunday."
)
KAI_DM = "https://velo.social/users/kai/statuses/113800000000000004"
KIESWEG = "https://fediverse.example/users/kiesweg/statuses/113800000000000005"
SPEICHEN = "https://bikes.example/users/speichen/statuses/998877"
DM_TEXT = "@kai Sorry for the wait! Order #4711 ships today, tracking follows by mail."
KIES_TEXT = (
    "@kiesweg @radlerin_mia The next Fjord 2 batch arrives on 2 February \u2013 reserve yours "
    "in any shop."
)
SPRING_TEXT = "Spring check-up slots are open for our followers first: nordlicht.example/check"
SLOTS_TEXT = "Slots from 2 March, Monday to Saturday."
THANKS_TEXT = "@speichen Thanks for the shout-out <3"

RAW_COLUMNS = (
    "activity_id, activity_type, status_id, status_uri, published_raw, published_at, "
    "in_reply_to, in_reply_to_local_id, url, conversation, visibility, text, author_handle"
)
# Both orderedItems lists are read (the first is empty). in_reply_to_local_id only for a
# status of the brand's own instance (velo.social). Visibility from to/cc: Public in to =
# public, followers only = private, neither = direct.
OUTBOX_ROWS = [
    (note(1) + "/activity", "Create", status(1), note(1), "2026-01-05T09:00:00Z",
     utc(2026, 1, 5, 9, 0), None, None, web(1), tag("2026-01-05", 1), "public", POST_TEXT,
     BRAND),
    (note(7) + "/activity", "Announce", status(7),
     "https://radweg.example/users/bergfee/statuses/113800000000000002",
     "2026-01-05T10:20:00Z", utc(2026, 1, 5, 10, 20), None, None, None, None, "public", None,
     BRAND),
    (note(8) + "/activity", "Create", status(8), note(8), "2026-01-05T12:50:00Z",
     utc(2026, 1, 5, 12, 50), KAI_DM, status(4), web(8), tag("2026-01-05", 8), "direct",
     DM_TEXT, BRAND),
    (note(9) + "/activity", "Create", status(9), note(9), "2026-01-05T13:20:00Z",
     utc(2026, 1, 5, 13, 20), KIESWEG, None, web(9), tag("2026-01-05", 9), "public",
     KIES_TEXT, BRAND),
    (note(20) + "/activity", "Create", status(20), note(20), "2026-01-12T08:00:00Z",
     utc(2026, 1, 12, 8, 0), None, None, web(20), tag("2026-01-12", 20), "private",
     SPRING_TEXT, BRAND),
    (note(21) + "/activity", "Create", status(21), note(21), "2026-01-12T08:05:00Z",
     utc(2026, 1, 12, 8, 5), note(20), status(20), web(21), tag("2026-01-12", 21), "private",
     SLOTS_TEXT, BRAND),
    (note(22) + "/activity", "Create", status(22), note(22), "2026-01-13T17:45:00Z",
     utc(2026, 1, 13, 17, 45), SPEICHEN, None, web(22), tag("2026-01-13", 22), "public",
     THANKS_TEXT, BRAND),
]  # fmt: skip


def raw_rows(context: RunContext, file_name: str) -> list[tuple]:
    return source_rows(context.database_path, TABLE, RAW_COLUMNS, file_name)


# --- raw rows -----------------------------------------------------------------------------


def test_duckdb_json_extract_takes_the_empty_duplicate():
    """Why the reader walks json_each: json_extract answers the first orderedItems."""
    document = OUTBOX.read_text(encoding="utf-8")
    with duckdb.connect() as con:
        assert con.execute("SELECT json_extract(?, '$.orderedItems')", [document]).fetchone() == (
            "[]",
        )


def test_mastodon_outbox_loads_exact_rows_with_lineage(config: Config):
    land(config, OUTBOX, "archive/outbox.json")
    context, summary = ingest(config)

    assert raw_rows(context, "archive/outbox.json") == OUTBOX_ROWS
    assert query(
        context.database_path,
        f"SELECT _source_file, _source_checksum, _source_row, _run_key FROM {TABLE} "
        "ORDER BY _source_row",
    ) == expected_lineage(context, "archive/outbox.json", OUTBOX, 7)
    assert manifest(context) == [
        ("archive/outbox.json", "archive/outbox.json", sha256(OUTBOX), "mastodon_outbox",
         "loaded", 7),
    ]  # fmt: skip
    assert summary.rows == 7


def test_truncated_outbox_is_quarantined_with_a_reason(config: Config):
    land(config, TRUNCATED, "drop/outbox.json")
    land(config, OUTBOX, "good/outbox.json")
    context, summary = ingest(config)

    assert summary.as_dict() == {"loaded": 1, "duplicate": 0, "quarantined": 1, "rows": 7}
    assert quarantine_reason(config, context, "drop/outbox.json").startswith(
        f'drop/outbox.json: looks like {TITLE}, but Malformed JSON in file "drop/outbox.json"'
    )


def test_inspect_names_the_outbox_format_and_row_count(home: Home):
    output = inspect_output(home, OUTBOX)
    assert output.splitlines() == [f"{OUTBOX}: mastodon_outbox ({TITLE}), 7 rows"]


# --- through dbt, together with the Mastodon API fixture ---------------------------------


@dataclass(frozen=True)
class Built:
    database: Path


# What this module puts into the shared builds of the format tests (tests/format_build.py).
# Its archive answers threads of the Mastodon API statuses, which would change
# what test_format_mastodon_api sees of them, so it lives apart from that module.
SHARED_BUILD = Landing(
    {"archive/outbox.json": OUTBOX, API_STATUSES.name: API_STATUSES},
    brand={"mastodon": ("Nordlicht@velo.social",)},
    world="two_january_weeks",
)


@pytest.fixture(scope="module")
def built(format_builds: SharedBuilds) -> Built:
    return Built(format_builds.of(__name__).database)


def test_mastodon_outbox_replies_are_outbound_interactions_in_the_api_threads(built: Built):
    published = query(
        built.database,
        "SELECT platform, interaction_id, thread_id, parent_id, post_id, direction, created_at, "
        "is_private, text FROM analytics.interactions WHERE source_format = 'mastodon_outbox' "
        "ORDER BY created_at",
    )
    # The direct reply's ids are published as salted pseudonyms; mapped back to compare.
    assert status(8) not in {row[1] for row in published}
    rows = restore_dm_ids(built.database, published, {1, 2})
    # …008 answers kai's direct message …004 (own instance: the id from the URI) and joins
    # its thread; …009 answers kiesweg's …005 on another instance, found by its URI in the
    # API data; …021 replies to the brand post …020 (a post, not an interaction: its own
    # root); …022's parent is not loaded, so its URI stays the parent and it is a root.
    # The posts …001 and …020 and the boost …007 are no interactions.
    assert rows == [
        ("mastodon", status(8), status(4), status(4), None, "outbound",
         utc(2026, 1, 5, 12, 50), True, None),
        ("mastodon", status(9), status(5), status(5), None, "outbound",
         utc(2026, 1, 5, 13, 20), False, KIES_TEXT),
        ("mastodon", status(21), status(21), status(20), status(20), "outbound",
         utc(2026, 1, 12, 8, 5), False, SLOTS_TEXT),
        ("mastodon", status(22), status(22), SPEICHEN, None, "outbound",
         utc(2026, 1, 13, 17, 45), False, THANKS_TEXT),
    ]  # fmt: skip


def test_mastodon_outbox_answers_the_api_conversations(built: Built):
    rows = restore_dm_ids(
        built.database,
        query(
            built.database,
            "SELECT thread_id, started_at, first_response_minutes, answered, turns "
            "FROM analytics.conversations WHERE platform = 'mastodon' ORDER BY started_at",
        ),
        {0},
        platform="mastodon",
    )
    # …002: 10:15 -> the API's brand reply 10:40 = 25 min. …004: 12:30 -> the outbox's
    # direct reply 12:50 = 20 min. …005: 13:00 -> the outbox's reply 13:20 = 20 min.
    assert rows == [
        (status(2), utc(2026, 1, 5, 10, 15), 25.0, True, 2),
        (status(4), utc(2026, 1, 5, 12, 30), 20.0, True, 2),
        (status(5), utc(2026, 1, 5, 13, 0), 20.0, True, 2),
    ]


def test_mastodon_outbox_posts_give_way_to_api_counts(built: Built):
    rows = query(
        built.database,
        "SELECT platform, post_id, account, published_at, permalink, text, reactions, comments, "
        "shares, snapshot_at IS NULL, source_format, source_file FROM analytics.posts "
        "WHERE platform = 'mastodon' ORDER BY published_at",
    )
    # …001 is in both files: the API's row, with counts, wins over the outbox's, which is no
    # metric snapshot. The followers-only …020 is only in the outbox: no counts.
    assert rows == [
        ("mastodon", status(1), BRAND, utc(2026, 1, 5, 9, 0), web(1), POST_TEXT, 11, 2, 3,
         False, "mastodon_api", API_STATUSES.name),
        ("mastodon", status(20), BRAND, utc(2026, 1, 12, 8, 0), web(20), SPRING_TEXT, None,
         None, None, True, "mastodon_outbox", "archive/outbox.json"),
    ]  # fmt: skip
