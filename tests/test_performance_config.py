"""[performance]: DuckDB's memory, thread and spill limits reach every connection LearnLoop opens."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from learnloop.config import load_config
from learnloop.db import connect, current_limits, use_limits
from learnloop.errors import ConfigError
from learnloop.paths import Home


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
