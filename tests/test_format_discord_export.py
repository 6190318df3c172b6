"""DiscordChatExporter JSON of a server channel (docs/formats.md, Discord): exact raw rows,
then interactions, conversations and the weekly KPIs.

The fixture is the pretty-printed export of #support on the "Nordlicht Riders" server (Mon
9 Feb 2026, offsets +01:00 as the exporter writes local time): Jonas asks (M1), Svea of the
brand's team answers (M2, a Reply to M1), Jonas thanks her (M3, a Reply to M2); Priya joins
(M4, a system message) and asks (M5, edited a minute later), unanswered. The brand is
configured by its role name "Nordlicht Team", which only Svea has.
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

EXPORT = FIXTURES / "discord_export" / "Nordlicht_Riders_-_Help_-_support_1190000000000000100.json"
TABLE = "raw.discord_export__messages"
TITLE = "DiscordChatExporter channel JSON"
ROLE = "Nordlicht Team"


def m(n: int) -> str:
    return f"120600000000000000{n}"


JONAS, SVEA, PRIYA = "1190000000000000201", "1190000000000000301", "1190000000000000202"
GUILD = ("1190000000000000001", "Nordlicht Riders", "1190000000000000100", "support")
RAW_COLUMNS = (
    "message_id, message_type, created_at_raw, created_at, edited_at_raw, content, author_id, "
    "author_name, author_nickname, author_is_bot, author_roles, reference_message_id, "
    "guild_id, guild_name, channel_id, channel_name"
)
M2_TEXT = "E07 is the speed sensor: unplug the display for 10 s and plug it back in."
# +01:00 local times: 18:00+01:00 = 17:00Z.
ROWS = [
    (m(1), "Default", "2026-02-09T18:00:00.000+01:00", utc(2026, 2, 9, 17, 0), None,
     "My Fjord 2 display shows E07 since the update. Anyone?", JONAS, "jonas.k", "Jonas",
     False, "[]", None, *GUILD),
    (m(2), "Reply", "2026-02-09T18:20:00.000+01:00", utc(2026, 2, 9, 17, 20), None, M2_TEXT,
     SVEA, "svea_nordlicht", "Svea | Nordlicht", False, '["Nordlicht Team"]', m(1), *GUILD),
    (m(3), "Reply", "2026-02-09T18:45:00.000+01:00", utc(2026, 2, 9, 17, 45), None,
     "That fixed it, thanks!", JONAS, "jonas.k", "Jonas", False, "[]", m(2), *GUILD),
    (m(4), "GuildMemberJoin", "2026-02-09T19:00:00.000+01:00", utc(2026, 2, 9, 18, 0), None,
     "", PRIYA, "priya_rides", "Priya", False, "[]", None, *GUILD),
    (m(5), "Default", "2026-02-09T19:05:00.000+01:00", utc(2026, 2, 9, 18, 5),
     "2026-02-09T19:06:30.000+01:00", "Which winter tyres fit the Fjord 3?", PRIYA,
     "priya_rides", "Priya", False, "[]", None, *GUILD),
]  # fmt: skip


def test_discord_export_loads_exact_rows_with_lineage(home: Home):
    config = configure(home, FIXTURE_CONFIG + f'discord = ["{ROLE}"]\n')
    land(config, EXPORT, EXPORT.name)
    context, summary = ingest(config)

    assert source_rows(context.database_path, TABLE, RAW_COLUMNS, EXPORT.name) == ROWS
    assert source_rows(context.database_path, TABLE, LINEAGE, EXPORT.name) == expected_lineage(
        context, EXPORT.name, EXPORT, 5
    )
    assert manifest(context) == [
        (EXPORT.name, EXPORT.name, sha256(EXPORT), "discord_export", "loaded", 5)
    ]
    assert summary.rows == 5


TEXT = EXPORT.read_text(encoding="utf-8")
BAD_FILES = {
    "no_messages.json": (
        TEXT.replace('"messages": [', '"message_list": [', 1),
        'the export holds no "messages" array',
    ),
    "no_timestamp.json": (
        TEXT.replace('"timestamp": "2026-02-09T18:45:00.000+01:00",', "", 1),
        f"message {m(3)} has no parseable timestamp",
    ),
    "no_id.json": (TEXT.replace(f'"id": "{m(2)}",', "", 1), "message 2 has no id"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_discord_export_is_quarantined_with_a_one_line_reason(config: Config, name: str):
    content, why = BAD_FILES[name]
    land(config, content.encode(), f"drop/{name}")
    land(config, EXPORT, "good/support.json")
    context, summary = ingest(config)

    assert summary.as_dict() == {"loaded": 1, "duplicate": 0, "quarantined": 1, "rows": 5}
    assert [row[3:] for row in manifest(context)] == [
        ("discord_export", "quarantined", None),
        ("discord_export", "loaded", 5),
    ]
    assert quarantine_reason(config, context, f"drop/{name}") == (
        f"drop/{name}: looks like {TITLE}, but {why}"
    )


def test_inspect_names_the_discord_format_and_row_count(home: Home):
    assert inspect_output(home, EXPORT).splitlines() == [
        f"{EXPORT}: discord_export ({TITLE}), 5 rows"
    ]


# --- through dbt --------------------------------------------------------------------------

# What this module puts into the shared builds of the format tests (tests/format_build.py).
# Discord is a platform of its own, so its weekly KPI rows hold this fixture alone.
SHARED_BUILD = Landing(by_name(EXPORT), brand={"discord": (ROLE,)})


@pytest.fixture(scope="module")
def built(format_builds: SharedBuilds) -> Path:
    return format_builds.of(__name__).database


def test_discord_export_interactions(built: Path):
    # M4 (a join) is no dialogue. M1 and M5 reference nothing, so each starts a thread; M2
    # and M3 follow reference.messageId back to M1. Svea is outbound by her role.
    assert query(
        built,
        "SELECT platform, interaction_id, thread_id, parent_id, post_id, direction, created_at, "
        "text FROM analytics.interactions WHERE source_format = 'discord_export' "
        "ORDER BY created_at",
    ) == [
        ("discord", m(1), m(1), None, None, "inbound", utc(2026, 2, 9, 17, 0),
         "My Fjord 2 display shows E07 since the update. Anyone?"),
        ("discord", m(2), m(1), m(1), None, "outbound", utc(2026, 2, 9, 17, 20), M2_TEXT),
        ("discord", m(3), m(1), m(2), None, "inbound", utc(2026, 2, 9, 17, 45),
         "That fixed it, thanks!"),
        ("discord", m(5), m(5), None, None, "inbound", utc(2026, 2, 9, 18, 5),
         "Which winter tyres fit the Fjord 3?"),
    ]  # fmt: skip


def test_discord_export_conversations(built: Path):
    # M1: 17:00 -> Svea 17:20 = 20 min, Jonas back at 17:45: 3 turns, two-way. M5 unanswered.
    assert query(
        built,
        "SELECT thread_id, started_at, first_response_minutes, answered, turns, two_way "
        f"FROM analytics.conversations WHERE {threads_of('discord_export')} ORDER BY started_at",
    ) == [
        (m(1), utc(2026, 2, 9, 17, 0), 20.0, True, 3, True),
        (m(5), utc(2026, 2, 9, 18, 5), None, False, 1, False),
    ]


def test_discord_export_weekly_kpis(built: Path):
    # Week of Mon 2026-02-09 (Berlin), the only week with Discord data. Inbound M1, M3, M5 =
    # 3, outbound M2 = 1; conversations M1, M5 = 2, answered 1: 0.5. Minutes [20]: median
    # and p90 20. Two-way 1 of 2 = 0.5; turns (3 + 1) / 2 = 2. No posts.
    assert query(
        built,
        "SELECT inbound_messages, outbound_messages, conversations, answered_conversations, "
        "response_rate, median_first_response_minutes, p90_first_response_minutes, "
        "two_way_rate, avg_turns, posts FROM analytics.kpi_weekly "
        "WHERE platform = 'discord' AND week_start = DATE '2026-02-09'",
    ) == [(3, 1, 2, 1, 0.5, 20.0, 20.0, 0.5, 2.0, 0)]
