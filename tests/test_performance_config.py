"""[performance]: DuckDB's memory, thread and spill limits reach every connection LearnLoop opens."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from learnloop.config import load_config
from learnloop.db import connect, current_limits, use_limits
from learnloop.errors import ConfigError
from learnloop.paths import Home
from learnloop.transform import _log_options, failure_line


@pytest.fixture(autouse=True)
def restore_limits() -> Iterator[None]:
    """load_config applies the limits process-wide; later tests get the defaults back."""
    before = current_limits()
    yield
    use_limits(before)


def _settings(tmp_path: Path) -> tuple:
    with connect(tmp_path / "probe.duckdb") as con:
        return con.execute(
            "SELECT current_setting('memory_limit'), current_setting('threads'), "
            "current_setting('temp_directory')"
        ).fetchone()


def test_configured_limits_apply_to_connections(tmp_path: Path, home: Home):
    home.config_file.write_text(
        '[performance]\nmemory_limit = "1GB"\nthreads = 1\n', encoding="utf-8"
    )
    config = load_config(home, environ={})

    assert (config.performance.memory_limit, config.performance.threads) == ("1GB", 1)
    # DuckDB shows 1 GB (10^9 bytes) in binary units: 10^9 / 2^20 = 953.67 MiB.
    # No temp_directory configured: DuckDB's own default, next to the database file.
    assert _settings(tmp_path) == ("953.6 MiB", 1, str(tmp_path / "probe.duckdb.tmp"))


def test_environment_overrides_the_file(tmp_path: Path, home: Home):
    load_config(
        home,
        environ={
            "LEARNLOOP_PERFORMANCE_THREADS": "1",
            "LEARNLOOP_PERFORMANCE_TEMP_DIRECTORY": str(tmp_path / "spill"),
        },
    )

    assert _settings(tmp_path)[1:] == (1, str(tmp_path / "spill"))


def test_a_bad_memory_limit_is_one_line_naming_the_key(home: Home):
    home.config_file.write_text('[performance]\nmemory_limit = "lots"\n', encoding="utf-8")

    with pytest.raises(ConfigError) as raised:
        load_config(home, environ={})

    assert str(raised.value) == (
        "performance.memory_limit: expected a size like '2GB' or a share like '80%', got 'lots'"
    )


def _out_of_memory_message() -> str:
    """DuckDB's own message when a query outgrows the limit (a list of 30M numbers in 64MB)."""
    con = duckdb.connect()
    con.execute("SET memory_limit = '64MB'; SET threads = 1")
    with pytest.raises(duckdb.OutOfMemoryException) as raised:
        con.execute("SELECT list(range) FROM range(30000000)").fetchall()
    return str(raised.value)


def test_a_dbt_failure_that_ran_out_of_memory_names_the_setting_to_raise():
    failed = [
        ("int_interactions__thread_roots", "error", f"Runtime Error\n  {_out_of_memory_message()}"),
        ("int_interactions__signals", "error", "Runtime Error"),
    ]
    assert failure_line("build", failed, "256MB") == (
        "dbt build failed: int_interactions__thread_roots (error), int_interactions__signals (error); "
        "DuckDB ran out of memory within [performance] memory_limit = '256MB': raise it in "
        "learnloop.toml"
    )


def test_any_other_dbt_failure_names_only_the_nodes():
    failed = [("kpi_weekly", "fail", "Got 2 results, configured to fail if != 0")]
    assert failure_line("test", failed, "256MB") == "dbt test failed: kpi_weekly (fail)"
    assert failure_line("build", [], "80%") == "dbt build failed: see its errors in the run's log"


def test_dbt_writes_no_log_file_unless_its_own_variables_ask_for_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv("DBT_LOG_PATH", raising=False)
    monkeypatch.delenv("DBT_LOG_LEVEL_FILE", raising=False)
    logs = str(tmp_path / "logs")
    assert _log_options(tmp_path) == ["--log-path", logs, "--log-level-file", "none"]
    # A user debugging a build: dbt reads both variables itself; they outlive the run folder.
    monkeypatch.setenv("DBT_LOG_LEVEL_FILE", "debug")
    assert _log_options(tmp_path) == ["--log-path", logs]
    monkeypatch.setenv("DBT_LOG_PATH", "/var/tmp/dbt-logs")
    assert _log_options(tmp_path) == []
