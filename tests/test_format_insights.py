"""Learning sources (docs/formats.md §3): the insight register (CSV and .xlsx), Jira, GitHub
issues and Linear exports. Exact raw rows, register rows rejected with a reason while the
others load, per-format time zones, quarantine, and (one dbt build) unmatched evidence and
rejected rows as published.

Fixtures: tests/fixtures/insights/, written the way the tools write them: Jira's repeated
Labels columns and `07/Jan/26 2:00 PM` dates, `gh issue list --json ...` output, Linear's
export with its many columns, a register saved by a spreadsheet (empty cells, a date-only
logged_at, a status typed in capitals) and the same as .xlsx with date cells.
Times: Europe/Berlin, UTC+1 in January.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from learnloop.config import Config
from learnloop.paths import Home
from tests.conftest import FIXTURE_CONFIG, FIXTURES, query
from tests.format_build import Landing, SharedBuilds
from tests.harness import (
    configure,
    ingest,
    inspect_output,
    land,
    make_home,
    manifest,
    quarantine_reason,
    sha256,
    source_rows,
)

FOLDER = FIXTURES / "insights"
REGISTER_CSV = FOLDER / "insight_register.csv"
REGISTER_XLSX = FOLDER / "insight_register.xlsx"
JIRA = FOLDER / "jira_nlb_2026-01.csv"
GITHUB = FOLDER / "gh_issues.json"
LINEAR = FOLDER / "linear_export.csv"
E2E = FIXTURES / "end_to_end"

REGISTER_COLUMNS = (
    "row_id, insight_id, title, logged_at_raw, logged_at, category, evidence, status, "
    "action_ref, actioned_at, shipped_at, closed_loop_at, owner, notes, rejection_reason"
)
BACKLOG_COLUMNS = (
    "item_key, item_id, url, title, status, created_at_raw, created_at, resolved_at, "
    "canceled_at, labels"
)
STATUSES = "new, triaged, planned, in_progress, shipped, wont_do"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Config, Path, list]:
    config = configure(make_home(tmp_path_factory.mktemp("insights") / "home"), FIXTURE_CONFIG)
    for source in (REGISTER_CSV, REGISTER_XLSX, JIRA, GITHUB, LINEAR):
        land(config, source, source.name)
    context, _summary = ingest(config)
    return config, context.database_path, manifest(context)


def test_every_learning_source_is_recognised_and_loaded(loaded):
    _config, _database, rows = loaded
    assert rows == [
        (GITHUB.name, GITHUB.name, sha256(GITHUB), "github_issues", "loaded", 2),
        (REGISTER_CSV.name, REGISTER_CSV.name, sha256(REGISTER_CSV), "insight_register",
         "loaded", 6),
        (REGISTER_XLSX.name, REGISTER_XLSX.name, sha256(REGISTER_XLSX), "insight_register",
         "loaded", 2),
        (JIRA.name, JIRA.name, sha256(JIRA), "jira", "loaded", 3),
        (LINEAR.name, LINEAR.name, sha256(LINEAR), "linear", "loaded", 2),
    ]  # fmt: skip


def test_register_rows_load_and_bad_rows_carry_their_reason(loaded):
    _config, database, _rows = loaded
    table = "raw.insight_register__insights"
    youtube = "https://www.youtube.com/watch?v=dQw4w9WgXc1&lc=UgzT2bbbbbbbbbbbbbbbbbb4AaABAg"
    assert source_rows(database, table, REGISTER_COLUMNS, REGISTER_CSV.name) == [
        # A date without a time is 00:00 Berlin = 23:00 UTC the day before.
        ("1", "INS-1", "App crashes when pairing after update 2.4.0", "2026-01-07",
         utc(2026, 1, 6, 23), "problem", f"{youtube}&si=Qm1x; x:hs-msg-4", "shipped",
         "NLB-101", None, None, None, "Jonas", "Crash reports from YouTube and X", None),
        # 10:00 Berlin = 09:00 UTC.
        ("2", "INS-2", "Riders want a dark mode", "2026-01-19T10:00", utc(2026, 1, 19, 9),
         "idea", "https://youtu.be/dQw4w9WgXc1?lc=UgzT4dddddddddddddddddd4AaABAg", "planned",
         "https://nordlicht.atlassian.net/browse/NLB-102", None, None, None, "Mira", None,
         None),
        # `Shipped` is the status shipped; register dates are read like logged_at.
        ("3", "INS-3", "Deliveries arrive weeks late", "2026-01-08", utc(2026, 1, 7, 23),
         "complaint", "x:hs-msg-99", "shipped", None, utc(2026, 1, 7, 23),
         utc(2026, 1, 9, 11), None, "Jonas", "Evidence id mistyped", None),
        ("4", None, "Handlebar mount for Fjord", "2026-01-19", utc(2026, 1, 18, 23),
         "question", "instagram:hs-msg-9", "new", None, None, None, None, "Mira", None,
         "insight_id is empty"),
        ("5", "INS-5", "Battery shows 0 %", "next week", None, "problem", None, "new", None,
         None, None, None, "Mira", None,
         "logged_at next week is not an ISO date or timestamp"),
        ("6", "INS-6", "Pairing guide unclear", "2026-01-06", utc(2026, 1, 5, 23), "question",
         None, "done", None, None, None, None, "Jonas", None,
         f"status done is not one of {STATUSES}"),
    ]  # fmt: skip


def test_register_xlsx_date_cells_are_local_dates_and_times(loaded):
    _config, database, _rows = loaded
    table = "raw.insight_register__insights"
    assert source_rows(database, table, REGISTER_COLUMNS, REGISTER_XLSX.name) == [
        # A date cell is 00:00 Berlin; the date-time cell 09:30 Berlin = 08:30 UTC.
        ("1", "INS-10", "Riders want a bell sound setting", "2026-01-06", utc(2026, 1, 5, 23),
         "idea", "https://youtu.be/dQw4w9WgXc1?lc=UgzT1aaaaaaaaaaaaaaaaaa4AaABAg", "triaged",
         None, utc(2026, 1, 7, 8, 30), None, None, "Mira", None, None),
        ("2", "INS-11", None, "2026-01-08", utc(2026, 1, 7, 23), "question", None, "new", None,
         None, None, None, "Mira", "no title yet", "title is empty"),
    ]  # fmt: skip


def test_jira_dates_labels_and_keys(loaded):
    _config, database, _rows = loaded
    assert source_rows(database, "raw.jira__issues", BACKLOG_COLUMNS, JIRA.name) == [
        # 07/Jan/26 2:00 PM Berlin = 13:00 UTC; the three Labels columns joined.
        ("NLB-101", "10101", None, "App crashes on pairing after 2.4.0", "Done",
         "07/Jan/26 2:00 PM", utc(2026, 1, 7, 13), utc(2026, 1, 13, 15), None,
         "community, app, pairing"),
        ("NLB-102", "10102", None, "Dark mode for the app", "In Progress", "20/Jan/26 9:00 AM",
         utc(2026, 1, 20, 8), None, None, "community"),
        ("NLB-103", "10103", None, "Update onboarding copy", "To Do", "21/Jan/26 10:00 AM",
         utc(2026, 1, 21, 9), None, None, None),
    ]  # fmt: skip


def test_github_issues_key_by_repository_and_number(loaded):
    _config, database, _rows = loaded
    url = "https://github.com/nordlicht-bikes/app/issues/"
    assert source_rows(database, "raw.github_issues__issues", BACKLOG_COLUMNS, GITHUB.name) == [
        ("nordlicht-bikes/app#14", "14", f"{url}14", "Pairing fails after firmware update",
         "CLOSED", "2026-01-08T14:03:10Z", utc(2026, 1, 8, 14, 3, 10),
         utc(2026, 1, 16, 9, 12, 44), None, "community, bug"),
        ("nordlicht-bikes/app#15", "15", f"{url}15", "Dark mode", "OPEN",
         "2026-01-19T08:30:00Z", utc(2026, 1, 19, 8, 30), None, None, None),
    ]  # fmt: skip


def test_linear_completed_and_canceled(loaded):
    _config, database, _rows = loaded
    assert source_rows(database, "raw.linear__issues", BACKLOG_COLUMNS, LINEAR.name) == [
        ("APP-7", "APP-7", None, "Battery level shows 0 %", "Done", "2026-01-06T12:00:00.000Z",
         utc(2026, 1, 6, 12), utc(2026, 1, 12, 10), None, "Bug, Community"),
        ("APP-8", "APP-8", None, "Offline maps", "Canceled", "2026-01-07T08:00:00.000Z",
         utc(2026, 1, 7, 8), None, utc(2026, 1, 9, 8), "Idea"),
    ]  # fmt: skip


def test_linear_javascript_date_text_is_read(tmp_path: Path):
    config = configure(make_home(tmp_path / "home"), FIXTURE_CONFIG)
    js_dates = FOLDER / "linear_export_js_dates.csv"
    land(config, js_dates, js_dates.name)
    context, _summary = ingest(config)
    # `... GMT+0100 (Central European Standard Time)`: 09:00 at UTC+1 = 08:00 UTC.
    assert source_rows(
        context.database_path, "raw.linear__issues", "item_key, created_at, resolved_at",
        js_dates.name,
    ) == [("APP-9", utc(2026, 1, 6, 10, 15), utc(2026, 1, 14, 8))]  # fmt: skip


def test_jira_local_times_follow_the_per_format_time_zone(tmp_path: Path):
    config = configure(
        make_home(tmp_path / "home"), FIXTURE_CONFIG + '\n[timezones]\njira = "America/New_York"\n'
    )
    land(config, JIRA, JIRA.name)
    context, _summary = ingest(config)
    # 07/Jan/26 2:00 PM in New York (UTC-5) = 19:00 UTC.
    assert source_rows(context.database_path, "raw.jira__issues", "created_at", JIRA.name)[0] == (
        utc(2026, 1, 7, 19),
    )


def test_broken_github_json_is_quarantined_with_one_line(tmp_path: Path):
    config = configure(make_home(tmp_path / "home"), FIXTURE_CONFIG)
    # Cut off in the second issue, as an interrupted download would be.
    content = GITHUB.read_bytes()
    broken = content[: content.index(b'"state": "OPEN"')]
    land(config, broken, "gh_issues_cut.json")
    context, _summary = ingest(config)
    assert manifest(context)[0][3:5] == ("github_issues", "quarantined")
    reason = quarantine_reason(config, context, "gh_issues_cut.json")
    assert reason.startswith(
        "gh_issues_cut.json: looks like GitHub issues JSON (gh issue list), but "
    )


def test_inspect_counts_rejected_rows_and_names_the_first(home: Home):
    labels = FOLDER / "curated_labels.csv"
    assert inspect_output(home, REGISTER_CSV, REGISTER_XLSX, labels, JIRA).splitlines() == [
        f"{REGISTER_CSV}: insight_register (Insight register (CSV or .xlsx)), 6 rows, "
        "3 rejected (first: row 4, insight_id is empty)",
        f"{REGISTER_XLSX}: insight_register (Insight register (CSV or .xlsx)), 2 rows, "
        "1 rejected (first: row 2, title is empty)",
        f"{labels}: curated_labels (Curated labels CSV), 3 rows, 1 rejected (first: row 3, "
        "signal_category bug is not one of problem, complaint, idea, question, praise, none)",
        f"{JIRA}: jira (Jira issues CSV), 3 rows",
    ]


# --- dbt: what is published about rejected rows and unmatched evidence ----------------------


# What this module puts into the shared builds of the format tests (tests/format_build.py):
# the register with the exports its evidence points to.
SHARED_BUILD = Landing(
    {
        **{
            f"{E2E.name}/{f.name}": f
            for f in (E2E / "hootsuite_inbox_2026-01.csv", E2E / "commentThreads_winter_video.json")
        },
        REGISTER_CSV.name: REGISTER_CSV,
    }
)


@pytest.mark.slow
def test_unmatched_evidence_and_rejected_rows_are_published(format_builds: SharedBuilds):
    database = format_builds.of(__name__).database
    youtube = "https://www.youtube.com/watch?v=dQw4w9WgXc1&lc=UgzT2bbbbbbbbbbbbbbbbbb4AaABAg"
    assert query(
        database,
        "SELECT insight_id, origin, reference, platform, interaction_id, matched "
        "FROM analytics.insight_evidence ORDER BY insight_id, reference",
    ) == [
        (
            "INS-1", "register", f"{youtube}&si=Qm1x", "youtube",
            "UgzT2bbbbbbbbbbbbbbbbbb4AaABAg", True,
        ),
        ("INS-1", "register", "x:hs-msg-4", "x", "hs-msg-4", True),
        (
            "INS-2", "register", "https://youtu.be/dQw4w9WgXc1?lc=UgzT4dddddddddddddddddd4AaABAg",
            "youtube", "UgzT4dddddddddddddddddd4AaABAg", True,
        ),
        # No inbox message hs-msg-99: reported, otherwise ignored.
        ("INS-3", "register", "x:hs-msg-99", "x", "hs-msg-99", False),
    ]  # fmt: skip
    assert query(
        database,
        "SELECT insight_id, evidence_interactions, unmatched_evidence_references, platform "
        "FROM analytics.insights ORDER BY insight_id",
    ) == [("INS-1", 2, 0, "x"), ("INS-2", 1, 0, "youtube"), ("INS-3", 0, 1, None)]
    assert query(
        database,
        "SELECT source_format, source_file, source_row, reference, rejection_reason "
        "FROM analytics.learning_rejections ORDER BY source_row",
    ) == [
        ("insight_register", REGISTER_CSV.name, 4, None, "insight_id is empty"),
        ("insight_register", REGISTER_CSV.name, 5, "INS-5",
         "logged_at next week is not an ISO date or timestamp"),
        ("insight_register", REGISTER_CSV.name, 6, "INS-6",
         f"status done is not one of {STATUSES}"),
    ]  # fmt: skip
