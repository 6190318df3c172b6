"""A BI tool that bundles DuckDB 1.1 reads the published warehouse (docs/contracts.md, Configuration:
`[publish] storage_version` defaults to one that DuckDB 1.1 and newer can read).

DuckDB 1.1 is installed from the package index into a throwaway virtualenv; the test skips only
when pip reports that it cannot reach the index.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from learnloop.paths import Home
from tests.conftest import query

pytestmark = pytest.mark.slow

KPI_SQL = (
    "SELECT week_start, platform, inbound_messages, response_rate "
    "FROM analytics.kpi_weekly ORDER BY 1, 2"
)
TABLES = ("conversations", "interactions", "kpi_weekly", "load_log", "publish_info", "run_log")
COUNT_SQL = (
    "SELECT * FROM ("
    + " UNION ALL ".join(f"SELECT '{t}' AS t, count(*) AS n FROM analytics.{t}" for t in TABLES)
    + ") ORDER BY t"
)

READER = textwrap.dedent(
    """
    import json, sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    print(json.dumps({
        "version": duckdb.__version__,
        "kpis": con.execute(sys.argv[2]).fetchall(),
        "counts": con.execute(sys.argv[3]).fetchall(),
    }, default=str))
    """
)

# What pip prints when the index (or the network) cannot be reached at all.
UNREACHABLE = re.compile(
    r"NewConnectionError|Failed to establish a new connection|Temporary failure in name "
    r"resolution|Name or service not known|Network is unreachable|Connection refused|"
    r"ConnectTimeout|Read timed out|ProxyError|Could not fetch URL|SSLError",
    re.IGNORECASE,
)


def _pip(venv_python: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    """The project's pip, working on the virtualenv of `venv_python` (`pip --python`): the
    throwaway virtualenv needs no pip of its own (ensurepip costs about 4 CPU-seconds)."""
    return subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv_python), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _skip_if_unreachable(result: subprocess.CompletedProcess[str], what: str) -> None:
    output = result.stdout + result.stderr
    if result.returncode != 0 and UNREACHABLE.search(output):
        lines = [line for line in output.splitlines() if line.strip()]
        pytest.skip(f"pip cannot reach the package index ({what}): {lines[-1] if lines else ''}")


@pytest.fixture(scope="module")
def old_duckdb_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtualenv's python with the newest DuckDB 1.1.x from the package index."""
    venv = tmp_path_factory.mktemp("duckdb11") / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=300
    )
    python = venv / "bin" / "python"
    # ~=1.1.0: the newest 1.1.x the index offers.
    install = _pip(python, "install", "--only-binary", ":all:", "--retries", "1", "duckdb~=1.1.0")
    _skip_if_unreachable(install, "pip install duckdb~=1.1.0")
    assert install.returncode == 0, install.stdout + install.stderr
    return python


@pytest.fixture
def built(published_home: Home) -> Home:
    return published_home  # read-only here


def test_duckdb_1_1_reads_the_published_warehouse(old_duckdb_python, built):
    result = subprocess.run(
        [str(old_duckdb_python), "-c", READER, str(built.published), KPI_SQL, COUNT_SQL],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    old = json.loads(result.stdout)
    assert old["version"].startswith("1.1"), old["version"]

    def as_json(rows: list[tuple]) -> list[list]:
        return json.loads(json.dumps(rows, default=str))

    current_kpis = as_json(query(built.published, KPI_SQL))
    assert current_kpis, "the published kpi_weekly is empty"
    assert old["kpis"] == current_kpis
    assert old["counts"] == as_json(query(built.published, COUNT_SQL))
