"""Shared helpers: a LEARNLOOP_HOME per test, the real CLI in a subprocess, DuckDB queries."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from learnloop.airflow_runner import MIGRATED_MARKER
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


# Where the session's migrated Airflow metadata database is kept (set by the fixture below).
_AIRFLOW_TEMPLATE: dict[str, Path] = {}


@pytest.fixture(scope="session", autouse=True)
def _airflow_template_folder(tmp_path_factory: pytest.TempPathFactory) -> None:
    _AIRFLOW_TEMPLATE["home"] = tmp_path_factory.getbasetemp() / "airflow-template" / "home"


def _clean_environment(home: Home) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEARNLOOP_", "AIRFLOW"))}
    env["LEARNLOOP_HOME"] = str(home.root)
    return env


def _give_migrated_airflow(home: Home) -> None:
    """A home's first run migrates Airflow's SQLite database (`airflow db migrate` and the
    writer pool: two Airflow processes, ~10 s). Tests start dozens of homes, so the session
    migrates once, with the pipeline's own code, and copies the result into each new home.
    `learnloop demo` (the `demo_home` fixture, a user's first step) always migrates itself."""
    if (home.airflow_home / MIGRATED_MARKER).exists() or "home" not in _AIRFLOW_TEMPLATE:
        return
    template = Home(_AIRFLOW_TEMPLATE["home"])
    if not (template.airflow_home / MIGRATED_MARKER).exists():
        template.ensure()
        subprocess.run(
            [
                sys.executable,
                "-c",
                "from learnloop.airflow_runner import prepare_airflow\n"
                "from learnloop.config import load_config\n"
                "prepare_airflow(load_config())",
            ],
            env=_clean_environment(template),
            check=True,
            capture_output=True,
        )
    home.airflow_home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template.airflow_home / "airflow.db", home.airflow_home / "airflow.db")
    (home.airflow_home / MIGRATED_MARKER).touch()


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
    env = _clean_environment(home)
    if settle_seconds is not None:
        env["LEARNLOOP_LANDING_SETTLE_SECONDS"] = str(settle_seconds)
    if args and args[0] in {"run", "forget"}:
        _give_migrated_airflow(home)
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


# --- running on two cores (pytest-xdist, `make test`) -------------------------------------
# Each module runs whole on one worker, so its module-scoped builds happen once. Modules that
# share a session-scoped build run on the same worker for the same reason (the format tests
# all share `format_builds`).
SHARED_BUILDS = {
    "test_bi_dashboard": "demo_home",
    "test_ui_airflow": "demo_home",
    "test_report": "contract_warehouse",
    "test_report_browser": "contract_warehouse",
    "test_report_delivery": "contract_warehouse",
}
# The longest groups start first, so the two workers end at about the same time (measured
# with `pytest --durations=0`; the order changes no result).
LONGEST_FIRST = (
    "test_crashes",
    "test_incremental",
    "format_builds",
    "demo_home",
    "test_run_safety",
    "test_forget",
    "test_landing_attacks",
    "test_celery_executor",
    "test_end_to_end",
    "test_reruns",
    "test_publish",
)


def _xdist_group(item: pytest.Item) -> str:
    module = item.nodeid.split("::")[0].rsplit("/", 1)[-1].removesuffix(".py")
    if module.startswith("test_format_"):
        return "format_builds"
    return SHARED_BUILDS.get(module, module)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        group = _xdist_group(item)
        return LONGEST_FIRST.index(group) if group in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: the order within a module is kept
    for item in items:
        item.add_marker(pytest.mark.xdist_group(_xdist_group(item)))
