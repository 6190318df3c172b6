"""Shared helpers: a LEARNLOOP_HOME per test, the real CLI in a subprocess, DuckDB queries."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from learnloop.config import Config, load_config
from learnloop.paths import Home

FIXTURES = Path(__file__).parent / "fixtures"

# The brand of the fixtures: Nordlicht Bikes. Reporting zone Berlin, so week boundaries
# differ from UTC.
FIXTURE_CONFIG = """\
timezone = "Europe/Berlin"

[brand]
youtube = ["UCnordlichtBikesDemo0001"]
"""


@pytest.fixture
def home(tmp_path: Path) -> Home:
    home = Home(tmp_path / "home")
    home.ensure()
    home.config_file.write_text(FIXTURE_CONFIG, encoding="utf-8")
    return home


@pytest.fixture
def config(home: Home) -> Config:
    return load_config(home, environ={})


def demo_home_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where `demo_home` lives, known before it is built (a fixture can start work on the
    paths it will publish while the demo runs)."""
    return tmp_path_factory.getbasetemp() / "demo" / "home"


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Home:
    """`learnloop demo` once per session: sample_data/ through the real Airflow DAG (about
    20 s), so its published warehouse, report and Airflow metadata are shared. Tests that
    change the home must leave it published; the last run stays successful."""
    home = Home(demo_home_root(tmp_path_factory))
    result = run_cli(home, "demo")
    assert result.returncode == 0, result.stdout + result.stderr
    return home


@pytest.fixture(scope="session")
def format_builds(tmp_path_factory: pytest.TempPathFactory):
    """The format tests' shared builds (tests/format_build.py): every format's fixtures in a
    few homes, each loaded and built once per session."""
    from tests.format_build import SharedBuilds

    return SharedBuilds(tmp_path_factory.mktemp("format_builds"))


def run_cli(
    home: Home, *args: str, timeout: int = 600, settle_seconds: int | None = 0
) -> subprocess.CompletedProcess[str]:
    """The real `learnloop` command in its own process, as a user or a scheduler runs it.

    Tests land files whole before they run, so nothing needs to settle; `settle_seconds=None`
    leaves the setting to the home's learnloop.toml."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEARNLOOP_", "AIRFLOW"))}
    env["LEARNLOOP_HOME"] = str(home.root)
    if settle_seconds is not None:
        env["LEARNLOOP_LANDING_SETTLE_SECONDS"] = str(settle_seconds)
    return subprocess.run(
        [sys.executable, "-m", "learnloop.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def query(database: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def dm_pseudonym(salt: str, platform: str, raw_id: str) -> str:
    """How marts/interactions publishes a direct message's or DM conversation's id."""
    return hashlib.sha256(f"{salt}{platform}:dm:{raw_id}".encode()).hexdigest()[:16]


def restore_dm_ids(
    database: Path, rows: list[tuple], positions: set[int], platform: str | None = None
) -> list[tuple]:
    """Published DM ids mapped back to the export's ids, so expectations stay readable.

    Only a value that is exactly the salted pseudonym of a known raw id is restored, so a test
    also asserts the pseudonymisation; pair it with a check that the published values are not
    the raw ids. The platform is `platform`, or else column 0 of each row.
    """
    (salt,) = query(database, "SELECT salt FROM ops.privacy_salt")[0]
    raw_ids = query(
        database,
        """SELECT platform, interaction_id FROM intermediate.int_interactions__latest
           UNION SELECT platform, thread_id FROM intermediate.int_interactions__thread_roots""",
    )
    published = {(p, dm_pseudonym(salt, p, i)): i for p, i in raw_ids}
    return [
        tuple(
            published.get((platform or row[0], value), value) if index in positions else value
            for index, value in enumerate(row)
        )
        for row in rows
    ]
