"""LinkedIn `messages.csv`: raw rows, detection ahead of inbox_csv, quarantine, inspect, dbt.

The fixture is the community manager's export as LinkedIn writes it: newest first, the
newer header with ATTACHMENTS and draft columns after FOLDER, a multi-line CONTENT, a draft
that was never sent, two messages in the same second, and a conversation the brand opens.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from learnloop.config import Config
from learnloop.ingest.formats import FileSample
from learnloop.ingest.formats.inbox_csv.reader import InboxCsv
from learnloop.ingest.registry import detect_format
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

FOLDER = FIXTURES / "linkedin_messages"
MESSAGES = FOLDER / "messages.csv"
WITHOUT_DATE = FOLDER / "messages_without_date.csv"

TABLE = "raw.linkedin_messages__messages"
TITLE = "LinkedIn messages.csv"
COLUMNS = (
    "conversation_id, conversation_title, message_id, from_name, sender_profile_url, "
    "sender_profile_id, to_names, recipient_profile_urls, date_raw, sent_at, subject, "
    "content, folder"
)

# The community manager's public profile id (the last segment of her profile URL).
CONFIG = FIXTURE_CONFIG + 'linkedin = ["svea-lindqvist-nordlicht"]\n'

OFFER = "2-ODk0ZGQ4YjYtMjFhZS00ZDk1LWI3YzEtMjJmYTE1ZjA4ZDM3XzAxMA=="
SIZES = "2-YjM1ZTk0NzEtOGQ3Zi00YjUxLTk1YjAtZTJmN2Q1YzA0NmE3XzAxMA=="
SVEA = "https://www.linkedin.com/in/svea-lindqvist-nordlicht/"
SVEA_URN = "https://www.linkedin.com/in/ACoAAB1x2y3zNordlicht"  # her id-style URL
TOBIAS = "https://www.linkedin.com/in/tobias-keller-7b3a91"
MARIE = "https://www.linkedin.com/in/marie-schaefer-4a1b2c"

OFFER_0200 = f"{OFFER}:2026-08-01 02:00:00 UTC:1"
OFFER_0915_1 = f"{OFFER}:2026-08-03 09:15:42 UTC:1"
OFFER_0915_2 = f"{OFFER}:2026-08-03 09:15:42 UTC:2"
SIZES_1450 = f"{SIZES}:2026-07-30 14:50:00 UTC:1"
SIZES_1505 = f"{SIZES}:2026-07-30 15:05:00 UTC:1"
SIZES_1620 = f"{SIZES}:2026-07-30 16:20:00 UTC:1"


# In file order; line 1 of the data, Svea's draft, is not a message. The two rows of the same
# second get ordinals 1 and 2 in file order.
ROWS = [
    (OFFER, None, OFFER_0915_1, "Tobias Keller", TOBIAS, "tobias-keller-7b3a91",
     "Svea Lindqvist", SVEA, "2026-08-03 09:15:42 UTC", utc(2026, 8, 3, 9, 15, 42), None,
     "Klingt gut, ich melde mich!", "INBOX"),
    (OFFER, None, OFFER_0915_2, "Tobias Keller", TOBIAS, "tobias-keller-7b3a91",
     "Svea Lindqvist", SVEA, "2026-08-03 09:15:42 UTC", utc(2026, 8, 3, 9, 15, 42), None,
     "Eine Frage noch: gibt es das auch für Teilzeitkräfte?", "INBOX"),
    (OFFER, None, OFFER_0200, "Svea Lindqvist", SVEA, "svea-lindqvist-nordlicht",
     "Tobias Keller", TOBIAS, "2026-08-01 02:00:00 UTC", utc(2026, 8, 1, 2, 0),
     "Dienstrad-Leasing",
     "Hallo Tobias,\nwir bieten jetzt Dienstrad-Leasing für Firmen an. Interesse?", "INBOX"),
    (SIZES, None, SIZES_1620, "Marie Schäfer", MARIE, "marie-schaefer-4a1b2c",
     "Svea Lindqvist", SVEA_URN, "2026-07-30 16:20:00 UTC", utc(2026, 7, 30, 16, 20), None,
     "Danke, das hilft!", "INBOX"),
    (SIZES, None, SIZES_1505, "Svea Lindqvist", SVEA_URN, "ACoAAB1x2y3zNordlicht",
     "Marie Schäfer", MARIE, "2026-07-30 15:05:00 UTC", utc(2026, 7, 30, 15, 5), None,
     "Hallo Marie, die Fjord-Reihe gibt es ab Größe S (ab 1,55 m). Viele Grüße, Svea",
     "SENT"),
    (SIZES, None, SIZES_1450, "Marie Schäfer", MARIE, "marie-schaefer-4a1b2c",
     "Svea Lindqvist", SVEA_URN, "2026-07-30 14:50:00 UTC", utc(2026, 7, 30, 14, 50), None,
     "Hallo! Gibt es das Fjord 2 auch für kleine Menschen, ca. 1,58 m?", "INBOX"),
]  # fmt: skip


@pytest.fixture
def linkedin_config(home: Home) -> Config:
    return configure(home, CONFIG)


def raw_rows(database: Path, file_name: str) -> list[tuple]:
    return source_rows(database, TABLE, COLUMNS, file_name)


def lineage(database: Path, file_name: str) -> list[tuple]:
    return source_rows(database, TABLE, LINEAGE, file_name)


def test_linkedin_messages_are_not_taken_for_a_generic_inbox_csv(linkedin_config: Config):
    sample = FileSample.of(MESSAGES)
    # FROM, DATE and CONTENT are inbox synonyms too, but an inbox export also names a
    # message id or a network: the inbox detector leaves the file to LinkedIn's.
    assert not InboxCsv().detect(sample, linkedin_config)
    detected = detect_format(sample, linkedin_config)
    assert detected is not None
    assert detected.name == "linkedin_messages"


def test_loads_exact_rows_with_lineage(linkedin_config: Config):
    name = "Basic_LinkedInDataExport_08-04-2026/messages.csv"
    land(linkedin_config, MESSAGES, name)
    context, summary = ingest(linkedin_config)

    assert raw_rows(context.database_path, name) == ROWS
    # _source_row counts data rows of the file: row 1, the draft, is skipped.
    assert lineage(context.database_path, name) == [
        (name, sha256(MESSAGES), row, context.run_key) for row in (2, 3, 4, 5, 6, 7)
    ]
    assert manifest(context) == [(name, name, sha256(MESSAGES), "linkedin_messages", "loaded", 6)]
    assert summary.as_dict() == {"loaded": 1, "duplicate": 0, "quarantined": 0, "rows": 6}


def test_a_header_without_date_is_quarantined_naming_the_missing_column(
    linkedin_config: Config,
):
    land(linkedin_config, WITHOUT_DATE, WITHOUT_DATE.name)
    context, summary = ingest(linkedin_config)

    assert manifest(context) == [
        (
            WITHOUT_DATE.name,
            WITHOUT_DATE.name,
            sha256(WITHOUT_DATE),
            "linkedin_messages",
            "quarantined",
            None,
        )
    ]
    assert quarantine_reason(linkedin_config, context, WITHOUT_DATE.name) == (
        f"{WITHOUT_DATE.name}: looks like {TITLE}, but the header lacks the columns DATE"
    )
    assert summary.as_dict() == {"loaded": 0, "duplicate": 0, "quarantined": 1, "rows": 0}


def test_inspect_names_the_format_and_counts_the_messages(linkedin_config: Config):
    output = inspect_output(linkedin_config.home, MESSAGES)
    assert output == f"{MESSAGES}: linkedin_messages ({TITLE}), 6 rows\n"


# --- dbt ----------------------------------------------------------------------------------


# What this module puts into the shared builds of the format tests (tests/format_build.py).
SHARED_BUILD = Landing(by_name(MESSAGES), brand={"linkedin": ("svea-lindqvist-nordlicht",)})


@pytest.fixture(scope="module")
def built(format_builds: SharedBuilds) -> Path:
    return format_builds.of(__name__).database


def test_interactions_are_private_dms_threaded_by_conversation_id(built: Path):
    published = query(
        built,
        "SELECT platform, interaction_id, thread_id, parent_id, post_id, direction, created_at,"
        " is_private, text, member_key IS NOT NULL FROM analytics.interactions"
        " WHERE source_format = 'linkedin_messages' ORDER BY created_at, interaction_id",
    )
    # DM ids are published as salted pseudonyms; mapped back here to compare.
    assert all(len(row[1]) == 16 for row in published)
    # Ordered again by the restored ids (the query's tie-break ordered the pseudonyms).
    rows = sorted(restore_dm_ids(built, published, {1, 2}), key=lambda r: (r[6], r[1]))
    # Outbound: 15:05 by FOLDER = SENT (her id-style URL matches no configured account),
    # 02:00 by her configured profile id (the URL's trailing slash ignored).
    li, out, inb = "linkedin", "outbound", "inbound"
    assert rows == [
        (li, SIZES_1450, SIZES, None, None, inb, utc(2026, 7, 30, 14, 50), True, None, True),
        (li, SIZES_1505, SIZES, None, None, out, utc(2026, 7, 30, 15, 5), True, None, False),
        (li, SIZES_1620, SIZES, None, None, inb, utc(2026, 7, 30, 16, 20), True, None, True),
        (li, OFFER_0200, OFFER, None, None, out, utc(2026, 8, 1, 2, 0), True, None, False),
        (li, OFFER_0915_1, OFFER, None, None, inb, utc(2026, 8, 3, 9, 15, 42), True, None, True),
        (li, OFFER_0915_2, OFFER, None, None, inb, utc(2026, 8, 3, 9, 15, 42), True, None, True),
    ]


def test_conversations_start_at_the_first_inbound_message(built: Path):
    published = query(
        built,
        "SELECT thread_id, started_at, first_response_at, first_response_minutes, turns,"
        " community_turns, brand_turns, two_way FROM analytics.conversations"
        f" WHERE {threads_of('linkedin_messages')} ORDER BY started_at",
    )
    # DM ids are published as salted pseudonyms; mapped back here to compare.
    assert all(len(row[0]) == 16 for row in published)
    rows = restore_dm_ids(built, published, {0}, platform="linkedin")
    assert rows == [
        # 14:50 -> 15:05 is 15 minutes; Marie wrote again at 16:20, so two-way.
        (SIZES, utc(2026, 7, 30, 14, 50), utc(2026, 7, 30, 15, 5), 15.0, 3, 2, 1, True),
        # The brand opened it on Aug 1; Tobias's two replies of Aug 3 are not answered yet.
        (OFFER, utc(2026, 8, 3, 9, 15, 42), None, None, 3, 2, 1, False),
    ]


def test_dms_are_not_posts(built: Path):
    assert query(
        built, "SELECT count(*) FROM analytics.posts WHERE source_format = 'linkedin_messages'"
    ) == [(0,)]
