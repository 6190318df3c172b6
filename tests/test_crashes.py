"""SIGKILL inside every stage: the published file stays byte-identical, no landed file is
lost, and the next run publishes what an uninterrupted run publishes.

Kills inside discover, ingest, the raw gate, dbt and publish come from tests/crash_child.py
(the real stages in a process that kills itself at a chosen real function; the five are
forked from run_cli's helper, which imported the stages' libraries once); the mart gate is
killed from outside, in one real `learnloop run` through the Airflow DAG (forked from the
same helper, in a process group of its own); one uninterrupted `learnloop run` follows (the
test's two DAG runs). The home starts as a copy of the session's
published home (`published_home`: the end-to-end fixtures published by the stages); the
reference is a copy of it, taken before the kills, that runs once without interruption.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
from pathlib import Path

import pytest

from learnloop.paths import Home
from tests import harness, published_build
from tests.conftest import FIXTURES, query, run_cli, start_cli
from tests.crash_child import IN_SUBPROCESS, killed_run

pytestmark = pytest.mark.slow


def _land_second_batch(home: Home) -> list[str]:
    """A zip of two exports, a loose export and a broken file: the files the kills hit."""
    harness.build_zip(
        home.landing / "exports-2026-01.zip",
        {
            "sprout_inbox_2026-01.csv": (
                FIXTURES / "inbox_csv/sprout_inbox_2026-01.csv"
            ).read_bytes(),
            "commentThreads_single.json": (
                FIXTURES / "youtube_api/commentThreads_single.json"
            ).read_bytes(),
        },
    )
    shutil.copy2(FIXTURES / "x_api/search_recent_nordlicht.json", home.landing)
    shutil.copy2(FIXTURES / "youtube_api/commentThreads_truncated.json", home.landing)
    return sorted(p.name for p in home.landing.iterdir())


# What a run's folder holds: data only (the landed files' copies, dbt's work folder; the run
# writes into the build database itself, and only a forget run keeps a copy of it here). The
# stages pass each other their results as return values, so no landed.json, ingest.json,
# gates.json, failure.json or `published` marker is ever there.
RUN_DATA = {"files", "dbt"}


def _run_folder(home: Home) -> set[str]:
    """The names in the one run folder that a killed run left."""
    (folder,) = (home.build / "runs").iterdir()
    return {p.name for p in folder.iterdir()}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _kept_somewhere(home: Home, name: str) -> bool:
    return (
        (home.landing / name).exists()
        or any(home.archive.glob(f"*/{name}"))
        or any(home.quarantine.glob(f"*/{name}"))
    )


def _published(home: Home) -> tuple[list[tuple], list[tuple]]:
    """kpi_weekly and interactions as BI reads them."""
    return (
        query(home.published, "SELECT * FROM analytics.kpi_weekly ORDER BY ALL"),
        query(home.published, "SELECT * FROM analytics.interactions ORDER BY ALL"),
    )


def _kill_learnloop_run_after(home: Home, progress_line: str) -> int:
    """Start `learnloop run` (the real DAG) and SIGKILL its process group once it prints
    `progress_line`, i.e. while the next stage works. The home gets the session's migrated
    Airflow database first, as `run_cli` gives it."""
    process = start_cli(home, "run")
    assert process.stdout is not None
    for line in process.stdout:
        if progress_line in line:
            os.killpg(process.pid, signal.SIGKILL)
            break
    process.communicate(timeout=300)
    return process.returncode


def _assert_nothing_lost(home: Home, landed: list[str], published: str, point: str) -> None:
    """After a run killed at `point`: the published file unchanged, every landed file kept,
    the run's folder holding data only."""
    assert _sha256(home.published) == published, point
    assert [n for n in landed if not _kept_somewhere(home, n)] == [], point
    assert _run_folder(home) <= RUN_DATA, point


def test_sigkill_in_every_stage_loses_nothing_and_the_next_run_matches(
    published_home: Home, tmp_path: Path
):
    # The first batch, published (the published file is its snapshot: one file, two names).
    home = published_build.copy_home(published_home, tmp_path / "home")
    assert list(home.landing.iterdir()) == []  # a published run archives what it processed
    landed = _land_second_batch(home)
    before = _sha256(home.published)
    first_snapshots = sorted(home.snapshots.iterdir())
    # The same home (salt included, so member_keys compare) run once without a kill.
    reference = published_build.copy_home(home, tmp_path / "reference")
    published_build.publishing_run(reference)

    for point in IN_SUBPROCESS:
        killed = killed_run(home, point)
        assert killed.returncode == -signal.SIGKILL, (point, killed.stderr[-3000:])
        _assert_nothing_lost(home, landed, before, point)

    # The real DAG, killed from outside in the mart gate (right after dbt's progress line).
    assert _kill_learnloop_run_after(home, "dbt build") == -signal.SIGKILL
    assert _sha256(home.published) == before
    assert [n for n in landed if not _kept_somewhere(home, n)] == []
    # Killed in the mart gate, after every stage before it kept its results: the folder
    # holds the run's data and nothing else.
    assert _run_folder(home) == RUN_DATA

    finished = run_cli(home, "run")
    assert finished.returncode == 0, finished.stderr

    assert _published(home) == _published(reference)
    # Every landed file is archived or quarantined now, nothing waits in landing/.
    assert list(home.landing.iterdir()) == []
    assert [n for n in landed if not _kept_somewhere(home, n)] == []
    # The next run removed what the killed runs left: their folders, the half-written
    # publish file and the snapshot linked but never published.
    assert list((home.build / "runs").iterdir()) == []
    assert sorted(p.name for p in home.build.iterdir()) == ["learnloop_build.duckdb", "runs"]
    # ... and logged each killed run (5 in the subprocess, 1 through the DAG) as failed.
    assert query(
        home.published,
        """SELECT count(*) FROM analytics.run_log WHERE NOT published
           AND message = 'the run was interrupted before it finished (killed, or its teardown failed)'""",
    ) == [(len(IN_SUBPROCESS) + 1,)]
    kept = sorted(home.snapshots.iterdir())
    assert kept[:-1] == first_snapshots and kept[-1].samefile(home.published)
