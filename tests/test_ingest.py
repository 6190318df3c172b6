"""Ingest: landed files -> exact raw rows with lineage, manifest rows, quarantine, duplicates.

Each test lands fixture files (docs/formats.md §1, written by the project) in a fresh home, starts
a run and loads them into the run's own copy of the build database, as the DAG's discover and
ingest tasks do, then reads the real DuckDB file back.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from learnloop.build import RunContext, promote
from learnloop.config import Config, load_config
from learnloop.paths import Home
from tests.conftest import FIXTURE_CONFIG, FIXTURES, query
from tests.harness import (
    build_zip,
    configure,
    expected_lineage,
    ingest,
    land,
    lineage,
    manifest,
    sha256,
    utc,
)

INBOX = FIXTURES / "inbox_csv"
YOUTUBE = FIXTURES / "youtube_api"

SPROUT = INBOX / "sprout_inbox_2026-01.csv"
BRANDWATCH = INBOX / "brandwatch_mentions_2026-01.csv"
SEMICOLON = INBOX / "hootsuite_inbox_semicolon.csv"
TICKETDESK = INBOX / "ticketdesk_export.csv"
YT_SINGLE = YOUTUBE / "commentThreads_single.json"
YT_PAGES = YOUTUBE / "commentThreads_pages.json"
YT_LINES = YOUTUBE / "commentThreads_threads.jsonl"

INBOX_TITLE = "Social inbox / listening CSV"
YOUTUBE_TITLE = "YouTube Data API commentThreads JSON"

TICKETDESK_MAPPING = """
[inbox.columns]
conversation_id = "Ticket #"
message_id = "Ticket Message #"
created_at = "Received (UTC)"
platform = "Origin"
author = "Customer Handle"
text = "Body"
direction = "Msg Direction"
post_url = "Link"
"""


# --- expected raw rows --------------------------------------------------------------------
# inbox: conversation_id, message_id, created_at_raw, created_at, direction_raw, author,
#        platform_raw, text, parent_id, post_url

IG_POST = "https://www.instagram.com/p/Cfjord2/"
SPROUT_ROWS = [
    (
        "sp-thread-1",
        "sp-101",
        "2026-01-05T09:15:00Z",
        utc(2026, 1, 5, 9, 15),
        "Customer",
        "velo_vera",
        "Instagram",
        "Does the Fjord 2 fit riders over 1,90 m?",
        "17890000000000001",
        IG_POST,
    ),
    (
        "sp-thread-1",
        "sp-102",
        "2026-01-05T09:47:30Z",
        utc(2026, 1, 5, 9, 47, 30),
        "Agent",
        "Nordlicht Support",
        "Instagram",
        "Yes! Frame size L fits 1,85 to 2,00 m.\nSize guide: https://nordlicht.example/size",
        "sp-101",
        IG_POST,
    ),
    (
        "sp-thread-2",
        "sp-103",
        "2026-01-06T18:05:12.250Z",
        datetime(2026, 1, 6, 18, 5, 12, 250000, tzinfo=UTC),
        "Customer",
        "@kai_pedals",
        "Twitter",
        'Chain keeps slipping, "gear 7" only',
        None,
        "https://twitter.com/kai_pedals/status/1877000000000000001",
    ),
]


def brandwatch_rows(*instants: datetime) -> list[tuple]:
    """Brandwatch's naive local times; the instants depend on the configured zone."""
    return [
        (
            None,
            "bw-9001",
            "2026-01-10 14:30:00",
            instants[0],
            None,
            "cyclingfan88",
            "twitter",
            "Nordlicht's new e-bike: light, fast, pricey",
            None,
            "https://twitter.com/cyclingfan88/status/1878000000000000001",
        ),
        (
            None,
            "bw-9002",
            "2026-01-11 08:05:00",
            instants[1],
            None,
            "@ridelocal",
            "instagram",
            "Saw the Nordlicht booth at the fair. Looked great",
            None,
            "https://www.instagram.com/p/Cbooth/",
        ),
        (
            None,
            "bw-9003",
            "2026-01-12 23:59:59",
            instants[2],
            None,
            "jonas.b",
            "reddit",
            "Anyone else waiting for the app update?",
            None,
            "https://www.reddit.com/r/ebikes/comments/abc123/",
        ),
    ]


# Europe/Berlin is UTC+1 in January.
BRANDWATCH_BERLIN = brandwatch_rows(
    utc(2026, 1, 10, 13, 30), utc(2026, 1, 11, 7, 5), utc(2026, 1, 12, 22, 59, 59)
)
# America/New_York is UTC-5 in January; the last mention moves to the next UTC day.
BRANDWATCH_NEW_YORK = brandwatch_rows(
    utc(2026, 1, 10, 19, 30), utc(2026, 1, 11, 13, 5), utc(2026, 1, 13, 4, 59, 59)
)

FB_POST = "https://www.facebook.com/nordlicht/posts/1"
SEMICOLON_ROWS = [
    (
        "hs-de-1",
        "hs-de-101",
        "2026-01-07 10:00:00",
        utc(2026, 1, 7, 9, 0),
        "Inbound",
        "radlerin_mia",
        "Facebook",
        "Wann ist das Fjord 2 wieder lieferbar, in Größe M?",
        None,
        FB_POST,
    ),
    (
        "hs-de-1",
        "hs-de-102",
        "2026-01-07 10:25:00",
        utc(2026, 1, 7, 9, 25),
        "Outbound",
        "Nordlicht Support",
        "Facebook",
        "Ab Februar; wir melden uns!",
        "hs-de-101",
        FB_POST,
    ),
    (
        # Summer time in Berlin: UTC+2.
        "hs-de-2",
        "hs-de-103",
        "2026-07-01 12:00:00",
        utc(2026, 7, 1, 10, 0),
        "Inbound",
        "tom.k",
        "Instagram",
        "Sommerinspektion: wie teuer?",
        None,
        "https://www.instagram.com/p/Csommer/",
    ),
]

FB_POST_7 = "https://www.facebook.com/nordlicht/posts/7"
TICKETDESK_ROWS = [
    (
        "T-77",
        "T-77-1",
        "2026-01-08T07:00:00+00:00",
        utc(2026, 1, 8, 7, 0),
        "in",
        "lena.rides",
        "Facebook",
        "Brake squeaks after rain, normal?",
        None,
        FB_POST_7,
    ),
    (
        "T-77",
        "T-77-2",
        "2026-01-08T08:30:00+00:00",
        utc(2026, 1, 8, 8, 30),
        "out",
        "Nordlicht Support",
        "Facebook",
        "Usually yes: wipe the discs dry.",
        None,
        FB_POST_7,
    ),
]

# youtube: thread_id, comment_id, parent_id, video_id, channel_id, author_channel_id,
#          author_display_name, text, like_count, total_reply_count, published_at_raw,
#          published_at, updated_at, is_reply
BRAND_CHANNEL = "UCnordlichtBikesDemo0001"
T_SINGLE_1 = "UgxSingle1aaaaaaaaaaaaa4AaABAg"
T_SINGLE_2 = "UgxSingle2bbbbbbbbbbbbb4AaABAg"
YT_SINGLE_ROWS = [
    (
        T_SINGLE_1,
        T_SINGLE_1,
        None,
        "vidSingle01",
        BRAND_CHANNEL,
        "UCbergfee00000000000001x",
        "@bergfee",
        "Great ride, but the battery?\nAny tips 🚲",
        3,
        1,
        "2026-01-05T10:00:00Z",
        utc(2026, 1, 5, 10, 0),
        utc(2026, 1, 5, 10, 5),
        False,
    ),
    (
        T_SINGLE_1,
        f"{T_SINGLE_1}.A1replyAAAAAA1",
        T_SINGLE_1,
        "vidSingle01",
        BRAND_CHANNEL,
        BRAND_CHANNEL,
        "@NordlichtBikes",
        "Charge to 80 % in winter & store it indoors.",
        0,
        None,
        "2026-01-05T11:30:00Z",
        utc(2026, 1, 5, 11, 30),
        utc(2026, 1, 5, 11, 30),
        True,
    ),
    (
        T_SINGLE_2,
        T_SINGLE_2,
        None,
        "vidSingle01",
        BRAND_CHANNEL,
        "UCkiesweg00000000000002x",
        "@kiesweg",
        'Which tyre pressure, "road" or "gravel"?',
        0,
        0,
        "2026-01-06T07:45:10Z",
        utc(2026, 1, 6, 7, 45, 10),
        utc(2026, 1, 6, 7, 45, 10),
        False,
    ),
]

T_PAGE_1 = "UgyPage1ccccccccccccccc4AaABAg"
T_PAGE_2 = "UgyPage2ddddddddddddddd4AaABAg"
YT_PAGES_ROWS = [
    (
        T_PAGE_1,
        T_PAGE_1,
        None,
        "vidPages001",
        BRAND_CHANNEL,
        "UCpackesel0000000000003x",
        "@packesel",
        "Is the rack rated for 25 kg?",
        7,
        1,
        "2026-01-07T16:00:00Z",
        utc(2026, 1, 7, 16, 0),
        utc(2026, 1, 7, 16, 0),
        False,
    ),
    (
        T_PAGE_1,
        f"{T_PAGE_1}.A2replyBBBBBB2",
        T_PAGE_1,
        "vidPages001",
        BRAND_CHANNEL,
        BRAND_CHANNEL,
        "@NordlichtBikes",
        "Yes, 25 kg including panniers.",
        2,
        None,
        "2026-01-07T17:15:00Z",
        utc(2026, 1, 7, 17, 15),
        utc(2026, 1, 7, 17, 15),
        True,
    ),
    (
        T_PAGE_2,
        T_PAGE_2,
        None,
        "vidPages001",
        BRAND_CHANNEL,
        "UCnordkap00000000000004x",
        "@nordkap",
        "Loved the fjord footage!",
        12,
        0,
        "2026-01-08T09:00:00Z",
        utc(2026, 1, 8, 9, 0),
        utc(2026, 1, 8, 9, 0),
        False,
    ),
]

T_LINES_1 = "UgzLines1eeeeeeeeeeeeee4AaABAg"
T_LINES_2 = "UgzLines2fffffffffffffff4AaABAg"
YT_LINES_ROWS = [
    (
        T_LINES_1,
        T_LINES_1,
        None,
        "vidLines001",
        BRAND_CHANNEL,
        "UCstadtrad0000000000005x",
        "@stadtrad",
        "Where can I test ride one?",
        1,
        1,
        "2026-01-09T12:00:00Z",
        utc(2026, 1, 9, 12, 0),
        utc(2026, 1, 9, 12, 0),
        False,
    ),
    (
        T_LINES_1,
        f"{T_LINES_1}.A3replyCCCCCC3",
        T_LINES_1,
        "vidLines001",
        BRAND_CHANNEL,
        BRAND_CHANNEL,
        "@NordlichtBikes",
        "Any dealer on our map, or book online.",
        0,
        None,
        "2026-01-09T12:40:00Z",
        utc(2026, 1, 9, 12, 40),
        utc(2026, 1, 9, 12, 40),
        True,
    ),
    (
        T_LINES_2,
        T_LINES_2,
        None,
        "vidLines002",
        BRAND_CHANNEL,
        "UCsparfuchs000000000006x",
        "@sparfuchs",
        "Too expensive for me.",
        0,
        0,
        "2026-01-10T20:30:00Z",
        utc(2026, 1, 10, 20, 30),
        utc(2026, 1, 10, 20, 30),
        False,
    ),
]

INBOX_TABLE = "raw.inbox_csv__messages"
YOUTUBE_TABLE = "raw.youtube_api__comments"
INBOX_COLUMNS = (
    "conversation_id, message_id, created_at_raw, created_at, direction_raw, author, "
    "platform_raw, text, parent_id, post_url"
)
YOUTUBE_COLUMNS = (
    "thread_id, comment_id, parent_id, video_id, channel_id, author_channel_id, "
    "author_display_name, text, like_count, total_reply_count, published_at_raw, "
    "published_at, updated_at, is_reply"
)


# --- helpers ------------------------------------------------------------------------------


def inbox_rows(context: RunContext, file_name: str) -> list[tuple]:
    return query(
        context.database_path,
        f"SELECT {INBOX_COLUMNS} FROM {INBOX_TABLE} WHERE _source_file = ? ORDER BY _source_row",
        [file_name],
    )


def youtube_rows(context: RunContext, file_name: str) -> list[tuple]:
    """In time order: which position each comment gets is checked separately."""
    return query(
        context.database_path,
        f"SELECT {YOUTUBE_COLUMNS} FROM {YOUTUBE_TABLE} WHERE _source_file = ? "
        "ORDER BY published_at",
        [file_name],
    )


def source_files(context: RunContext) -> set[str]:
    return {
        name
        for table in (INBOX_TABLE, YOUTUBE_TABLE)
        for (name,) in query(context.database_path, f"SELECT DISTINCT _source_file FROM {table}")
    }


def with_mapping(home: Home) -> Config:
    return configure(home, FIXTURE_CONFIG + TICKETDESK_MAPPING)


# --- good files ---------------------------------------------------------------------------

GOOD_INBOX = {
    "sprout synonyms, ISO Z": (SPROUT, SPROUT_ROWS),
    "brandwatch preamble, naive Berlin": (BRANDWATCH, BRANDWATCH_BERLIN),
    "semicolons, naive Berlin incl. summer time": (SEMICOLON, SEMICOLON_ROWS),
}


@pytest.mark.parametrize(("source", "expected"), GOOD_INBOX.values(), ids=GOOD_INBOX.keys())
def test_inbox_csv_loads_exact_rows_with_lineage(config: Config, source: Path, expected: list):
    land(config, source, source.name)
    context, summary = ingest(config)

    assert inbox_rows(context, source.name) == expected
    assert lineage(context, INBOX_TABLE, source.name) == expected_lineage(
        context, source.name, source, len(expected)
    )
    assert manifest(context) == [
        (source.name, source.name, sha256(source), "inbox_csv", "loaded", len(expected))
    ]
    assert summary.as_dict() == {
        "loaded": 1,
        "duplicate": 0,
        "quarantined": 0,
        "rows": len(expected),
    }
    # A loaded file stays in landing/ (the publish step archives it); nothing is quarantined.
    assert (config.home.landing / source.name).read_bytes() == source.read_bytes()
    assert not any(config.home.quarantine.iterdir())


def test_loaded_at_is_set_for_every_row(config: Config):
    land(config, SPROUT, "sprout.csv")
    context, _ = ingest(config)
    assert query(
        context.database_path, f"SELECT count(*) FROM {INBOX_TABLE} WHERE _loaded_at IS NULL"
    ) == [(0,)]


def test_timezone_override_for_the_format_changes_naive_times_only(home: Home):
    home.config_file.write_text(
        FIXTURE_CONFIG + '\n[timezones]\ninbox_csv = "America/New_York"\n', encoding="utf-8"
    )
    config = load_config(home, environ={})
    land(config, BRANDWATCH, BRANDWATCH.name)
    land(config, SPROUT, SPROUT.name)
    context, _ = ingest(config)

    assert inbox_rows(context, BRANDWATCH.name) == BRANDWATCH_NEW_YORK
    # Timestamps with an explicit offset (Z) are exact instants, whatever the zone.
    assert inbox_rows(context, SPROUT.name) == SPROUT_ROWS


def test_quirky_encodings_of_the_same_export_load_the_same_rows(config: Config):
    """An Excel UTF-8 BOM and Windows line ends change nothing but the checksum."""
    with_bom = b"\xef\xbb\xbf" + SPROUT.read_bytes()
    crlf = BRANDWATCH.read_bytes().replace(b"\n", b"\r\n")
    land(config, with_bom, "sprout_bom.csv")
    land(config, crlf, "brandwatch_crlf.csv")
    context, _ = ingest(config)

    assert inbox_rows(context, "sprout_bom.csv") == SPROUT_ROWS
    assert inbox_rows(context, "brandwatch_crlf.csv") == BRANDWATCH_BERLIN
    assert lineage(context, INBOX_TABLE, "sprout_bom.csv") == expected_lineage(
        context, "sprout_bom.csv", with_bom, 3
    )


def test_unknown_inbox_tool_is_read_through_the_configured_columns(home: Home):
    config = with_mapping(home)
    land(config, TICKETDESK, "exports/ticketdesk.csv")
    context, _ = ingest(config)

    name = "exports/ticketdesk.csv"
    assert inbox_rows(context, name) == TICKETDESK_ROWS
    assert lineage(context, INBOX_TABLE, name) == expected_lineage(context, name, TICKETDESK, 2)
    assert manifest(context) == [(name, name, sha256(TICKETDESK), "inbox_csv", "loaded", 2)]


def test_unknown_inbox_tool_without_a_mapping_is_quarantined(config: Config):
    land(config, TICKETDESK, TICKETDESK.name)
    context, _ = ingest(config)

    assert manifest(context) == [
        (TICKETDESK.name, TICKETDESK.name, sha256(TICKETDESK), None, "quarantined", None)
    ]
    reason = config.home.quarantine / context.run_key / f"{TICKETDESK.name}.reason.txt"
    assert reason.read_text(encoding="utf-8") == (
        # The first 40 characters of the first line, no more (a reason never carries a secret).
        f"{TICKETDESK.name}: matches no known export format (it starts with "
        "'Ticket #,Ticket Message #,Received (UTC)')\n"
    )


def test_a_column_mapping_does_not_stop_known_tools_from_loading(home: Home):
    config = with_mapping(home)
    land(config, TICKETDESK, TICKETDESK.name)
    land(config, SPROUT, SPROUT.name)
    land(config, BRANDWATCH, BRANDWATCH.name)
    context, _ = ingest(config)

    assert inbox_rows(context, TICKETDESK.name) == TICKETDESK_ROWS
    assert inbox_rows(context, SPROUT.name) == SPROUT_ROWS
    assert inbox_rows(context, BRANDWATCH.name) == BRANDWATCH_BERLIN


GOOD_YOUTUBE = {
    "one response": (YT_SINGLE, YT_SINGLE_ROWS),
    "array of page responses": (YT_PAGES, YT_PAGES_ROWS),
    "json lines of threads": (YT_LINES, YT_LINES_ROWS),
}


@pytest.mark.parametrize(("source", "expected"), GOOD_YOUTUBE.values(), ids=GOOD_YOUTUBE.keys())
def test_youtube_comment_threads_load_exact_rows_with_lineage(
    config: Config, source: Path, expected: list
):
    land(config, source, source.name)
    context, summary = ingest(config)

    assert youtube_rows(context, source.name) == expected
    assert lineage(context, YOUTUBE_TABLE, source.name) == expected_lineage(
        context, source.name, source, len(expected)
    )
    assert manifest(context) == [
        (source.name, source.name, sha256(source), "youtube_api", "loaded", len(expected))
    ]
    assert summary.rows == len(expected)


def test_youtube_pages_keep_their_order_in_source_rows(config: Config):
    land(config, YT_PAGES, "pages.json")
    context, _ = ingest(config)
    rows = query(
        context.database_path,
        f"SELECT comment_id, _source_row FROM {YOUTUBE_TABLE} ORDER BY _source_row",
    )
    page_1 = {T_PAGE_1, f"{T_PAGE_1}.A2replyBBBBBB2"}
    assert {comment for comment, _ in rows[:2]} == page_1
    assert rows[2] == (T_PAGE_2, 3)


def test_youtube_source_row_is_the_position_in_the_file(config: Config):
    land(config, YT_SINGLE, YT_SINGLE.name)
    context, _ = ingest(config)
    rows = query(
        context.database_path,
        f"SELECT comment_id, _source_row FROM {YOUTUBE_TABLE} ORDER BY _source_row",
    )
    assert rows == [(T_SINGLE_1, 1), (f"{T_SINGLE_1}.A1replyAAAAAA1", 2), (T_SINGLE_2, 3)]


def test_zip_members_load_with_their_own_names_and_checksums(config: Config, tmp_path: Path):
    bundle = build_zip(
        tmp_path / "bundle.zip",
        {"exports/sprout.csv": SPROUT.read_bytes(), "youtube/threads.jsonl": YT_LINES.read_bytes()},
    )
    land(config, bundle, "bundle.zip")
    context, _ = ingest(config)

    csv_name, json_name = "bundle.zip!exports/sprout.csv", "bundle.zip!youtube/threads.jsonl"
    assert inbox_rows(context, csv_name) == SPROUT_ROWS
    assert youtube_rows(context, json_name) == YT_LINES_ROWS
    assert lineage(context, INBOX_TABLE, csv_name) == expected_lineage(context, csv_name, SPROUT, 3)
    assert manifest(context) == [
        (csv_name, "bundle.zip", sha256(SPROUT), "inbox_csv", "loaded", 3),
        (json_name, "bundle.zip", sha256(YT_LINES), "youtube_api", "loaded", 3),
    ]
    # The zip itself stays in landing/ until the publish step archives it whole.
    assert (config.home.landing / "bundle.zip").exists()


# --- bad files ----------------------------------------------------------------------------

BAD_FILES = {
    "truncated youtube json": (
        YOUTUBE / "commentThreads_truncated.json",
        "youtube_api",
        f"looks like {YOUTUBE_TITLE}, but Malformed JSON",
    ),
    "inbox csv without text column": (
        INBOX / "inbox_missing_text.csv",
        "inbox_csv",
        "looks like Social inbox / listening CSV, but the header lacks required columns: "
        "text (one of: message, content, text, full text, snippet)",
    ),
    "empty file": (INBOX / "empty.csv", None, "the file is empty"),
    "png": (
        INBOX / "screenshot_not_an_export.png",
        None,
        "matches no known export format: the file holds NUL bytes (binary, not text)",
    ),
    "header only": (
        b"Message ID,Created at,Network,Message\n",
        "inbox_csv",
        f"looks like {INBOX_TITLE}, but the file holds no rows",
    ),
}


@pytest.mark.parametrize(("source", "fmt", "what"), BAD_FILES.values(), ids=BAD_FILES.keys())
def test_bad_file_is_quarantined_with_a_reason_and_the_rest_still_loads(
    config: Config, source: Path | bytes, fmt: str | None, what: str
):
    name = "drop/bad_" + (source.name if isinstance(source, Path) else "header_only.csv")
    content = source.read_bytes() if isinstance(source, Path) else source
    land(config, content, name)
    land(config, SPROUT, "good/sprout.csv")
    land(config, YT_SINGLE, "good/single.json")
    context, summary = ingest(config)

    assert manifest(context) == [
        (name, name, sha256(content), fmt, "quarantined", None),
        ("good/single.json", "good/single.json", sha256(YT_SINGLE), "youtube_api", "loaded", 3),
        ("good/sprout.csv", "good/sprout.csv", sha256(SPROUT), "inbox_csv", "loaded", 3),
    ]
    assert summary.as_dict() == {"loaded": 2, "duplicate": 0, "quarantined": 1, "rows": 6}

    # Moved, byte for byte, next to a one-line reason naming the file, format and defect.
    assert not (config.home.landing / name).exists()
    moved = config.home.quarantine / context.run_key / name
    assert moved.read_bytes() == content
    reason = moved.with_name(moved.name + ".reason.txt").read_text(encoding="utf-8")
    assert reason.endswith("\n")
    assert reason.count("\n") == 1
    assert reason.startswith(f"{name}: ")
    assert what in reason
    message = query(
        context.database_path,
        "SELECT message FROM ops.load_manifest WHERE file_name = ?",
        [name],
    )
    assert message == [(reason.rstrip("\n"),)]

    # Nothing of it in the raw tables; the good files are complete.
    assert source_files(context) == {"good/sprout.csv", "good/single.json"}
    assert inbox_rows(context, "good/sprout.csv") == SPROUT_ROWS
    assert youtube_rows(context, "good/single.json") == YT_SINGLE_ROWS


def test_zip_with_path_traversal_is_quarantined_unopened(config: Config, tmp_path: Path):
    evil = build_zip(
        tmp_path / "evil.zip",
        {"../evil.csv": SPROUT.read_bytes(), "ok.csv": SEMICOLON.read_bytes()},
    )
    land(config, evil, "evil.zip")
    land(config, SPROUT, "sprout.csv")
    context, _ = ingest(config)

    assert manifest(context) == [
        ("evil.zip", "evil.zip", sha256(evil), None, "quarantined", None),
        ("sprout.csv", "sprout.csv", sha256(SPROUT), "inbox_csv", "loaded", 3),
    ]
    moved = config.home.quarantine / context.run_key / "evil.zip"
    assert moved.read_bytes() == evil.read_bytes()
    assert not (config.home.landing / "evil.zip").exists()
    assert moved.with_name("evil.zip.reason.txt").read_text(encoding="utf-8") == (
        "evil.zip: zip member '../evil.csv' would be written outside the extraction folder\n"
    )
    # No member was written anywhere, not even the harmless one.
    assert [p.name for p in config.home.root.rglob("*evil.csv")] == []
    assert [p.name for p in config.home.root.rglob("ok.csv")] == []
    assert source_files(context) == {"sprout.csv"}


def test_bad_zip_member_is_quarantined_as_a_copy_and_its_siblings_load(
    config: Config, tmp_path: Path
):
    bundle = build_zip(
        tmp_path / "mixed.zip",
        {"inbox/sprout.csv": SPROUT.read_bytes(), "inbox/empty.csv": b""},
    )
    land(config, bundle, "mixed.zip")
    context, _ = ingest(config)

    assert manifest(context) == [
        ("mixed.zip!inbox/empty.csv", "mixed.zip", sha256(b""), None, "quarantined", None),
        ("mixed.zip!inbox/sprout.csv", "mixed.zip", sha256(SPROUT), "inbox_csv", "loaded", 3),
    ]
    copy = config.home.quarantine / context.run_key / "mixed.zip" / "inbox" / "empty.csv"
    assert copy.read_bytes() == b""
    assert copy.with_name("empty.csv.reason.txt").read_text(encoding="utf-8") == (
        "mixed.zip!inbox/empty.csv: the file is empty\n"
    )
    assert (config.home.landing / "mixed.zip").exists()
    assert inbox_rows(context, "mixed.zip!inbox/sprout.csv") == SPROUT_ROWS


def truncated_zip(tmp_path: Path) -> bytes:
    """An interrupted download: the zip's central directory at the end is missing."""
    whole = build_zip(tmp_path / "whole.zip", {"inbox/sprout.csv": SPROUT.read_bytes()})
    return whole.read_bytes()[:-30]


def test_truncated_zip_is_quarantined(config: Config, tmp_path: Path):
    content = truncated_zip(tmp_path)
    land(config, content, "download.zip")
    land(config, SPROUT, "sprout.csv")
    context, _ = ingest(config)

    assert manifest(context) == [
        ("download.zip", "download.zip", sha256(content), None, "quarantined", None),
        ("sprout.csv", "sprout.csv", sha256(SPROUT), "inbox_csv", "loaded", 3),
    ]
    moved = config.home.quarantine / context.run_key / "download.zip"
    assert moved.read_bytes() == content
    reason = moved.with_name("download.zip.reason.txt").read_text(encoding="utf-8")
    assert reason.startswith("download.zip: ")
    assert reason.count("\n") == 1
    assert source_files(context) == {"sprout.csv"}


def test_truncated_zip_reason_says_it_is_a_broken_zip(config: Config, tmp_path: Path):
    land(config, truncated_zip(tmp_path), "download.zip")
    context, _ = ingest(config)
    reason = config.home.quarantine / context.run_key / "download.zip.reason.txt"
    assert "zip archive" in reason.read_text(encoding="utf-8")


def test_inbox_csv_without_text_column_is_named_as_such(config: Config):
    land(config, INBOX / "inbox_missing_text.csv", "missing.csv")
    context, _ = ingest(config)
    reason = config.home.quarantine / context.run_key / "missing.csv.reason.txt"
    text = reason.read_text(encoding="utf-8")
    assert INBOX_TITLE in text
    assert "text" in text.split(", but ", 1)[1].lower()


# --- duplicates ---------------------------------------------------------------------------


def test_same_content_under_another_name_in_the_same_run_is_a_duplicate(config: Config):
    land(config, SPROUT, "a_sprout.csv")
    land(config, SPROUT, "renamed/b_sprout_copy.csv")
    context, summary = ingest(config)

    assert manifest(context) == [
        ("a_sprout.csv", "a_sprout.csv", sha256(SPROUT), "inbox_csv", "loaded", 3),
        (
            "renamed/b_sprout_copy.csv",
            "renamed/b_sprout_copy.csv",
            sha256(SPROUT),
            None,
            "duplicate",
            0,
        ),
    ]
    assert summary.as_dict() == {"loaded": 1, "duplicate": 1, "quarantined": 0, "rows": 3}
    assert query(context.database_path, f"SELECT count(*) FROM {INBOX_TABLE}") == [(3,)]


def test_same_content_in_a_later_run_is_a_duplicate(config: Config):
    first_file = land(config, YT_PAGES, "2026-01/pages.json")
    first, _ = ingest(config)
    promote(first, config)
    # The publish step would have archived it; then the same export lands again, renamed.
    first_file.unlink()
    land(config, YT_PAGES, "again/commentThreads (1).json")
    second, summary = ingest(config)

    assert manifest(second) == [
        (
            "again/commentThreads (1).json",
            "again/commentThreads (1).json",
            sha256(YT_PAGES),
            None,
            "duplicate",
            0,
        )
    ]
    assert summary.as_dict() == {"loaded": 0, "duplicate": 1, "quarantined": 0, "rows": 0}
    assert query(second.database_path, f"SELECT count(*), min(_run_key) FROM {YOUTUBE_TABLE}") == [
        (3, first.run_key)
    ]


def test_a_landed_name_that_is_not_utf8_travels_between_tasks_as_json(tmp_path):
    # Airflow hands discover's list to ingest as JSON (an XCom). A Latin-1 "café.csv" keeps
    # its byte 0xE9 as a surrogate in Python, which JSON cannot encode: the whole run stopped
    # in discover. Such a path travels as its percent-encoded bytes and comes back the same.
    import json

    from learnloop.ingest.discover import LandedFile

    origin = tmp_path / os.fsdecode(b"latin1_caf\xe9.csv")
    landed = LandedFile(
        name="latin1_caf\\xe9.csv",
        path=tmp_path / "000001.csv",
        origin=origin,
        kept_as="latin1_caf\\xe9.csv",
        checksum="0" * 64,
    )
    # As Airflow's API client sends it (httpx: UTF-8, non-ASCII kept as is).
    data = json.loads(json.dumps(landed.as_dict(), ensure_ascii=False).encode("utf-8"))
    assert data["origin"] == "bytes:" + os.fsencode(tmp_path).decode() + "/latin1_caf%E9.csv"
    assert data["path"] == str(tmp_path / "000001.csv")  # a UTF-8 path stays readable
    assert LandedFile.from_dict(data) == landed
