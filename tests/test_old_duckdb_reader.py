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
    return subprocess.run(
        [str(venv_python), "-m", "pip", *args],
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
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"

    index = _pip(python, "index", "versions", "duckdb", "--retries", "1", "--timeout", "30")
    _skip_if_unreachable(index, "pip index versions duckdb")
    assert index.returncode == 0, index.stdout + index.stderr
    available = re.search(r"Available versions: (.*)", index.stdout)
    assert available, index.stdout
    versions = [v.strip() for v in available.group(1).split(",")]
    old = sorted(
        (v for v in versions if re.fullmatch(r"1\.1\.\d+", v)),
        key=lambda v: int(v.rsplit(".", 1)[1]),
    )
    assert old, f"the index offers no DuckDB 1.1.x: {versions}"

    install = _pip(
        python, "install", "--only-binary", ":all:", "--retries", "1", f"duckdb=={old[-1]}"
    )
    _skip_if_unreachable(install, f"pip install duckdb=={old[-1]}")
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
