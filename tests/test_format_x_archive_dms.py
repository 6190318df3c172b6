"""X archive `data/direct-messages.js`: raw rows, quarantine, inspect, dbt.

The fixture is JavaScript as X writes it: `window.YTD.direct_messages.part0 = [...]` with
X's spacing, newest message first in each conversation, a reaction and a t.co link. The
second conversation is opened by the brand.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from learnloop.config import Config
from learnloop.paths import Home
from tests.conftest import FIXTURE_CONFIG, FIXTURES, query, restore_dm_ids
from tests.format_build import Landing, SharedBuilds
from tests.harness import (
    LINEAGE,
    by_name,
    configure,
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

FOLDER = FIXTURES / "x_archive_dms"
DMS = FOLDER / "direct-messages.js"
TRUNCATED = FOLDER / "direct-messages-truncated.js"

TABLE = "raw.x_archive_dms__messages"
TITLE = "X archive direct-messages.js"
COLUMNS = "conversation_id, message_id, sender_id, recipient_id, text, created_at_raw, created_at"

BRAND = "1580000000000000001"
CONFIG = FIXTURE_CONFIG + f'x = ["{BRAND}"]\n'

FAN = "1600000000000000002"
WINNER = "1234567890"
ASKED = f"{BRAND}-{FAN}"  # X joins the two account ids, smaller first
WON = f"{WINNER}-{BRAND}"


# In file order: conversation by conversation, newest message first.
ROWS = [
    (
        ASKED,
        "1745000000000000003",
        BRAND,
        FAN,
        "Gern! Hier ist die Anleitung: https://t.co/AbCdEf1234",
        "2026-01-05T10:20:00.000Z",
        utc(2026, 1, 5, 10, 20),
    ),
    (
        ASKED,
        "1745000000000000002",
        FAN,
        BRAND,
        "Hi! Wo finde ich die Anleitung für das Display vom Fjord 2?",
        "2026-01-05T10:00:00.000Z",
        utc(2026, 1, 5, 10, 0),
    ),
    (
        WON,
        "1746000000000000006",
        WINNER,
        BRAND,
        "Wow, danke!! 🎉",
        "2026-01-12T07:05:00.000Z",
        utc(2026, 1, 12, 7, 5),
    ),
    (
        WON,
        "1746000000000000005",
        BRAND,
        WINNER,
        "Glückwunsch, du hast die Winter-Tour gewonnen! Schick uns bitte deine Adresse.",
        "2026-01-11T22:30:00.000Z",
        utc(2026, 1, 11, 22, 30),
    ),
]


@pytest.fixture
def x_config(home: Home) -> Config:
    return configure(home, CONFIG)


def raw_rows(database: Path, file_name: str) -> list[tuple]:
    return source_rows(database, TABLE, COLUMNS, file_name)


def lineage(database: Path, file_name: str) -> list[tuple]:
    return source_rows(database, TABLE, LINEAGE, file_name)


def test_loads_exact_rows_with_lineage(x_config: Config):
    name = "twitter-archive/data/direct-messages.js"
    land(x_config, DMS, name)
    context, summary = ingest(x_config)

    assert raw_rows(context.database_path, name) == ROWS
    assert lineage(context.database_path, name) == [
        (name, sha256(DMS), row, context.run_key) for row in (1, 2, 3, 4)
    ]
    assert manifest(context) == [(name, name, sha256(DMS), "x_archive_dms", "loaded", 4)]
    assert summary.as_dict() == {"loaded": 1, "duplicate": 0, "quarantined": 0, "rows": 4}


def test_a_byte_order_mark_before_the_prefix_changes_nothing_but_the_checksum(x_config: Config):
    with_bom = b"\xef\xbb\xbf" + DMS.read_bytes()
    land(x_config, with_bom, "direct-messages.js")
    context, _ = ingest(x_config)
    assert raw_rows(context.database_path, "direct-messages.js") == ROWS


def test_a_truncated_file_is_quarantined_with_one_line_naming_file_format_and_defect(
    x_config: Config,
):
    land(x_config, TRUNCATED, TRUNCATED.name)
    context, summary = ingest(x_config)

    assert manifest(context) == [
        (TRUNCATED.name, TRUNCATED.name, sha256(TRUNCATED), "x_archive_dms", "quarantined", None)
    ]
    assert quarantine_reason(x_config, context, TRUNCATED.name) == (
        f"{TRUNCATED.name}: looks like {TITLE}, but the part after the window.YTD prefix is "
        "not valid JSON"
    )
    assert summary.as_dict() == {"loaded": 0, "duplicate": 0, "quarantined": 1, "rows": 0}


def test_inspect_names_the_format_and_counts_the_messages(x_config: Config):
    output = inspect_output(x_config.home, DMS)
    assert output == f"{DMS}: x_archive_dms ({TITLE}), 4 rows\n"


# --- dbt ----------------------------------------------------------------------------------


# What this module puts into the shared builds of the format tests (tests/format_build.py).
SHARED_BUILD = Landing(by_name(DMS), brand={"x": (BRAND,)})


@pytest.fixture(scope="module")
def built(format_builds: SharedBuilds) -> Path:
    return format_builds.of(__name__).database


def test_interactions_are_private_dms_threaded_by_conversation_id(built: Path):
    published = query(
        built,
        "SELECT platform, interaction_id, thread_id, parent_id, post_id, direction, created_at,"
        " is_private, text, member_key IS NOT NULL FROM analytics.interactions"
        " WHERE source_format = 'x_archive_dms' ORDER BY created_at",
    )
    # DM ids are published as salted pseudonyms; mapped back here to compare.
    assert all(len(row[1]) == 16 for row in published)
    rows = restore_dm_ids(built, published, {1, 2})
    # The configured brand id makes senderId BRAND outbound; private text is not published.
    assert rows == [
        ("x", "1745000000000000002", ASKED, None, None, "inbound", utc(2026, 1, 5, 10, 0),
         True, None, True),
        ("x", "1745000000000000003", ASKED, None, None, "outbound", utc(2026, 1, 5, 10, 20),
         True, None, False),
        ("x", "1746000000000000005", WON, None, None, "outbound", utc(2026, 1, 11, 22, 30),
         True, None, False),
        ("x", "1746000000000000006", WON, None, None, "inbound", utc(2026, 1, 12, 7, 5),
         True, None, True),
    ]  # fmt: skip


def test_conversations_start_at_the_first_inbound_message(built: Path):
    published = query(
        built,
        "SELECT thread_id, started_at, first_response_at, first_response_minutes, turns,"
        " community_turns, brand_turns, two_way FROM analytics.conversations"
        f" WHERE {threads_of('x_archive_dms')} ORDER BY started_at",
    )
    # DM ids are published as salted pseudonyms; mapped back here to compare.
    assert all(len(row[0]) == 16 for row in published)
    rows = restore_dm_ids(built, published, {0}, platform="x")
    assert rows == [
        # Answered 10:00 -> 10:20: 20 minutes.
        (ASKED, utc(2026, 1, 5, 10, 0), utc(2026, 1, 5, 10, 20), 20.0, 2, 1, 1, False),
        # The brand wrote first; the winner's reply got no answer after it.
        (WON, utc(2026, 1, 12, 7, 5), None, None, 2, 1, 1, False),
    ]


def test_dms_are_not_posts(built: Path):
    assert query(
        built, "SELECT count(*) FROM analytics.posts WHERE source_format = 'x_archive_dms'"
    ) == [(0,)]
