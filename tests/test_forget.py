"""`learnloop forget`: after an erasure nothing of the member is left anywhere under
LEARNLOOP_HOME (every file scanned byte by byte, Airflow's metadata included), other members
are intact and the KPIs are recomputed. The erasure is a run of the `learnloop` DAG: gated,
in the run log, its conf holding the member's salted key. Also: no log file holds the salt or
message text (INFO level).

One publishing run of the stages (the older snapshot), one real DAG run (`learnloop run`),
then the real `learnloop forget` command (the second DAG run).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from learnloop.paths import Home
from tests import harness, published_build
from tests.conftest import FIXTURES, query, run_cli

pytestmark = pytest.mark.slow

HOOTSUITE = published_build.E2E_FIXTURES / "hootsuite_inbox_2026-01.csv"
YOUTUBE = published_build.E2E_FIXTURES / "commentThreads_winter_video.json"
BROKEN = FIXTURES / "forget" / "hootsuite_export_without_message_column.csv"
# kunde_a in the Hootsuite fixture: two inbound Instagram messages, hs-msg-1 and hs-msg-3.
MEMBER = "KUNDE_A"  # as a person would type it in a request: case does not matter
TRACES = ("kunde_a", "Wann kommt das Update für die App?", "Super, danke!")
# Message texts of other people, which the logs must not hold either.
OTHER_TEXTS = ("pairing failed", "my order is three weeks late", "How do I pair the app")


def _files_holding(root: Path, needles: tuple[str, ...]) -> dict[str, list[str]]:
    """Every file under root that holds one of the needles (UTF-8, case-insensitive, also
    JSON-escaped), as relative path -> the needles found."""
    forms = {n: {n.lower().encode(), n.encode("unicode_escape").lower()} for n in needles}
    found = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes().lower()
        hits = [n for n, variants in forms.items() if any(v in data for v in variants)]
        if hits:
            found[path.relative_to(root).as_posix()] = hits
    return found


def _interaction_ids(home: Home) -> set[str]:
    rows = query(home.published, "SELECT interaction_id FROM analytics.interactions")
    return {row[0] for row in rows}


def _instagram_inbound(home: Home) -> list[tuple]:
    return query(
        home.published,
        """SELECT week_start::VARCHAR, inbound_messages FROM analytics.kpi_weekly
           WHERE platform = 'instagram' AND week_start <= DATE '2026-01-05' ORDER BY 1""",
    )


def test_forget_leaves_nothing_of_the_member_and_logs_hold_no_secrets(tmp_path: Path):
    home = published_build.make_home(tmp_path / "home")
    shutil.copy2(HOOTSUITE, home.landing)
    published_build.publishing_run(home)  # becomes the older snapshot
    harness.build_zip(home.landing / "youtube-2026-01.zip", {YOUTUBE.name: YOUTUBE.read_bytes()})
    shutil.copy2(BROKEN, home.landing)
    result = run_cli(home, "run")
    assert result.returncode == 0, result.stderr

    # Logs (INFO level, Airflow's included) name files and counts, never texts or the salt.
    salt = home.salt_file.read_text(encoding="utf-8").strip()
    log_folders = [home.logs, home.airflow_home]
    for folder in log_folders:
        assert _files_holding(folder, (salt, *TRACES, *OTHER_TEXTS)) == {}, folder
    assert any(home.logs.rglob("*.log")), "the run wrote no logs to check"

    # The scan can fail: before the erasure the member is in the warehouse files and the
    # kept exports (DuckDB stores these short strings uncompressed).
    before = _files_holding(home.root, TRACES)
    for place in ("warehouse/learnloop.duckdb", "warehouse/build/learnloop_build.duckdb"):
        assert place in before, sorted(before)
    assert any(p.startswith("archive/") for p in before)
    assert any(p.startswith("quarantine/") for p in before)
    assert len(list(home.snapshots.iterdir())) == 2
    interactions = _interaction_ids(home)
    instagram_inbound = _instagram_inbound(home)

    erased = run_cli(home, "forget", "--member", MEMBER)
    assert erased.returncode == 0, erased.stderr
    assert "  [2/8] erase           2 raw rows deleted, " in erased.stdout
    assert "raw.inbox_csv__messages: 2 rows deleted" in erased.stdout
    assert "snapshots removed: 1" in erased.stdout
    assert "kunde_a" not in erased.stdout.lower()

    # A run of the DAG like any other: logged as published, after both gates passed.
    run_key = erased.stdout.split()[2]
    assert query(
        home.published,
        """SELECT status, published, failed_stage,
                  list_sort(list_distinct(json_extract_string(gate_results, '$[*].gate'))),
                  list_bool_and(json_extract(gate_results, '$[*].success')::BOOLEAN[])
           FROM analytics.run_log WHERE run_key = ?""",
        [run_key],
    ) == [("published", True, None, ["marts", "raw_batch"], True)]
    # Its params: the member's salted key (sha256 of salt, "forget:" and the handle as
    # matched: lower case, without @), never the handle.
    with sqlite3.connect(home.airflow_home / "airflow.db") as airflow:
        (conf,) = airflow.execute(
            "SELECT conf FROM dag_run WHERE dag_id = 'learnloop' ORDER BY run_after DESC LIMIT 1"
        ).fetchone()
    key = hashlib.sha256(f"{salt}forget:kunde_a".encode()).hexdigest()
    assert json.loads(conf) == {"forget_member_key": key, "forget_platform": None}

    assert _files_holding(home.root, TRACES) == {}
    # Everyone else stays: only kunde_a's two messages are gone from the published file.
    assert _interaction_ids(home) == interactions - {"hs-msg-1", "hs-msg-3"}
    # KPIs recomputed. kunde_a wrote on 2026-01-04 23:30 and 2026-01-05 08:00 Berlin: one
    # Instagram inbound in the week of 2025-12-29, one in the week of 2026-01-05 (nobody
    # else wrote on Instagram then). Without them the first week with data is 2026-01-05.
    assert instagram_inbound == [("2025-12-29", 1), ("2026-01-05", 1)]
    assert _instagram_inbound(home) == [("2026-01-05", 0)]

    # The original export, landed again, is recognised and does not bring the member back.
    shutil.copy2(HOOTSUITE, home.landing / "hootsuite_again.csv")
    _, summary = harness.ingest(harness.configure(home, home.config_file.read_text()))
    assert summary.as_dict()["duplicate"] == 1 and summary.as_dict()["loaded"] == 0
