"""The `learnloop` command line as users run it: help, inspect, one-line errors, exit codes.

Every test runs the real command as a new `python -m learnloop.cli` process
(conftest.run_cli with `new_interpreter=True`, not forked from the pre-imported helper), so
the entry point itself is what these tests cover; none runs a DAG.
"""

from __future__ import annotations

import functools
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from learnloop.paths import Home
from tests import conftest
from tests.conftest import FIXTURE_CONFIG, FIXTURES

run_cli = functools.partial(conftest.run_cli, new_interpreter=True)

INBOX = FIXTURES / "inbox_csv"
YOUTUBE = FIXTURES / "youtube_api"
INBOX_FORMAT = "inbox_csv (Social inbox / listening CSV)"
YOUTUBE_FORMAT = "youtube_api (YouTube Data API commentThreads JSON)"


def stderr_lines(result) -> list[str]:
    return result.stderr.splitlines()


def databases(home: Home) -> list[Path]:
    return sorted(home.root.rglob("*.duckdb"))


# --- help ---------------------------------------------------------------------------------


def test_top_level_help_says_what_learnloop_is_for(home: Home):
    result = run_cli(home, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: learnloop")
    text = " ".join(result.stdout.split())
    assert "What did we learn from our community last week" in text
    assert "LEARNLOOP_HOME" in text
    for command in ("run", "demo", "inspect", "rollback"):
        assert command in text
    assert result.stderr == ""


COMMANDS = {
    "run": "Run the `learnloop` Airflow DAG once",
    "demo": "Copy sample_data/ into landing/",
    "inspect": "Recognise each file's export format by content and count its rows",
    "rollback": "snapshot published before",
}
HELP_CASES = [
    *[pytest.param(command, purpose, id=command) for command, purpose in COMMANDS.items()],
    pytest.param("report", "weekly learning report", id="report"),
]


@pytest.mark.parametrize(("command", "purpose"), HELP_CASES)
def test_every_subcommand_has_help_with_its_purpose(home: Home, command: str, purpose: str):
    result = run_cli(home, command, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: learnloop {command}")
    assert purpose in " ".join(result.stdout.split())
    # Help is read-only: no run, no database.
    assert databases(home) == []


def test_no_command_is_a_usage_error(home: Home):
    result = run_cli(home)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "usage: learnloop" in result.stderr


# --- inspect ------------------------------------------------------------------------------


def test_inspect_names_format_and_exact_row_count_of_good_files(home: Home):
    files = [
        INBOX / "sprout_inbox_2026-01.csv",
        INBOX / "brandwatch_mentions_2026-01.csv",
        INBOX / "hootsuite_inbox_semicolon.csv",
        YOUTUBE / "commentThreads_single.json",
        YOUTUBE / "commentThreads_pages.json",
        YOUTUBE / "commentThreads_threads.jsonl",
    ]
    result = run_cli(home, "inspect", *map(str, files))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"{files[0]}: {INBOX_FORMAT}, 3 rows",
        f"{files[1]}: {INBOX_FORMAT}, 3 rows",
        f"{files[2]}: {INBOX_FORMAT}, 3 rows",
        f"{files[3]}: {YOUTUBE_FORMAT}, 3 rows",
        f"{files[4]}: {YOUTUBE_FORMAT}, 3 rows",
        f"{files[5]}: {YOUTUBE_FORMAT}, 3 rows",
    ]
    assert databases(home) == []
    assert not home.published.exists()


def test_inspect_uses_the_configured_inbox_columns(home: Home):
    home.config_file.write_text(
        FIXTURE_CONFIG
        + '\n[inbox.columns]\nmessage_id = "Ticket Message #"\ncreated_at = "Received (UTC)"\n'
        + 'platform = "Origin"\ntext = "Body"\n',
        encoding="utf-8",
    )
    ticketdesk = INBOX / "ticketdesk_export.csv"
    result = run_cli(home, "inspect", str(ticketdesk))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{ticketdesk}: {INBOX_FORMAT}, 2 rows\n"


def test_inspect_lists_each_member_of_a_zip(home: Home, tmp_path: Path):
    bundle = tmp_path / "export.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.write(INBOX / "sprout_inbox_2026-01.csv", "inbox/sprout.csv")
        archive.write(YOUTUBE / "commentThreads_pages.json", "youtube/pages.json")
    result = run_cli(home, "inspect", str(bundle))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"{bundle}!inbox/sprout.csv: {INBOX_FORMAT}, 3 rows",
        f"{bundle}!youtube/pages.json: {YOUTUBE_FORMAT}, 3 rows",
    ]


BAD_FILES = {
    "truncated json": (
        YOUTUBE / "commentThreads_truncated.json",
        "looks like YouTube Data API commentThreads JSON (youtube_api), but Malformed JSON",
    ),
    "csv without text column": (
        INBOX / "inbox_missing_text.csv",
        "looks like Social inbox / listening CSV (inbox_csv), but the header lacks required "
        "columns: text (one of: message, content, text, full text, snippet)",
    ),
    "empty file": (INBOX / "empty.csv", "the file is empty"),
    "png": (INBOX / "screenshot_not_an_export.png", "matches no known export format"),
    "unknown tool without mapping": (
        INBOX / "ticketdesk_export.csv",
        "matches no known export format (it starts with 'Ticket #,",
    ),
}


@pytest.mark.parametrize(("path", "what"), BAD_FILES.values(), ids=BAD_FILES.keys())
def test_inspect_says_what_is_wrong_in_one_line_and_loads_nothing(
    home: Home, path: Path, what: str
):
    before = path.read_bytes()
    result = run_cli(home, "inspect", str(path))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout
    assert lines[0].startswith(f"{path}: ")
    assert what in lines[0]
    assert "Traceback" not in result.stderr
    # Loads nothing: no warehouse or build database, nothing moved or quarantined.
    assert databases(home) == []
    assert not home.published.exists()
    assert path.read_bytes() == before
    assert list(home.quarantine.iterdir()) == []


def test_inspect_reports_an_unsafe_zip_without_unpacking_it(home: Home, tmp_path: Path):
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as archive:
        archive.writestr("../evil.csv", (INBOX / "sprout_inbox_2026-01.csv").read_bytes())
    result = run_cli(home, "inspect", str(evil))
    assert result.returncode == 1
    assert result.stdout == (
        f"{evil}: cannot be read: zip member '../evil.csv' would be written outside the "
        "extraction folder\n"
    )
    assert not (tmp_path / "evil.csv").exists()
    assert databases(home) == []


def test_inspect_of_good_and_bad_files_fails_but_describes_all(home: Home, tmp_path: Path):
    good = INBOX / "sprout_inbox_2026-01.csv"
    empty = INBOX / "empty.csv"
    missing = tmp_path / "nowhere.csv"
    result = run_cli(home, "inspect", str(good), str(empty), str(missing))
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"{good}: {INBOX_FORMAT}, 3 rows",
        f"{empty}: the file is empty",
        f"{missing}: no such file",
    ]


def test_inspect_error_does_not_name_a_temporary_path(home: Home):
    result = run_cli(home, "inspect", str(YOUTUBE / "commentThreads_truncated.json"))
    assert "learnloop-inspect-" not in result.stdout


# --- configuration and rollback errors ----------------------------------------------------


@pytest.mark.parametrize("command", ["run", "inspect", "rollback"])
def test_invalid_config_stops_with_one_line_naming_the_key(home: Home, command: str):
    home.config_file.write_text('timezone = "Mars/Base"\n', encoding="utf-8")
    args = [command, str(INBOX / "sprout_inbox_2026-01.csv")] if command == "inspect" else []
    result = run_cli(home, *(args or [command]))
    assert result.returncode == 2
    assert stderr_lines(result) == [
        f"learnloop {command}: timezone: 'Mars/Base' is not an IANA time zone name "
        "(e.g. 'Europe/Berlin')"
    ]
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert databases(home) == []


def test_invalid_config_names_a_nested_key(home: Home):
    home.config_file.write_text(FIXTURE_CONFIG + "\n[publish]\nkeep = 3\n", encoding="utf-8")
    result = run_cli(home, "run")
    assert result.returncode == 2
    lines = stderr_lines(result)
    assert len(lines) == 1
    assert lines[0].startswith("learnloop run: publish.keep: unknown key")


# A library's exit work: it must still run when the entry point skips the teardown.
AT_EXIT_PROBE = """
import atexit, sys, threading, time
from learnloop import cli

main_returned = threading.Event()
command = cli.main
cli.main = lambda: [command(), main_returned.set()][0]

def still_running_when_main_returns():
    main_returned.wait()
    time.sleep(0.2)
    print("non-daemon thread joined")

atexit.register(print, "atexit handler ran")
threading.Thread(target=still_running_when_main_returns).start()
print("buffered output kept", end="")
sys.argv = ["learnloop", "rollback"]
cli.entry_point()
raise AssertionError("entry_point returned")
"""


def test_the_entry_point_exits_with_the_code_after_threads_atexit_and_flush(home: Home):
    """`entry_point` ends the process without the interpreter's teardown; what an exit owes
    the program still happens: non-daemon threads are joined before the atexit handlers run,
    and buffered output reaches the pipe."""
    result = subprocess.run(
        [sys.executable, "-c", AT_EXIT_PROBE],
        # Block-buffered output, as a scheduler's pipe has it, whatever the caller's setting.
        env={**conftest._clean_environment(home), "PYTHONUNBUFFERED": ""},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1, result.stderr  # rollback without snapshots: exit code 1
    assert result.stdout == "buffered output keptnon-daemon thread joined\natexit handler ran\n"
    assert stderr_lines(result) == [
        f"learnloop rollback: {home.snapshots}: no earlier snapshot to roll back to (0 kept)"
    ]


def test_rollback_without_snapshots_fails_with_one_line(home: Home):
    result = run_cli(home, "rollback")
    assert result.returncode == 1
    assert stderr_lines(result) == [
        f"learnloop rollback: {home.snapshots}: no earlier snapshot to roll back to (0 kept)"
    ]
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert not home.published.exists()
