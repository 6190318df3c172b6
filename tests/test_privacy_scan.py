"""No community member's handle, name or id in any text column of the published warehouse
by default; with `publish_handles = true` their handles are there (so the scan can fail).

A warehouse published from ten fixture exports of nine interaction formats; the members'
identifiers are collected from the raw rows, through each format's `author_columns`.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from learnloop.ingest.formats import FORMATS
from learnloop.paths import Home
from tests import published_build
from tests.conftest import FIXTURES, query

pytestmark = pytest.mark.slow

EXPORTS = (
    "youtube_api/commentThreads_single.json",
    "instagram_api/ig_media_2026-01.json",
    "facebook_graph/fb_page_posts_2026-01.json",
    "x_api/search_recent_nordlicht.json",
    "mastodon_api/statuses_nordlicht_mentions.json",
    "inbox_csv/sprout_inbox_2026-01.csv",
    "end_to_end/hootsuite_inbox_2026-01.csv",
    "linkedin_messages/messages.csv",
    "meta_dyi_messages/facebook_message_1.json",
    "x_archive_dms/direct-messages.js",
)
# The fixtures' brand is Nordlicht Bikes (its staff, handles and the Facebook page id
# 104000000000001); brand accounts are published by design (docs/kpis.md, Privacy).
BRAND = re.compile(r"nordlicht|^104000000000001$", re.IGNORECASE)
# Message bodies are published as written (public text); a body may mention someone.
# analytics.signals repeats the text of the interactions that are signals, the report marts
# that of the quotes and of the messages that opened a waiting conversation.
MESSAGE_BODIES = {
    ("interactions", "text"),
    ("signals", "text"),
    ("posts", "text"),
    ("rpt_quotes_weekly", "text"),
    ("rpt_waiting_threads", "opening_text"),
}


def _member_identifiers(build_database: Path) -> set[str]:
    """Ids, handles and names of every non-brand author in the raw tables."""
    found: set[str] = set()
    for export_format in FORMATS:
        if not export_format.author_columns:
            continue
        columns = ", ".join(export_format.author_columns)
        for row in query(build_database, f"SELECT {columns} FROM raw.{export_format.raw_table}"):
            values = [v for v in row if v]
            if not any(BRAND.search(v) for v in values):
                found |= {v.lstrip("@").lower() for v in values}
    return found


def _published_hits(published: Path, identifiers: set[str]) -> dict[str, set[str]]:
    """identifier -> the `table.column`s of the published file that hold it as a word."""
    columns = query(
        published,
        """SELECT table_name, column_name FROM duckdb_columns()
           WHERE schema_name = 'analytics' AND data_type = 'VARCHAR'""",
    )
    hits: dict[str, set[str]] = {}
    for table, column in columns:
        if (table, column) in MESSAGE_BODIES:
            continue
        values = {
            v for (v,) in query(published, f'SELECT DISTINCT "{column}" FROM analytics."{table}"')
        }
        for identifier in identifiers:
            word = re.compile(rf"(?<![\w]){re.escape(identifier)}(?![\w])", re.IGNORECASE)
            if any(v and word.search(v) for v in values):
                hits.setdefault(identifier, set()).add(f"{table}.{column}")
    return hits


def test_published_warehouse_names_no_member_unless_handles_are_published(tmp_path: Path):
    home = published_build.make_home(tmp_path / "home")
    for export in EXPORTS:
        shutil.copy2(FIXTURES / export, home.landing / export.replace("/", "__"))
    published_build.publishing_run(home)
    loaded = query(
        home.published, "SELECT count(*) FROM analytics.load_log WHERE status = 'loaded'"
    )
    assert loaded == [(len(EXPORTS),)]

    members = _member_identifiers(home.build_database)
    # e.g. the YouTube commenter @bergfee and her channel id, LinkedIn's Tobias Keller.
    assert {"bergfee", "ucbergfee00000000000001x", "tobias keller"} <= members
    assert len(members) >= 30
    assert _published_hits(home.published, members) == {}

    _publish_again_with_handles(home)
    hits = _published_hits(home.published, members)
    assert "interactions.author_handle" in hits["bergfee"]
    assert "interactions.author_handle" in hits["kunde_a"]


def _publish_again_with_handles(home: Home) -> None:
    config = home.config_file.read_text(encoding="utf-8")
    home.config_file.write_text(config + "\n[privacy]\npublish_handles = true\n", encoding="utf-8")
    published_build.publishing_run(home)
