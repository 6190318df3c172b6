"""Write-audit-publish (docs/contracts.md, "Home folder" and "BI"), on a real DuckDB warehouse.

The warehouse is built once per session by calling the pipeline's stages directly (no
Airflow, conftest.published_home); tests that publish again, roll back or fail a run work on
a copy of that home.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from learnloop import __version__
from learnloop import publish as publishing
from learnloop.build import RunContext
from learnloop.config import Config, load_config
from learnloop.errors import ConfigError, PublishError
from learnloop.paths import Home
from tests.conftest import FIXTURE_CONFIG, query
from tests.published_build import (
    KEEP_SNAPSHOTS,
    copy_home,
    land_fixtures,
    publishing_run,
    run_stopping_after_ingest,
)

PUBLISHED_TABLES = {
    "conversations",
    "followers_daily",
    "insight_evidence",
    "insights",
    "interactions",
    "kpi_weekly",
    "learning_rejections",
    "load_log",
    "posts",
    "publish_info",
    "rpt_open_loops_weekly",
    "rpt_quotes_weekly",
    "rpt_waiting_threads",
    "run_log",
    "signals",
    "topics_weekly",
}
BUILD_ONLY_SCHEMAS = {"raw", "ops", "staging", "intermediate", "reference"}


@pytest.fixture
def built(published_home: Home) -> Home:
    """A home after one published run; read-only for the tests that use it directly."""
    return published_home


@pytest.fixture
def home_copy(built: Home, tmp_path: Path) -> Home:
    """A private copy of the built home, for tests that publish, roll back or fail runs."""
    return copy_home(built, tmp_path / "home")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _snapshots(home: Home) -> list[Path]:
    return sorted(home.snapshots.glob("learnloop-*.duckdb"))


def _salt(home: Home) -> str:
    return load_config(home, environ={}).privacy.salt


# --- what BI tools see ----------------------------------------------------------------------


def test_published_file_holds_only_the_analytics_schema(built):
    published = built.published
    schemas = query(
        published,
        """SELECT schema_name FROM duckdb_schemas()
           WHERE database_name = current_database() AND NOT internal""",
    )
    assert {s for (s,) in schemas} == {"analytics"}
    tables = query(
        published,
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database()",
    )
    assert sorted(tables) == sorted(("analytics", t) for t in PUBLISHED_TABLES)
    views = query(
        published,
        "SELECT view_name FROM duckdb_views() WHERE database_name = current_database() AND NOT internal",
    )
    assert views == []
    every_schema = {s for (s,) in query(published, "SELECT schema_name FROM duckdb_schemas()")}
    assert not every_schema & BUILD_ONLY_SCHEMAS
    # Nothing named after the member salt: no table, no column, not even in the file's bytes.
    salty = query(
        published,
        """SELECT table_name, column_name FROM duckdb_columns()
           WHERE database_name = current_database()
             AND (table_name ILIKE '%salt%' OR column_name ILIKE '%salt%')""",
    )
    assert salty == []
    assert b"privacy_salt" not in published.read_bytes()


def test_every_published_table_and_column_has_a_comment(built):
    tables = query(
        built.published,
        "SELECT table_name, comment FROM duckdb_tables() WHERE database_name = current_database()",
    )
    assert {t for t, _ in tables} == PUBLISHED_TABLES
    assert [t for t, comment in tables if not (comment or "").strip()] == []
    columns = query(
        built.published,
        """SELECT table_name, column_name, comment FROM duckdb_columns()
           WHERE database_name = current_database() AND schema_name = 'analytics'""",
    )
    assert {t for t, _, _ in columns} == PUBLISHED_TABLES
    assert [(t, c) for t, c, comment in columns if not (comment or "").strip()] == []


def test_published_file_uses_a_storage_version_duckdb_1_1_reads(built):
    # The default `[publish] storage_version = "v1.1.0"`: DuckDB 1.0 and 1.1 share storage
    # format 64, which DuckDB tags as "v1.0.0+" (a default 2.0 file would say "v2.0.0+").
    tags = query(
        built.published,
        "SELECT tags FROM duckdb_databases() WHERE database_name = current_database()",
    )
    assert tags == [({"storage_version": "v1.0.0+"},)]
    header = built.published.read_bytes()[:20]
    assert header[8:12] == b"DUCK"
    assert int.from_bytes(header[12:20], "little") == 64  # the newest format 1.1 can read


def _config_with(home: Home, **publish_settings: object) -> Config:
    config = load_config(home, environ={})
    return config.model_copy(update={"publish": config.publish.model_copy(update=publish_settings)})


def _context_on_build_copy(home: Home, tmp_path: Path) -> RunContext:
    """A run context whose database is a copy of the promoted build database (dbt done)."""
    database = tmp_path / "run.duckdb"
    shutil.copy2(home.build_database, database)
    return RunContext("29990101T000000000000Z", str(tmp_path), str(database), "")


def test_publish_info_says_which_run_published_what_and_when(built):
    ((run_key, finished_at),) = query(
        built.published, "SELECT run_key, finished_at FROM analytics.run_log WHERE published"
    )
    ((info_key, published_at, newest, version, storage),) = query(
        built.published, "SELECT * FROM analytics.publish_info"
    )
    assert (info_key, version, storage) == (run_key, "0.1.0", "v1.1.0")
    assert version == __version__
    # The newest interaction of the fixtures: hs-msg-10, 2026-01-19 11:00 in Berlin (UTC+1),
    # later than the last YouTube reply at 09:30Z.
    assert newest == datetime(2026, 1, 19, 10, 0, tzinfo=UTC)
    # Written after the run logged its end and before the file was renamed into place.
    written = datetime.fromtimestamp(built.published.stat().st_mtime, UTC)
    assert finished_at <= published_at <= written


def test_configured_storage_version_is_the_one_written(built, home_copy, tmp_path):
    config = _config_with(home_copy, storage_version="v1.2.0")
    before = datetime.now(UTC)
    published = publishing.publish(_context_on_build_copy(home_copy, tmp_path), config)
    after = datetime.now(UTC)
    ((run_key, published_at, storage),) = query(
        published, "SELECT run_key, published_at, storage_version FROM analytics.publish_info"
    )
    assert (run_key, storage) == ("29990101T000000000000Z", "v1.2.0")
    assert before <= published_at <= after
    assert query(
        published, "SELECT tags FROM duckdb_databases() WHERE database_name = current_database()"
    ) == [({"storage_version": "v1.2.0+"},)]
    assert query(published, "SELECT count(*) FROM analytics.kpi_weekly") == query(
        built.published, "SELECT count(*) FROM analytics.kpi_weekly"
    )


def test_publish_that_fails_leaves_published_file_and_snapshots_alone(home_copy, tmp_path):
    config = _config_with(home_copy, storage_version="v9.9.9")  # unknown to DuckDB
    digest = _digest(home_copy.published)
    kept = {p.name: _digest(p) for p in _snapshots(home_copy)}
    with pytest.raises(Exception, match=r"v9\.9\.9"):
        publishing.publish(_context_on_build_copy(home_copy, tmp_path), config)
    assert _digest(home_copy.published) == digest
    assert {p.name: _digest(p) for p in _snapshots(home_copy)} == kept


def test_unknown_storage_version_is_rejected_before_any_work(home):
    home.config_file.write_text(
        FIXTURE_CONFIG + '\n[publish]\nstorage_version = "v9.9.9"\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"publish\.storage_version"):
        load_config(home, environ={})


def test_member_salt_never_reaches_published_bytes(built):
    salt = _salt(built).encode()
    assert len(salt) >= 16
    # The search would find it: the build database (never opened by BI) does hold the salt.
    assert salt in built.build_database.read_bytes()
    assert salt not in built.published.read_bytes()
    for snapshot in _snapshots(built):
        assert salt not in snapshot.read_bytes()


def test_publish_leaves_one_snapshot_and_no_working_files(built):
    (snapshot,) = _snapshots(built)
    assert _digest(snapshot) == _digest(built.published)
    run_key = snapshot.name.removeprefix("learnloop-").removesuffix(".duckdb")
    assert query(built.published, "SELECT run_key, status, published FROM analytics.run_log") == [
        (run_key, "published", True)
    ]
    assert not built.published.with_name(built.published.name + ".wal").exists()
    assert list(built.build.glob("publish-*")) == []
    runs = built.build / "runs"
    assert not runs.exists() or list(runs.iterdir()) == []
    # Processed files left landing/ for archive/<run>/.
    assert [p for p in built.landing.rglob("*") if p.is_file()] == []
    assert sorted(p.name for p in (built.archive / run_key).iterdir()) == sorted(
        ["commentThreads_winter_video.json", "hootsuite_inbox_2026-01.csv"]
    )


# --- snapshots and rollback -----------------------------------------------------------------


def test_snapshots_are_pruned_and_rollback_republishes_the_previous_one(home_copy):
    home = home_copy
    (first,) = _snapshots(home)

    # A second run with nothing new still publishes, as a second snapshot.
    publishing_run(home)
    kept = _snapshots(home)
    assert len(kept) == 2 and kept[0] == first
    assert _digest(home.published) == _digest(kept[-1])
    second = kept[-1]

    # A third publish: keep_snapshots = 2 prunes the oldest.
    publishing_run(home)
    kept = _snapshots(home)
    assert len(kept) == KEEP_SNAPSHOTS
    assert kept[0] == second and not first.exists()
    third = kept[-1]
    assert _digest(home.published) == _digest(third)
    assert query(home.published, "SELECT count(*) FROM analytics.run_log") == [(3,)]

    # Rollback: the published file becomes byte-identical to the previous snapshot.
    second_digest = _digest(second)
    assert publishing.rollback(load_config(home, environ={})) == second
    assert _digest(home.published) == second_digest
    assert _snapshots(home) == [second]
    assert query(home.published, "SELECT count(*) FROM analytics.run_log") == [(2,)]

    # Nothing earlier is left: a second rollback refuses and changes nothing.
    with pytest.raises(PublishError, match="no earlier snapshot"):
        publishing.rollback(load_config(home, environ={}))
    assert _digest(home.published) == second_digest
    assert _snapshots(home) == [second]


# --- a run that does not publish ------------------------------------------------------------


def _data_tables(database: Path) -> dict[str, list[tuple]]:
    """Every table of the build database except the run log, as sorted rows."""
    names = query(
        database,
        """SELECT schema_name, table_name FROM duckdb_tables()
           WHERE database_name = current_database()
             AND NOT (schema_name = 'ops' AND table_name = 'run_log')
           ORDER BY ALL""",
    )
    return {
        f"{schema}.{table}": sorted(
            query(database, f'SELECT * FROM "{schema}"."{table}"'), key=repr
        )
        for schema, table in names
    }


def test_failed_run_changes_no_data_and_logs_itself(home_copy):
    home = home_copy
    published_digest = _digest(home.published)
    snapshot_digests = {p.name: _digest(p) for p in _snapshots(home)}
    data_before = _data_tables(home.build_database)
    runs_before = query(home.build_database, "SELECT run_key FROM ops.run_log")
    landed = land_fixtures(home, prefix="again-")

    context = run_stopping_after_ingest(home)

    assert _digest(home.published) == published_digest
    assert {p.name: _digest(p) for p in _snapshots(home)} == snapshot_digests
    # The build database's data is as before; only the run log gained the failed run.
    assert _data_tables(home.build_database) == data_before
    rows = query(
        home.build_database,
        "SELECT run_key, status, published, message FROM ops.run_log ORDER BY started_at",
    )
    assert [r[0] for r in rows[:-1]] == [r for (r,) in runs_before]
    run_key, status, published, message = rows[-1]
    assert (run_key, status, published) == (context["run_key"], "failed", False)
    assert "stopped before publishing" in message
    assert not Path(context["run_dir"]).exists()
    assert all(path.exists() for path in landed)  # nothing lost: the files wait in landing/


def test_load_log_hides_direct_message_member_paths(home_copy, tmp_path):
    # Meta's DM folders name the other person: inbox/<name>_<id>/message_1.json.
    context = _context_on_build_copy(home_copy, tmp_path)
    with duckdb.connect(str(context.database_path)) as con:
        con.execute(
            """INSERT INTO ops.load_manifest VALUES
               ('r1', 'fb.zip!messages/inbox/lenamueller_123/message_1.json', 'fb.zip', 'c1',
                'meta_dyi_messages', 'loaded', 3, NULL, TIMESTAMPTZ '2029-01-01 00:00:00+00'),
               ('r1', 'dms/inbox/lenamueller_123/message_2.json', 'dms/inbox/lenamueller_123/message_2.json',
                'c2', 'meta_dyi_messages', 'quarantined', NULL,
                'dms/inbox/lenamueller_123/message_2.json: looks like ..., but broken',
                TIMESTAMPTZ '2029-01-01 00:00:01+00'),
               ('r1', 'inbox/hootsuite.csv', 'inbox/hootsuite.csv', 'c3', 'inbox_csv', 'loaded', 5,
                NULL, TIMESTAMPTZ '2029-01-01 00:00:02+00')"""
        )
    published = publishing.publish(context, load_config(home_copy, environ={}))
    rows = query(
        published,
        "SELECT file_name, status, message FROM analytics.load_log WHERE run_key = 'r1' "
        "ORDER BY recorded_at",
    )
    assert rows == [
        ("fb.zip", "loaded", None),
        ("message_2.json", "quarantined", "quarantined; see quarantine/"),
        ("inbox/hootsuite.csv", "loaded", None),
    ]
    leaked = query(
        published,
        "SELECT count(*) FROM analytics.load_log WHERE file_name LIKE '%lenamueller%' OR message LIKE '%lenamueller%'",
    )
    assert leaked == [(0,)]


def test_snapshots_never_published_are_removed_before_the_next_run(home_copy):
    # A publish killed between linking its snapshot and renaming over the published file
    # leaves a snapshot newer than the published one; a first publish killed there leaves
    # one while nothing is published.
    from learnloop.publish import discard_unpublished_snapshots

    home = home_copy
    (published_snapshot,) = sorted(home.snapshots.iterdir())
    published_snapshot.unlink()  # copytree copied the hard link as a file: link it again
    os.link(home.published, published_snapshot)
    orphan = home.snapshots / "learnloop-29991231T000000000000Z.duckdb"
    orphan.write_bytes(b"never published")
    assert discard_unpublished_snapshots(home) == [orphan]
    assert sorted(home.snapshots.iterdir()) == [published_snapshot]

    home.published.unlink()
    assert discard_unpublished_snapshots(home) == [published_snapshot]
    assert list(home.snapshots.iterdir()) == []
