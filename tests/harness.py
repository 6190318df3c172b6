"""Scaffolding shared by the ingest and per-format tests: homes, landed files, runs, dbt builds.

Plain functions, no fixtures: a test module builds its own fixtures from them. What a test
expects (rows, reasons, counts) stays in the test module; only the ceremony lives here.
"""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import pytest

from learnloop.build import RunContext, start_run
from learnloop.config import Config, load_config
from learnloop.db import connect
from learnloop.ingest.discover import discover
from learnloop.ingest.loader import IngestSummary, load_files
from learnloop.paths import Home
from learnloop.transform import build_models
from tests.conftest import FIXTURE_CONFIG, query, run_cli


def utc(*parts: int) -> datetime:
    """An aware UTC datetime from year, month, day[, hour, minute, second, microsecond]."""
    return datetime(*parts, tzinfo=UTC)


# --- homes --------------------------------------------------------------------------------


def make_home(root: Path, config_text: str = FIXTURE_CONFIG) -> Home:
    """A fresh LEARNLOOP_HOME at `root` whose learnloop.toml is `config_text`."""
    home = Home(root)
    home.ensure()
    home.config_file.write_text(config_text, encoding="utf-8")
    return home


def configure(home: Home, config_text: str) -> Config:
    """Replace the home's learnloop.toml with `config_text`; its Config, no environment."""
    home.config_file.write_text(config_text, encoding="utf-8")
    return load_config(home, environ={})


# --- landing and ingesting ----------------------------------------------------------------


def land(config: Config, source: Path | bytes, name: str) -> Path:
    """Drop a file into landing/ under any name (sub-folders allowed)."""
    target = config.home.landing / name
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(source, bytes):
        target.write_bytes(source)
    else:
        shutil.copyfile(source, target)
    return target


def ingest(config: Config) -> tuple[RunContext, IngestSummary]:
    """The DAG's discover + ingest tasks: a run of its own, everything in landing/."""
    context = start_run(config)
    # Files land whole in tests: no writer to wait for (the settle time is tested on its own).
    files = discover(config.home.landing, Path(context.run_dir) / "files", settle_seconds=0)
    with connect(context.database_path) as con:
        summary = load_files(con, files, config, context.run_key)
    return context, summary


def sha256(content: Path | bytes) -> str:
    """Hex SHA-256 of a file's or a byte string's content, as the manifest records it."""
    data = content.read_bytes() if isinstance(content, Path) else content
    return hashlib.sha256(data).hexdigest()


def build_zip(path: Path, members: dict[str, bytes]) -> Path:
    """A deflated zip at `path` holding `members` (name -> content); returns `path`."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for name, data in members.items():
            bundle.writestr(name, data)
    return path


def manifest(context: RunContext) -> list[tuple]:
    """The run's ops.load_manifest rows: file_name, origin, checksum, format, status, rows."""
    return query(
        context.database_path,
        "SELECT file_name, origin, checksum, format, status, rows FROM ops.load_manifest "
        "WHERE run_key = ? ORDER BY file_name",
        [context.run_key],
    )


LINEAGE = "_source_file, _source_checksum, _source_row, _run_key"


def source_rows(database: Path, table: str, columns: str, file_name: str) -> list[tuple]:
    """`columns` of a raw table for one source file, in file order."""
    return query(
        database,
        f"SELECT {columns} FROM {table} WHERE _source_file = ? ORDER BY _source_row",
        [file_name],
    )


def lineage(context: RunContext, table: str, file_name: str) -> list[tuple]:
    """A raw table's lineage columns for one source file, in file order."""
    return source_rows(context.database_path, table, LINEAGE, file_name)


def expected_lineage(context: RunContext, name: str, content: Path | bytes, rows: int) -> list:
    """The lineage of a file whose data rows 1..rows all load."""
    checksum = sha256(content)
    return [(name, checksum, row, context.run_key) for row in range(1, rows + 1)]


def quarantine_reason(config: Config, context: RunContext, name: str) -> str:
    """The one-line reason written next to the quarantined copy of landed `name`.

    Asserts that the reason file holds exactly one newline-terminated line; returns the line.
    """
    reason = config.home.quarantine / context.run_key / f"{name}.reason.txt"
    text = reason.read_text(encoding="utf-8")
    assert text.endswith("\n") and text.count("\n") == 1, text
    return text[:-1]


# --- dbt ----------------------------------------------------------------------------------


def dbt_build(database: Path, config: Config, work_dir: Path) -> None:
    """One dbt build over a run's database, leaving LEARNLOOP_BUILD_DB as it was before."""
    with pytest.MonkeyPatch.context() as mp:
        # run_dbt sets LEARNLOOP_BUILD_DB in os.environ; the context restores it afterwards.
        mp.setenv("LEARNLOOP_BUILD_DB", "")
        build_models(database, config, work_dir)


def build_run(config: Config, work_dir: Path, loaded: int | None = None) -> Path:
    """Ingest what is in the home's landing/ as a new run and build the models over it.

    With `loaded`, asserts that this many files loaded. Returns the run's database.
    """
    context, summary = ingest(config)
    if loaded is not None:
        assert summary.as_dict()["loaded"] == loaded
    dbt_build(context.database_path, config, work_dir)
    return context.database_path


def build_landed(
    root: Path,
    files: Mapping[str, Path | bytes],
    config_text: str = FIXTURE_CONFIG,
    loaded: int | None = None,
) -> Path:
    """A home under `root` with `files` (landed name -> content) built by one run.

    With `loaded`, asserts that this many files loaded. Returns the run's database.
    """
    config = configure(make_home(root / "home"), config_text)
    for name, source in files.items():
        land(config, source, name)
    return build_run(config, root / "build", loaded)


def by_name(*sources: Path) -> dict[str, Path]:
    """Files to land under their own names, for `build_landed`."""
    return {source.name: source for source in sources}


# --- the CLI ------------------------------------------------------------------------------


def inspect_output(home: Home, *paths: Path) -> str:
    """Stdout of `learnloop inspect <paths>`, which must succeed."""
    result = run_cli(home, "inspect", *(str(path) for path in paths))
    assert result.returncode == 0, result.stderr
    return result.stdout


# --- the shared build of every format (tests/format_build.py) ------------------------------


def threads_of(format_name: str) -> str:
    """SQL condition on analytics.conversations: the threads whose interactions come from
    `format_name` (conversations name no source; their interactions do)."""
    return (
        "thread_id IN (SELECT thread_id FROM analytics.interactions "
        f"WHERE source_format = '{format_name}')"
    )
