"""Facebook/Instagram "Download your information" messages: raw rows, quarantine, inspect, dbt.

The fixtures are written the way Meta writes them: indented ASCII JSON whose strings are
mojibake (every UTF-8 byte its own \\u00XX escape), newest message first. The Facebook
thread is landed as a loose file; the Instagram thread as a member of a zip built here, under
`your_instagram_activity/messages/inbox/...`, the path that makes it Instagram.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from learnloop.config import Config
from learnloop.ingest.formats.meta_dyi import repair_mojibake
from learnloop.paths import Home
from tests.conftest import FIXTURE_CONFIG, FIXTURES, query, restore_dm_ids
from tests.format_build import Landing, SharedBuilds
from tests.harness import (
    LINEAGE,
    build_zip,
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

FOLDER = FIXTURES / "meta_dyi_messages"
FACEBOOK = FOLDER / "facebook_message_1.json"
INSTAGRAM = FOLDER / "instagram_message_1.json"
TRUNCATED = FOLDER / "message_truncated.json"

TABLE = "raw.meta_dyi_messages__messages"
TITLE = "Facebook/Instagram Download-your-information messages JSON"
COLUMNS = "platform, thread_path, title, message_id, sender_name, timestamp_ms, sent_at, content"

# The page's display name, as users configure it; Instagram's in another case on purpose.
CONFIG = FIXTURE_CONFIG + 'facebook = ["Nordlicht Bikes"]\ninstagram = ["nordlicht bikes"]\n'

FB_NAME = "facebook/message_1.json"
ZIP_NAME = "meta_export_2026-01.zip"
IG_MEMBER = "your_instagram_activity/messages/inbox/lenamuller_17841400000000001/message_1.json"
IG_NAME = f"{ZIP_NAME}!{IG_MEMBER}"

FB_THREAD = "inbox/jorgbrauer_10160000000000001"
IG_THREAD = "inbox/lenamuller_17841400000000001"


# Epoch milliseconds by hand: 2026-01-01T00:00Z is 1767225600 s; Jan 6 adds 5 * 86400 s
# (1767657600), Jan 8 adds 7 * 86400 s (1767830400).
# 08:00 = 28800 s, 08:45 = 31500 s, 09:00 = 32400 s; 16:05:12 = 57912 s, 16:40 = 60000 s,
# 17:02:30 = 61350 s.
FB_0800, FB_0845, FB_0900 = 1767686400000, 1767689100000, 1767690000000
IG_1605, IG_1640, IG_1702 = 1767888312000, 1767890400000, 1767891750000

# In file order (newest first). The photo and the text at 08:45:00.000 share a timestamp:
# the ordinal n of the derived id tells them apart.
FB_ROWS = [
    (
        "facebook",
        FB_THREAD,
        "Jörg Brauer",
        f"{FB_THREAD}:{FB_0900}:1",
        "Nordlicht Bikes",
        FB_0900,
        utc(2026, 1, 6, 9, 0),
        "Ja, bis 18 Uhr geöffnet. Grüße aus der Werkstatt!",
    ),
    (
        "facebook",
        FB_THREAD,
        "Jörg Brauer",
        f"{FB_THREAD}:{FB_0845}:1",
        "Jörg Brauer",
        FB_0845,
        utc(2026, 1, 6, 8, 45),
        None,
    ),
    (
        "facebook",
        FB_THREAD,
        "Jörg Brauer",
        f"{FB_THREAD}:{FB_0845}:2",
        "Jörg Brauer",
        FB_0845,
        utc(2026, 1, 6, 8, 45),
        "Super, ich komme morgen vorbei. Schließt ihr um 18 Uhr?",
    ),
    (
        # The brand writes first in this thread.
        "facebook",
        FB_THREAD,
        "Jörg Brauer",
        f"{FB_THREAD}:{FB_0800}:1",
        "Nordlicht Bikes",
        FB_0800,
        utc(2026, 1, 6, 8, 0),
        "Hallo Jörg! Dein Fjord 2 ist fertig zur Abholung.",
    ),
]
IG_ROWS = [
    (
        "instagram",
        IG_THREAD,
        "Lena Müller",
        f"{IG_THREAD}:{IG_1702}:1",
        "Lena Müller",
        IG_1702,
        utc(2026, 1, 8, 17, 2, 30),
        "Perfekt, danke! 🚲",  # 4-byte UTF-8: four escapes in the file
    ),
    (
        "instagram",
        IG_THREAD,
        "Lena Müller",
        f"{IG_THREAD}:{IG_1640}:1",
        "Nordlicht Bikes",
        IG_1640,
        utc(2026, 1, 8, 16, 40),
        "Hi Lena, ja \u2013 ab März in Waldgrün.",  # en dash: 3 bytes
    ),
    (
        "instagram",
        IG_THREAD,
        "Lena Müller",
        f"{IG_THREAD}:{IG_1605}:1",
        "Lena Müller",
        IG_1605,
        utc(2026, 1, 8, 16, 5, 12),
        "Hallo! Gibt es das Fjord 2 auch in Grün?",
    ),
]


@pytest.fixture
def meta_config(home: Home) -> Config:
    return configure(home, CONFIG)


def instagram_zip(folder: Path) -> Path:
    """The Instagram thread inside a zip, as Meta's download holds it."""
    return build_zip(folder / ZIP_NAME, {IG_MEMBER: INSTAGRAM.read_bytes()})


def land_both(config: Config) -> bytes:
    """The Facebook thread as a loose file, the Instagram thread inside a zip."""
    land(config, FACEBOOK, FB_NAME)
    land(config, instagram_zip(config.home.root), ZIP_NAME)
    return INSTAGRAM.read_bytes()


def raw_rows(database: Path, file_name: str) -> list[tuple]:
    return source_rows(database, TABLE, COLUMNS, file_name)


def lineage(database: Path, file_name: str) -> list[tuple]:
    return source_rows(database, TABLE, LINEAGE, file_name)


# --- the repair ---------------------------------------------------------------------------


def test_repair_turns_byte_escapes_into_characters_and_keeps_json_valid():
    assert repair_mojibake(r'"L\u00c3\u00aa"') == '"Lê"'
    # Bytes that decode to a quote, a backslash or a newline must stay escaped in JSON.
    assert repair_mojibake(r'"a\u0022b\u005cc\u000ad"') == r'"a\"b\\c\nd"'
    # An escaped backslash followed by u00e9 is literal text, not an escape.
    assert repair_mojibake(r'"C:\\u00e9"') == r'"C:\\u00e9"'
    # A lone byte that is not UTF-8 is left as written (a real Latin-1 é).
    assert repair_mojibake(r'"caf\u00e9"') == r'"caf\u00e9"'


# --- raw rows -----------------------------------------------------------------------------


def test_loads_exact_rows_with_lineage_from_a_file_and_a_zip_member(meta_config: Config):
    ig_bytes = land_both(meta_config)
    context, summary = ingest(meta_config)
    database = context.database_path

    assert raw_rows(database, FB_NAME) == FB_ROWS
    assert raw_rows(database, IG_NAME) == IG_ROWS
    # _source_row is the message's position in the file's messages array.
    assert lineage(database, FB_NAME) == [
        (FB_NAME, sha256(FACEBOOK), row, context.run_key) for row in (1, 2, 3, 4)
    ]
    assert lineage(database, IG_NAME) == [
        (IG_NAME, sha256(ig_bytes), row, context.run_key) for row in (1, 2, 3)
    ]
    assert manifest(context) == [
        (FB_NAME, FB_NAME, sha256(FACEBOOK), "meta_dyi_messages", "loaded", 4),
        (IG_NAME, ZIP_NAME, sha256(ig_bytes), "meta_dyi_messages", "loaded", 3),
    ]
    assert summary.as_dict() == {"loaded": 2, "duplicate": 0, "quarantined": 0, "rows": 7}
    # The repaired copy is a scratch file: nothing new appears in landing/.
    landed = sorted(
        p.relative_to(meta_config.home.landing).as_posix()
        for p in meta_config.home.landing.rglob("*")
        if p.is_file()
    )
    assert landed == [FB_NAME, ZIP_NAME]


def test_a_truncated_file_is_quarantined_with_one_line_naming_file_format_and_defect(
    meta_config: Config,
):
    land(meta_config, TRUNCATED, TRUNCATED.name)
    context, summary = ingest(meta_config)

    assert manifest(context) == [
        (
            TRUNCATED.name,
            TRUNCATED.name,
            sha256(TRUNCATED),
            "meta_dyi_messages",
            "quarantined",
            None,
        )
    ]
    assert quarantine_reason(meta_config, context, TRUNCATED.name) == (
        f"{TRUNCATED.name}: looks like {TITLE}, but the file is not valid JSON"
    )
    assert summary.as_dict() == {"loaded": 0, "duplicate": 0, "quarantined": 1, "rows": 0}


def test_inspect_names_the_format_and_counts_the_messages(meta_config: Config):
    output = inspect_output(meta_config.home, FACEBOOK)
    assert output == f"{FACEBOOK}: meta_dyi_messages ({TITLE}), 4 rows\n"


# --- dbt: analytics.interactions ------------------------------------------------------------


# What this module puts into the shared builds of the format tests (tests/format_build.py).
# The brand's Instagram account here is its display name in the DMs; a
# second Instagram account would leave instagram_api's media without their one account.
SHARED_BUILD = Landing(
    {FB_NAME: FACEBOOK, ZIP_NAME: instagram_zip},
    brand={"facebook": ("Nordlicht Bikes",), "instagram": ("nordlicht bikes",)},
    world="two_january_weeks",
)


@pytest.fixture(scope="module")
def built(format_builds: SharedBuilds) -> Path:
    return format_builds.of(__name__).database


def test_interactions_are_private_dms_threaded_by_thread_path(built: Path):
    published = query(
        built,
        "SELECT platform, interaction_id, thread_id, parent_id, post_id, direction, created_at,"
        " is_private, text, member_key IS NOT NULL, author_handle FROM analytics.interactions"
        " WHERE source_format = 'meta_dyi_messages' ORDER BY platform, created_at, interaction_id",
    )
    # DM ids are published as salted pseudonyms; mapped back here to compare.
    assert all(len(row[1]) == 16 for row in published)
    # Ordered again by the restored ids (the query's tie-break ordered the pseudonyms).
    rows = sorted(restore_dm_ids(built, published, {1, 2}), key=lambda r: (r[0], r[6], r[1]))
    # Text of private messages is not published by default; the brand is matched by its
    # configured display name (case-insensitive) and keeps its handle, members get a key.
    fb, ig, out, inb, brand = "facebook", "instagram", "outbound", "inbound", "Nordlicht Bikes"
    assert rows == [
        (fb, f"{FB_THREAD}:{FB_0800}:1", FB_THREAD, None, None, out, utc(2026, 1, 6, 8, 0),
         True, None, False, brand),
        (fb, f"{FB_THREAD}:{FB_0845}:1", FB_THREAD, None, None, inb, utc(2026, 1, 6, 8, 45),
         True, None, True, None),
        (fb, f"{FB_THREAD}:{FB_0845}:2", FB_THREAD, None, None, inb, utc(2026, 1, 6, 8, 45),
         True, None, True, None),
        (fb, f"{FB_THREAD}:{FB_0900}:1", FB_THREAD, None, None, out, utc(2026, 1, 6, 9, 0),
         True, None, False, brand),
        (ig, f"{IG_THREAD}:{IG_1605}:1", IG_THREAD, None, None, inb, utc(2026, 1, 8, 16, 5, 12),
         True, None, True, None),
        (ig, f"{IG_THREAD}:{IG_1640}:1", IG_THREAD, None, None, out, utc(2026, 1, 8, 16, 40),
         True, None, False, brand),
        (ig, f"{IG_THREAD}:{IG_1702}:1", IG_THREAD, None, None, inb, utc(2026, 1, 8, 17, 2, 30),
         True, None, True, None),
    ]  # fmt: skip


def test_conversations_start_at_the_first_inbound_message(built: Path):
    published = query(
        built,
        "SELECT platform, thread_id, started_at, first_response_at, first_response_minutes,"
        " turns, community_turns, brand_turns, two_way FROM analytics.conversations"
        f" WHERE {threads_of('meta_dyi_messages')} ORDER BY platform",
    )
    # DM ids are published as salted pseudonyms; mapped back here to compare.
    assert all(len(row[1]) == 16 for row in published)
    rows = restore_dm_ids(built, published, {1})
    assert rows == [
        # The brand wrote first (08:00); the thread starts with Jörg at 08:45 and is answered
        # at 09:00: 15 minutes. Jörg did not write again, so it is not two-way.
        ("facebook", FB_THREAD, utc(2026, 1, 6, 8, 45), utc(2026, 1, 6, 9, 0), 15.0,
         4, 2, 2, False),
        # 16:05:12 -> 16:40:00 is 34 min 48 s = 34.8 minutes; Lena came back at 17:02:30.
        ("instagram", IG_THREAD, utc(2026, 1, 8, 16, 5, 12), utc(2026, 1, 8, 16, 40), 34.8,
         3, 2, 1, True),
    ]  # fmt: skip


def test_dms_are_not_posts(built: Path):
    assert query(
        built, "SELECT count(*) FROM analytics.posts WHERE source_format = 'meta_dyi_messages'"
    ) == [(0,)]
