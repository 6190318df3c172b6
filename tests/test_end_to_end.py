"""The real `learnloop` DAG, run by the real CLI, on fixture exports; exact KPI values.

One home folder goes through three runs, each asserting what a user would check:
1. inbox CSV + YouTube API JSON publish exactly the hand-computed kpi_weekly;
2. a bad batch (a negative like count) fails the raw gate; the published file stays
   byte-identical, the bad file stays in landing/, the run log says why;
3. the same files again under new names, with `--full-refresh`, are logged as duplicates and
   change no KPI (a broken export among them is quarantined), while a BI reader that queries
   the published file in a loop never sees an error or a partial state;
4. `learnloop forget` (the DAG's fourth run), in the home moved to another folder first (as
   a restore or a new disk moves it; it publishes there): after an erasure nothing of the
   member is left anywhere under LEARNLOOP_HOME (every file scanned byte by byte, Airflow's metadata
   included), other members are intact and the KPIs are recomputed. The erasure is gated and
   in the run log, its conf holding the member's salted key. Before it, no log file of the
   three runs holds the salt or message text (INFO level).
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
from tests import harness, published_build
from tests.conftest import FIXTURES, query, run_cli

pytestmark = pytest.mark.slow

E2E = FIXTURES / "end_to_end"
HOOTSUITE = E2E / "hootsuite_inbox_2026-01.csv"
# A Hootsuite export without its message column: quarantined, and it holds the member.
BROKEN = FIXTURES / "forget" / "hootsuite_export_without_message_column.csv"
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

# The BI reader of run 3. Opening the file and querying it costs ~20 ms of CPU, so it does
# that twice a second (about 60 reads over the run), and at once whenever the published
# file's identity changes (a cheap stat every 20 ms): the publish's rename is the moment a
# partial state could show, and that is when it reads most.
READER = textwrap.dedent(
    """
    import json, os, sys, time, duckdb
    path, stop_file, out = sys.argv[1], sys.argv[2], sys.argv[3]
    seen, errors = [], []
    deadline = time.time() + 300
    from pathlib import Path
    def identity():
        try:
            st = os.stat(path)
            return (st.st_ino, st.st_mtime_ns, st.st_size)
        except OSError:
            return None
    last_identity, last_read, burst = None, 0.0, 0
    while not Path(stop_file).exists() and time.time() < deadline:
        now_identity = identity()
        if now_identity != last_identity:
            last_identity, burst = now_identity, 5  # a new file: read it a few times
        if burst or time.time() - last_read >= 0.5:
            burst = max(burst - 1, 0)
            last_read = time.time()
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


# kunde_a in the Hootsuite fixture: two inbound Instagram messages, hs-msg-1 and hs-msg-3.
MEMBER = "KUNDE_A"  # as a person would type it in a request: case does not matter
TRACES = ("kunde_a", "Wann kommt das Update für die App?", "Super, danke!")
# Message texts of other people, which the logs must not hold either.
OTHER_TEXTS = ("pairing failed", "my order is three weeks late", "How do I pair the app")


def _kpis(published: Path) -> dict:
    return {(row[0], row[1]): tuple(row[2:]) for row in query(published, KPI_QUERY)}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _land(home: Home, source: Path, name: str | None = None) -> Path:
    target = home.landing / (name or source.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)
    return target


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


def _moved(home: Home, root: Path) -> Home:
    """The home moved to `root` whole (a rename: the published file and its snapshot stay
    one file)."""
    root.parent.mkdir(parents=True, exist_ok=True)
    home.root.rename(root)
    return Home(root)


def _interaction_ids(home: Home) -> set[str]:
    rows = query(home.published, "SELECT interaction_id FROM analytics.interactions")
    return {row[0] for row in rows}


def _instagram_inbound(home: Home) -> list[tuple]:
    return query(
        home.published,
        """SELECT week_start::VARCHAR, inbound_messages FROM analytics.kpi_weekly
           WHERE platform = 'instagram' AND week_start <= DATE '2026-01-05' ORDER BY 1""",
    )


def test_pipeline_publishes_exact_kpis_gates_bad_batches_ignores_duplicates_and_forgets(
    home, tmp_path
):
    # Two snapshots kept: the erasure (run 4) has an older one to remove.
    home.config_file.write_text(published_build.CONFIG_TEXT, encoding="utf-8")

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
    _land(home, BROKEN, f"re-export/{BROKEN.name}")
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
    assert "0 loaded, 2 duplicate, 1 quarantined, 0 rows" in third.stdout
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
    # file's 7 in run 2; two duplicates and the broken export in run 3), and every
    # expectation of the gates that ran (run 2: the raw gate alone, one expectation failed).
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
        (0, 2, 1, 0, ["marts", "raw_batch"], 0),
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
    states = [tuple(s) for s in observed["seen"]]
    assert set(states) <= {(inbound_total, 16, 1), (inbound_total, 16, 3)}
    # It read before the publish (twice a second over the run) and right after it.
    assert states.count((inbound_total, 16, 1)) >= 10, states
    assert (inbound_total, 16, 3) in states, states

    # --- Run 4: `learnloop forget` leaves nothing of the member -----------------------------
    # In the home moved to another folder: Airflow's metadata still names the published
    # file's old path as the active Asset, which the run retires before it publishes.
    home = _moved(home, tmp_path / "moved" / "home")
    # Logs (INFO level, Airflow's included) of the three runs name files and counts, never
    # texts or the salt.
    salt = home.salt_file.read_text(encoding="utf-8").strip()
    for folder in (home.logs, home.airflow_home):
        assert _files_holding(folder, (salt, *TRACES, *OTHER_TEXTS)) == {}, folder
    assert any(home.logs.rglob("*.log")), "the runs wrote no logs to check"

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
