"""The real `learnloop` DAG, run by the real CLI, on fixture exports; exact KPI values.

One home folder goes through three runs, each asserting what a user would check:
1. inbox CSV + YouTube API JSON publish exactly the hand-computed kpi_weekly;
2. a bad batch (a negative like count) fails the raw gate; the published file stays
   byte-identical, the bad file stays in landing/, the run log says why;
3. the same files again under new names, with `--full-refresh`, are logged as duplicates and
   change no KPI, while a BI reader that queries the published file in a loop never sees an
   error or a partial state.
The run log rows come from what the DAG's tasks returned (ingest's counts, the gates'
results), and `--full-refresh` reaches the DAG as its param (the DAG run's conf in Airflow's
metadata). The report DAG `learnloop_weekly_report` runs after the two runs that publish.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest

from learnloop.paths import Home
from tests.conftest import FIXTURES, query, run_cli

pytestmark = pytest.mark.slow

E2E = FIXTURES / "end_to_end"
W52, W02, W03, W04 = date(2025, 12, 29), date(2026, 1, 5), date(2026, 1, 12), date(2026, 1, 19)

# (week_start, platform): inbound, outbound, conversations, answered, response_rate,
#   median_first_response_minutes, p90_first_response_minutes, two_way_rate, avg_turns
# Worked by hand from the fixtures, in Europe/Berlin (UTC+1 in January):
EXPECTED_KPIS = {
    # hs-msg-1 is Sun 2026-01-04 23:30 local: week 2025-12-29 although its reply is Monday.
    # hs-conv-1: reply after 40 min, customer wrote again -> two-way; 3 turns.
    (W52, "instagram"): (1, 0, 1, 1, 1.0, 40.0, 40.0, 1.0, 3.0),
    (W52, "x"): (0, 0, 0, 0, None, None, None, None, None),
    (W52, "youtube"): (0, 0, 0, 0, None, None, None, None, None),
    (W52, "all"): (1, 0, 1, 1, 1.0, 40.0, 40.0, 1.0, 3.0),
    # instagram: hs-msg-3 in, hs-msg-2 + the brand-only hs-msg-8 out; no conversation starts.
    (W02, "instagram"): (1, 2, 0, 0, None, None, None, None, None),
    # x: hs-conv-2 answered after 30 min; hs-conv-3's brand message came BEFORE the customer,
    # so it is unanswered. 1/2 answered, no two-way, turns (2 + 2) / 2.
    (W02, "x"): (2, 2, 2, 1, 0.5, 30.0, 30.0, 0.0, 2.0),
    # youtube: T1 answered after 90 min and two-way (3 turns); T2 unanswered (1 turn);
    # T3 is brand-only: outbound, but no conversation.
    (W02, "youtube"): (3, 2, 2, 1, 0.5, 90.0, 90.0, 0.5, 2.0),
    # all: 4 conversations, answered minutes [30, 90]: median 60, p90 30 + 0.9 * 60 = 84;
    # two-way 1/4; turns (2 + 2 + 3 + 1) / 4 = 2.
    (W02, "all"): (6, 6, 4, 2, 0.5, 60.0, 84.0, 0.25, 2.0),
    # A week without any activity still has its rows: counts 0, rates NULL.
    (W03, "instagram"): (0, 0, 0, 0, None, None, None, None, None),
    (W03, "x"): (0, 0, 0, 0, None, None, None, None, None),
    (W03, "youtube"): (0, 0, 0, 0, None, None, None, None, None),
    (W03, "all"): (0, 0, 0, 0, None, None, None, None, None),
    # hs-conv-5 answered after 120 min.
    (W04, "instagram"): (1, 1, 1, 1, 1.0, 120.0, 120.0, 0.0, 2.0),
    (W04, "x"): (0, 0, 0, 0, None, None, None, None, None),
    # T4 at 2026-01-18T23:30Z is Monday 00:30 in Berlin (week 01-19; in UTC it would be
    # week 01-12); answered at 09:30Z: 600 min.
    (W04, "youtube"): (1, 1, 1, 1, 1.0, 600.0, 600.0, 0.0, 2.0),
    # all: minutes [120, 600]: median 360, p90 120 + 0.9 * 480 = 552.
    (W04, "all"): (2, 2, 2, 2, 1.0, 360.0, 552.0, 0.0, 2.0),
}

KPI_QUERY = """
    SELECT week_start, platform, inbound_messages, outbound_messages, conversations,
           answered_conversations, response_rate, median_first_response_minutes,
           p90_first_response_minutes, two_way_rate, avg_turns
    FROM analytics.kpi_weekly ORDER BY week_start, platform
"""

READER = textwrap.dedent(
    """
    import json, sys, time, duckdb
    path, stop_file, out = sys.argv[1], sys.argv[2], sys.argv[3]
    seen, errors = [], []
    deadline = time.time() + 300
    from pathlib import Path
    while not Path(stop_file).exists() and time.time() < deadline:
        try:
            con = duckdb.connect(path, read_only=True)
            kpis = con.execute("SELECT sum(inbound_messages), count(*) FROM analytics.kpi_weekly").fetchone()
            runs = con.execute("SELECT count(*) FROM analytics.run_log").fetchone()[0]
            con.close()
            seen.append([int(kpis[0]), int(kpis[1]), int(runs)])
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
        time.sleep(0.02)
    Path(out).write_text(json.dumps({"seen": seen, "errors": errors}))
    """
)


def _kpis(published: Path) -> dict:
    return {(row[0], row[1]): tuple(row[2:]) for row in query(published, KPI_QUERY)}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _land(home: Home, source: Path, name: str | None = None) -> Path:
    target = home.landing / (name or source.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)
    return target


def test_pipeline_publishes_exact_kpis_gates_bad_batches_and_ignores_duplicates(home, tmp_path):
    # --- Run 1: two formats, published with exact KPIs -------------------------------------
    _land(home, E2E / "hootsuite_inbox_2026-01.csv", "inbox/hootsuite_inbox_2026-01.csv")
    _land(
        home, E2E / "commentThreads_winter_video.json", "youtube/commentThreads_winter_video.json"
    )

    # A new `python -m learnloop.cli` (not forked from the tests' pre-imported helper): the
    # entry point runs the whole DAG at least once in the suite as users start it.
    first = run_cli(home, "run", new_interpreter=True)
    assert first.returncode == 0, first.stderr
    # After the publish, the report DAG (learnloop_weekly_report) writes the HTML report of
    # the latest week with messages (W04).
    assert f"[7/7] report          {home.reports / '2026-W04' / 'index.html'}" in first.stdout

    assert _kpis(home.published) == EXPECTED_KPIS
    conversations = query(
        home.published,
        "SELECT count(*), sum(turns), count(*) FILTER (WHERE answered) FROM analytics.conversations",
    )
    # hs-conv-1/2/3/5 (3+2+2+2 turns; hs-conv-4 is brand-only) and T1/T2/T4 (3+1+2 turns);
    # answered: hs-conv-1, hs-conv-2, hs-conv-5, T1, T4.
    assert conversations == [(7, 15, 5)]
    assert query(
        home.published,
        "SELECT file_name, format, status, rows FROM analytics.load_log ORDER BY file_name",
    ) == [
        ("inbox/hootsuite_inbox_2026-01.csv", "inbox_csv", "loaded", 10),
        ("youtube/commentThreads_winter_video.json", "youtube_api", "loaded", 7),
    ]
    # Processed files moved to archive/, nothing left in landing/.
    assert sorted(p.name for p in home.archive.rglob("*") if p.is_file()) == [
        "commentThreads_winter_video.json",
        "hootsuite_inbox_2026-01.csv",
    ]
    assert not [p for p in home.landing.rglob("*") if p.is_file()]
    # Community members are pseudonymised: no handle or channel id reaches the published file.
    leaked = query(
        home.published,
        """SELECT count(*) FROM analytics.interactions
           WHERE author_handle IN ('kunde_a', '@trailanna') OR member_key IN ('kunde_a', 'anna_rides')""",
    )
    assert leaked == [(0,)]
    assert len(list(home.snapshots.glob("learnloop-*.duckdb"))) == 1
    published_before = _digest(home.published)

    # --- Run 2: a bad batch stops at the raw gate, nothing is published --------------------
    bad = json.loads((E2E / "commentThreads_winter_video.json").read_text(encoding="utf-8"))
    bad["items"][1]["snippet"]["topLevelComment"]["snippet"]["likeCount"] = -5
    bad_file = home.landing / "youtube" / "commentThreads_bad.json"
    bad_file.parent.mkdir(parents=True, exist_ok=True)
    bad_file.write_text(json.dumps(bad), encoding="utf-8")

    second = run_cli(home, "run")
    assert second.returncode == 3, second.stderr
    assert "raw_batch gate: 1 of" in second.stderr
    assert "] report " not in second.stdout  # nothing published: the Asset did not change
    assert (
        "expect_column_values_to_be_between(like_count): 1 unexpected, e.g. [-5]" in second.stderr
    )
    assert _digest(home.published) == published_before
    assert bad_file.exists()  # never lost: it waits in landing/ for a fix
    status = query(
        home.build_database,
        "SELECT status, published FROM ops.run_log ORDER BY finished_at DESC LIMIT 1",
    )
    assert status == [("gate_failed", False)]
    bad_file.unlink()

    # --- Run 3: the same files renamed are duplicates; a BI reader sees no partial state ---
    for archived in home.archive.rglob("*"):
        if archived.is_file():
            _land(home, archived, f"re-export/copy-of-{archived.name}")
    stop_file, reader_out = tmp_path / "stop", tmp_path / "reader.json"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(home.published), str(stop_file), str(reader_out)]
    )
    try:
        third = run_cli(home, "run", "--full-refresh")
    finally:
        stop_file.touch()
        reader.wait(timeout=60)
    assert third.returncode == 0, third.stderr
    assert "0 loaded, 2 duplicate, 0 quarantined, 0 rows" in third.stdout
    # The flag reached dbt_build as the DAG param: nothing changed that would rebuild.
    assert "models and data tests passed (full refresh)" in third.stdout
    assert _kpis(home.published) == EXPECTED_KPIS
    assert query(
        home.published,
        "SELECT file_name, status FROM analytics.load_log WHERE status = 'duplicate' ORDER BY 1",
    ) == [
        ("re-export/copy-of-commentThreads_winter_video.json", "duplicate"),
        ("re-export/copy-of-hootsuite_inbox_2026-01.csv", "duplicate"),
    ]
    assert query(
        home.published, "SELECT status, published FROM analytics.run_log ORDER BY started_at"
    ) == [("published", True), ("gate_failed", False), ("published", True)]
    # Each row from the tasks' return values: ingest's counts (10 + 7 rows in run 1; the bad
    # file's 7 in run 2; two duplicates in run 3), and every expectation of the gates that
    # ran (run 2: the raw gate alone, one expectation failed).
    runs = query(
        home.published,
        """SELECT files_loaded, files_duplicate, files_quarantined, rows_loaded,
                  list_sort(list_distinct(json_extract_string(gate_results, '$[*].gate'))),
                  len(list_filter(json_extract(gate_results, '$[*].success')::BOOLEAN[],
                                  lambda ok: NOT ok))
           FROM analytics.run_log ORDER BY started_at""",
    )
    assert runs == [
        (2, 0, 0, 17, ["marts", "raw_batch"], 0),
        (1, 0, 0, 7, ["raw_batch"], 1),
        (0, 2, 0, 0, ["marts", "raw_batch"], 0),
    ]
    # The params of each run, as Airflow's metadata keeps them, and the report DAG's runs:
    # one after each of the two runs that published (1 and 3), none after the gate's stop.
    with sqlite3.connect(home.airflow_home / "airflow.db") as airflow:
        runs = airflow.execute(
            "SELECT dag_id, conf, state FROM dag_run ORDER BY run_after, dag_id"
        ).fetchall()
    assert [(dag, json.loads(conf) if conf else None, state) for dag, conf, state in runs] == [
        ("learnloop", {"full_refresh": False}, "success"),
        ("learnloop_weekly_report", {}, "success"),
        ("learnloop", {"full_refresh": False}, "failed"),
        ("learnloop", {"full_refresh": True}, "success"),
        ("learnloop_weekly_report", {}, "success"),
    ]

    observed = json.loads(reader_out.read_text(encoding="utf-8"))
    assert observed["errors"] == []
    assert observed["seen"], "the reader never queried the published file"
    # Every read saw a whole published state: the first run's (1 run logged, published
    # before run 2's failure was recorded) or the third run's (3 runs logged).
    inbound_total = sum(v[0] for v in EXPECTED_KPIS.values() if v is not None)
    assert {tuple(s) for s in observed["seen"]} <= {(inbound_total, 16, 1), (inbound_total, 16, 3)}
