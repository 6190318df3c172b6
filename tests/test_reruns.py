"""Reruns: the same files again change nothing; an overlapping re-export changes only what
changed (three publishing runs of the real stages, no Airflow)."""

from __future__ import annotations

import hashlib
import shutil
from datetime import date
from pathlib import Path

import pytest

from learnloop.paths import Home
from tests import published_build
from tests.conftest import FIXTURES, query

pytestmark = pytest.mark.slow

FIRST = FIXTURES / "reruns" / "hootsuite_inbox_2026-01-05.csv"
OVERLAPPING = FIXTURES / "reruns" / "hootsuite_inbox_2026-01-05_to_2026-01-12.csv"


def _land(home: Home, source: Path, name: str) -> None:
    shutil.copyfile(source, home.landing / name)


def _interactions(home: Home) -> dict[str, tuple]:
    rows = query(
        home.published,
        "SELECT interaction_id, direction, member_key, created_at, text "
        "FROM analytics.interactions",
    )
    return {row[0]: row[1:] for row in rows}


def _kpis(home: Home) -> list[tuple]:
    return query(
        home.published,
        "SELECT * FROM analytics.kpi_weekly WHERE platform = 'all' ORDER BY week_start",
    )


def test_same_files_again_are_a_no_op_and_an_overlap_changes_only_what_changed(tmp_path: Path):
    home = published_build.make_home(tmp_path / "home")
    _land(home, FIRST, "hootsuite_inbox_2026-01-05.csv")
    published_build.publishing_run(home)
    interactions, kpis = _interactions(home), _kpis(home)
    assert sorted(interactions) == ["rr-msg-1", "rr-msg-2", "rr-msg-3"]

    # The same export again, renamed, as people download it twice.
    _land(home, FIRST, "hootsuite_inbox_2026-01-05 (1).csv")
    context = published_build.publishing_run(home)
    assert query(
        home.published,
        "SELECT file_name, status, rows, checksum FROM analytics.load_log WHERE run_key = ?",
        [context["run_key"]],
    ) == [
        (
            "hootsuite_inbox_2026-01-05 (1).csv",
            "duplicate",
            0,
            hashlib.sha256(FIRST.read_bytes()).hexdigest(),
        )
    ]
    assert (_interactions(home), _kpis(home)) == (interactions, kpis)

    # A later export of the period plus a week: msg-2 was edited, msg-4 is new.
    _land(home, OVERLAPPING, "hootsuite_inbox_2026-01-05_to_2026-01-12.csv")
    published_build.publishing_run(home)
    after = _interactions(home)
    assert sorted(after) == ["rr-msg-1", "rr-msg-2", "rr-msg-3", "rr-msg-4"]
    assert after["rr-msg-1"] == interactions["rr-msg-1"]
    assert after["rr-msg-3"] == interactions["rr-msg-3"]
    assert after["rr-msg-2"] == (
        *interactions["rr-msg-2"][:3],
        "Let me check. Yes, size M ships tomorrow.",
    )
    assert after["rr-msg-4"][0] == "outbound"
    # Berlin weeks. Before: week of Jan 5 has 2 inbound, 1 outbound, 2 conversations, 1
    # answered (conv-1). msg-4 (Jan 12) answers conv-2, which started Jan 6: that week now
    # has 2 answered; the week of Jan 12 gets 1 outbound and no conversation of its own.
    columns = (
        "week_start, inbound_messages, outbound_messages, conversations, answered_conversations"
    )
    assert query(
        home.published,
        f"SELECT {columns} FROM analytics.kpi_weekly WHERE platform = 'all' ORDER BY 1",
    ) == [(date(2026, 1, 5), 2, 1, 2, 2), (date(2026, 1, 12), 0, 1, 0, 0)]
    assert [row[:6] for row in kpis] == [(date(2026, 1, 5), "all", 2, 1, 2, 1)]
