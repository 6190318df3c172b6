"""Write-audit-publish: the published warehouse is replaced atomically, never written in place.

Publishing writes a new file with only the `analytics` schema, in the configured storage
version (so BI tools that bundle an older DuckDB can read it), with every relation and
column commented, checkpointed; then renames it over `warehouse/learnloop.duckdb`. A BI
session that has the old file open keeps reading the old, consistent file.

The new file is written in one of two ways. After an incremental build it is a byte copy of
the file the last run published, changed where the build changed things: the big relations
lose the rows of the threads or weeks the build rewrote and get them again from the build
(`PUBLISHED_BY_CHANGES`), the small ones are replaced whole. Otherwise (the first publish,
a full build, an erasure, a rollback since, another storage or LearnLoop version, other
columns) it is written afresh, which also leaves no deleted rows behind in the file.
"""

from __future__ import annotations

import logging
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from learnloop import __version__
from learnloop.build import RunContext
from learnloop.config import Config
from learnloop.db import connect, sql_identifier, sql_literal
from learnloop.errors import PublishError
from learnloop.ingest.formats import FORMATS
from learnloop.paths import Home

log = logging.getLogger(__name__)

SCHEMA = "analytics"
ROLLED_BACK_SUFFIX = ".rolled-back"


def _load_log_query() -> str:
    """The manifest as BI sees it. A direct-message archive's member paths (and the reasons
    that quote them) name the other person (Meta's inbox/<name>_<id>/ folders), so for those
    formats only the landed archive, or the bare file name, is published."""
    private = ", ".join(sql_literal(f.name) for f in FORMATS if f.private_messages) or "''"
    # A zip member's `origin` is its archive (a name may hold `!`: never split on it).
    shown_name = (
        f"CASE WHEN format IN ({private}) THEN CASE WHEN contains(file_name, '!') "
        "AND starts_with(file_name, origin || '!') THEN origin "
        "ELSE regexp_extract(file_name, '[^/]+$') END ELSE file_name END"
    )
    shown_message = f"CASE WHEN format IN ({private}) AND message IS NOT NULL THEN 'quarantined; see quarantine/' ELSE message END"
    return (
        f"SELECT {shown_name} AS file_name, checksum, format, status, rows, "
        f"{shown_message} AS message, run_key, recorded_at "
        "FROM ops.load_manifest ORDER BY recorded_at, file_name"
    )


# Bookkeeping relations that come from Python rather than dbt, with their BI descriptions
# (publish_info too, below: its row is made at publish time).
BOOKKEEPING = {
    "load_log": (
        _load_log_query(),
        "One row per landed file and run: name, SHA-256 checksum, detected format, status "
        "(loaded, duplicate, quarantined), rows loaded and the error message.",
        {
            "file_name": "Path under landing/ (zip members as archive.zip!member); for "
            "direct-message archives only the archive or the bare file name.",
            "checksum": "SHA-256 of the file's content; the same content loads only once.",
            "format": "Detected export format, as `learnloop inspect` names it.",
            "status": "loaded, duplicate (same content loaded before) or quarantined.",
            "rows": "Rows loaded into the raw table.",
            "message": "Why the file was quarantined or skipped.",
            "run_key": "The run that processed the file.",
            "recorded_at": "When the run processed the file (UTC).",
        },
    ),
    "run_log": (
        "SELECT * FROM ops.run_log ORDER BY started_at",
        "One row per pipeline run: when, whether it published, the quality gates' results "
        "and how fresh the newest data is.",
        {
            "run_key": "Identifier of the run (UTC start time).",
            "started_at": "When the run started (UTC).",
            "finished_at": "When the run finished (UTC).",
            "status": "published, gate_failed or failed.",
            "published": "True when this run replaced the published warehouse.",
            "files_loaded": "Landed files loaded by the run.",
            "files_duplicate": "Landed files skipped because their content was loaded before.",
            "files_quarantined": "Landed files moved to quarantine/.",
            "rows_loaded": "Raw rows loaded by the run.",
            "interactions": "Interactions in the warehouse after the run.",
            "newest_interaction_at": "created_at of the newest interaction (freshness).",
            "freshness_hours": "Hours between the newest interaction and the run's end.",
            "gate_results": "JSON list of every expectation's outcome in the raw and mart gates.",
            "message": "Why the run did not publish, when it did not; for a published run, "
            "what went wrong afterwards (files that could not be archived, a failed report).",
            "failed_stage": "Stage where the run stopped (discover, ingest, gate raw_batch, dbt "
            "build, gate marts, publish, report); NULL when every stage succeeded.",
        },
    ),
}


# What a dashboard shows as "data as of": one row about the file itself.
PUBLISH_INFO_COMMENT = (
    "One row about this published file: the run that wrote it, when it was published, the "
    "newest interaction it holds and which LearnLoop and DuckDB storage version wrote it. "
    "Dashboards show it as their freshness."
)
PUBLISH_INFO_COLUMNS = {
    "run_key": "Identifier of the run that published this file (its UTC start time); "
    "run_log has its details.",
    "published_at": "When this file was written and published (UTC).",
    "newest_interaction_at": "created_at of the newest interaction in this file (UTC): how "
    "current the data is, whatever the publish time.",
    "learnloop_version": "Version of LearnLoop that wrote the file.",
    "storage_version": "DuckDB storage version of the file ([publish] storage_version): DuckDB "
    "clients of this version or newer can open it.",
}


def _publish_info_query(run_key: str, published_at: datetime, storage_version: str) -> str:
    return (
        f"SELECT {sql_literal(run_key)} AS run_key, "
        f"TIMESTAMPTZ {sql_literal(published_at.isoformat())} AS published_at, "
        f"(SELECT max(created_at) FROM {SCHEMA}.interactions) AS newest_interaction_at, "
        f"{sql_literal(__version__)} AS learnloop_version, "
        f"{sql_literal(storage_version)} AS storage_version"
    )


# The big relations, published by what the build changed: a copy of the last published file
# loses the rows of these keys and gets them from the build; every other relation is small and
# copied whole. dbt lists the keys a build rewrote (every one after a full build).
CHANGED_THREADS = ("intermediate.int_conversations__changed", ("platform", "thread_id"))
CHANGED_WEEKS = ("intermediate.int_weeks__changed", ("week_start",))
PUBLISHED_BY_CHANGES = {
    "interactions": CHANGED_THREADS,
    "signals": CHANGED_THREADS,
    "conversations": CHANGED_THREADS,
    "rpt_waiting_threads": CHANGED_WEEKS,
}
# A build that rewrote more than this share of the conversations (a full build: all of them)
# is published afresh: copying and then replacing most rows costs more than writing them.
MAX_CHANGED_SHARE = 0.5

Relations = dict[str, tuple[str, str, dict[str, str]]]  # name: (query, comment, columns)


def publish(context: RunContext, config: Config, *, afresh: bool = False) -> Path:
    """Build the new published file from the run's database and swap it in atomically;
    `afresh` (an erasure) never starts from a copy of the last one."""
    home = config.home
    staged = home.build / f"publish-{context.run_key}.duckdb"
    staged.unlink(missing_ok=True)
    snapshot = home.snapshots / f"learnloop-{context.run_key}.duckdb"
    try:
        with connect(context.database_path) as con:
            storage_version = config.publish.storage_version
            publish_info = (
                _publish_info_query(context.run_key, datetime.now(UTC), storage_version),
                PUBLISH_INFO_COMMENT,
                PUBLISH_INFO_COLUMNS,
            )
            relations = {**BOOKKEEPING, "publish_info": publish_info}
            changed = not afresh and _write_changes(
                con, home.published, staged, context.run_key, storage_version, relations
            )
            if not changed:
                _write_published_file(con, staged, storage_version, relations)
        fsync(staged)
        home.snapshots.mkdir(parents=True, exist_ok=True)
        os.link(staged, snapshot)  # the snapshot shares the bytes of the file we publish
        staged.replace(home.published)
    except Exception:  # e.g. a full disk: a half-written file must not keep it full
        staged.unlink(missing_ok=True)
        snapshot.unlink(missing_ok=True)
        raise
    fsync(home.warehouse)
    prune_snapshots(home.snapshots, config.publish.keep_snapshots)
    how = "the last published file, changed" if changed else "written afresh"
    log.info("published %s (%s; snapshot %s)", home.published, how, snapshot.name)
    return home.published


def _write_changes(
    con: duckdb.DuckDBPyConnection,
    published: Path,
    target: Path,
    run_key: str,
    storage_version: str,
    bookkeeping: Relations,
) -> bool:
    """Write `target` as a copy of the published file changed where the build changed;
    False (and no `target`) when the published file is not what the build started from."""
    if not published.exists() or _changed_share(con) > MAX_CHANGED_SHARE:
        return False
    shutil.copyfile(published, target)
    con.execute(f"ATTACH {sql_literal(str(target))} AS published")
    try:
        written = _starts_from(con, _last_published_run(con, run_key), storage_version)
        if written:
            _replace_changes(con, bookkeeping)
            written = _same_counts(con)
        if written:
            con.execute("CHECKPOINT published")
    finally:
        con.execute("DETACH published")
    if not written:
        target.unlink()
    return written


def _changed_share(con: duckdb.DuckDBPyConnection) -> float:
    relation = CHANGED_THREADS[0]
    if not _exists(con, current_database_of(con), *relation.split(".")):
        return 1.0
    changed, total = con.execute(
        f"SELECT (SELECT count(*) FROM {relation}), (SELECT count(*) FROM {SCHEMA}.conversations)"
    ).fetchone() or (0, 0)
    return changed / total if total else 1.0


def _last_published_run(con: duckdb.DuckDBPyConnection, run_key: str) -> str | None:
    row = con.execute(
        """SELECT run_key FROM ops.run_log WHERE published AND run_key <> ?
           ORDER BY finished_at DESC LIMIT 1""",
        [run_key],
    ).fetchone()
    return row[0] if row else None


def _starts_from(
    con: duckdb.DuckDBPyConnection, previous_run: str | None, storage_version: str
) -> bool:
    """Whether the attached copy is what the last publishing run wrote, in this storage and
    LearnLoop version, with the build's relations and columns."""
    if previous_run is None or not _exists(con, "published", SCHEMA, "publish_info"):
        return False
    info = con.execute(
        f"SELECT run_key, learnloop_version, storage_version FROM published.{SCHEMA}.publish_info"
    ).fetchall()
    if info != [(previous_run, __version__, storage_version)]:
        return False
    columns = """SELECT table_name, column_index, column_name, data_type FROM duckdb_columns()
                 WHERE database_name = ? AND schema_name = ? AND table_name IN ?
                 ORDER BY ALL"""
    names = [table for table, _ in _dbt_relations(con)]
    return (
        bool(names)
        and con.execute(columns, [current_database_of(con), SCHEMA, names]).fetchall()
        == con.execute(columns, ["published", SCHEMA, names]).fetchall()
    )


def _replace_changes(con: duckdb.DuckDBPyConnection, bookkeeping: Relations) -> None:
    for table, comment in _dbt_relations(con):
        name = sql_identifier(table)
        target = f"published.{SCHEMA}.{name}"
        if table in PUBLISHED_BY_CHANGES:
            relation, keys = PUBLISHED_BY_CHANGES[table]
            changed = f"({', '.join(keys)}) IN (SELECT {', '.join(keys)} FROM {relation})"
            con.execute(f"DELETE FROM {target} WHERE {changed}")
            con.execute(
                f"INSERT INTO {target} BY NAME SELECT * FROM {SCHEMA}.{name} WHERE {changed}"
            )
            continue
        con.execute(f"DROP TABLE {target}")
        con.execute(f"CREATE TABLE {target} AS SELECT * FROM {SCHEMA}.{name}")
        _comment_table(con, table, comment, _dbt_column_comments(con, table))
    for table, (query, comment, column_comments) in bookkeeping.items():
        con.execute(f"DROP TABLE IF EXISTS published.{SCHEMA}.{table}")
        con.execute(f"CREATE TABLE published.{SCHEMA}.{table} AS {query}")
        _comment_table(con, table, comment, column_comments)


def _same_counts(con: duckdb.DuckDBPyConnection) -> bool:
    """The changed relations hold as many rows as the build's: a safety net, since the copy is
    right only if the build changed nothing outside the keys it lists."""
    for table in PUBLISHED_BY_CHANGES:
        name = sql_identifier(table)
        built, published = con.execute(
            f"SELECT (SELECT count(*) FROM {SCHEMA}.{name}), "
            f"(SELECT count(*) FROM published.{SCHEMA}.{name})"
        ).fetchone() or (None, None)
        if built != published:
            log.warning(
                "publish: %s has %s rows in the build and %s in the changed copy; writing "
                "the file afresh",
                table,
                built,
                published,
            )
            return False
    return True


def current_database_of(con: duckdb.DuckDBPyConnection) -> str:
    return con.execute("SELECT current_database()").fetchone()[0]  # type: ignore[index]


def _exists(con: duckdb.DuckDBPyConnection, database: str, schema: str, table: str) -> bool:
    return (
        con.execute(
            """SELECT count(*) FROM duckdb_tables()
               WHERE database_name = ? AND schema_name = ? AND table_name = ?""",
            [database, schema, table],
        ).fetchone()[0]  # type: ignore[index]
        > 0
    )


def _write_published_file(
    con: duckdb.DuckDBPyConnection,
    target: Path,
    storage_version: str,
    bookkeeping: Relations,
) -> None:
    con.execute(
        f"ATTACH {sql_literal(str(target))} AS published (STORAGE_VERSION {sql_literal(storage_version)})"
    )
    try:
        con.execute(f"CREATE SCHEMA published.{SCHEMA}")
        for table, comment in _dbt_relations(con):
            name = sql_identifier(table)
            con.execute(f"CREATE TABLE published.{SCHEMA}.{name} AS SELECT * FROM {SCHEMA}.{name}")
            _comment_table(con, table, comment, _dbt_column_comments(con, table))
        for table, (query, comment, column_comments) in bookkeeping.items():
            con.execute(f"CREATE TABLE published.{SCHEMA}.{table} AS {query}")
            _comment_table(con, table, comment, column_comments)
        con.execute("CHECKPOINT published")
    finally:
        con.execute("DETACH published")


def _dbt_relations(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str | None]]:
    return con.execute(
        """SELECT table_name, comment FROM duckdb_tables()
           WHERE database_name = current_database() AND schema_name = ?
           ORDER BY table_name""",
        [SCHEMA],
    ).fetchall()


def _dbt_column_comments(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    rows = con.execute(
        """SELECT column_name, comment FROM duckdb_columns()
           WHERE database_name = current_database() AND schema_name = ? AND table_name = ?
             AND comment IS NOT NULL""",
        [SCHEMA, table],
    ).fetchall()
    return dict(rows)


def _comment_table(
    con: duckdb.DuckDBPyConnection, table: str, comment: str | None, columns: dict[str, str]
) -> None:
    relation = f"published.{SCHEMA}.{sql_identifier(table)}"
    if comment:
        con.execute(f"COMMENT ON TABLE {relation} IS {sql_literal(comment)}")
    for column, text in columns.items():
        con.execute(f"COMMENT ON COLUMN {relation}.{sql_identifier(column)} IS {sql_literal(text)}")


def snapshots(folder: Path) -> list[Path]:
    """Kept published files, oldest first (run keys sort by time)."""
    return sorted(folder.glob("learnloop-*.duckdb"))


def discard_unpublished_snapshots(home: Home) -> list[Path]:
    """Snapshots newer than the published file: a publish killed between linking its snapshot
    and the rename left one. Kept, `rollback` would take it for the current file."""
    kept = snapshots(home.snapshots)
    if home.published.exists():
        current = [i for i, kept_file in enumerate(kept) if kept_file.samefile(home.published)]
        if not current:
            return []  # a rollback re-published a copy: no snapshot is the published file
        orphans = kept[current[-1] + 1 :]
    else:
        orphans = kept  # the very first publish was killed: nothing was ever published
    for orphan in orphans:
        orphan.unlink()
    return orphans


def prune_snapshots(folder: Path, keep: int) -> None:
    for old in snapshots(folder)[:-keep]:
        old.unlink()
    for rolled_back in folder.glob(f"*{ROLLED_BACK_SUFFIX}"):
        rolled_back.unlink()


def rollback(config: Config) -> Path:
    """Re-publish the snapshot before the current one; the current one is set aside."""
    home = config.home
    kept = snapshots(home.snapshots)
    if len(kept) < 2:
        raise PublishError(
            f"{home.snapshots}: no earlier snapshot to roll back to ({len(kept)} kept)"
        )
    current, previous = kept[-1], kept[-2]
    staged = home.build / f"rollback-{previous.name}"
    try:
        shutil.copy2(previous, staged)
        fsync(staged)
        staged.replace(home.published)
    except Exception:  # e.g. a full disk: the half copy goes, the published file stays
        staged.unlink(missing_ok=True)
        raise
    fsync(home.warehouse)
    current.rename(current.with_name(current.name + ROLLED_BACK_SUFFIX))
    log.info("rolled back to %s", previous.name)
    return previous


def fsync(path: Path) -> None:
    """Flush a file, or a folder's entries after a rename, to disk before we rely on it."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
