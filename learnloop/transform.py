"""Run dbt in process against the build warehouse."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from learnloop.config import Config, duckdb_limits
from learnloop.db import connect
from learnloop.errors import LearnLoopError, one_line_reason
from learnloop.heap import loading_libraries
from learnloop.paths import DBT_PROJECT_DIR, FORMATS_DIR

log = logging.getLogger(__name__)


class DbtFailed(LearnLoopError):
    """dbt could not build the models or a dbt data test failed."""


def dbt_vars(config: Config) -> dict[str, object]:
    return {
        "timezone": config.timezone,
        "publish_handles": config.privacy.publish_handles,
        "publish_private_text": config.privacy.publish_private_text,
    }


def run_dbt(arguments: list[str], database: Path, config: Config, work_dir: Path) -> None:
    """`dbt <arguments>` with the project's profile; raises DbtFailed naming what failed."""
    os.environ["LEARNLOOP_BUILD_DB"] = str(database)
    # dbt-duckdb's own connection gets the same limits as ingest (profiles.yml reads these).
    limits = duckdb_limits(config)
    os.environ["LEARNLOOP_DUCKDB_MEMORY_LIMIT"] = limits.memory_limit
    os.environ["LEARNLOOP_DUCKDB_THREADS"] = str(limits.thread_count)
    work_dir.mkdir(parents=True, exist_ok=True)
    with loading_libraries():  # heavy: imported only when a task runs, then for good
        from dbt.cli.main import dbtRunner

        from learnloop import dbt_agate, dbt_events
    dbt_events.install()
    dbt_agate.install()

    parse_key = _parse_key(database) if arguments[0] in REUSES_PARSE else None
    manifest = _parsed_project(parse_key, config) if parse_key else None
    try:
        result = _invoke(dbtRunner(manifest=manifest), arguments, config, work_dir)
    finally:
        _close_dbt_duckdb_connection()
    if parse_key and manifest is None:
        _keep_parsed_project(parse_key, config, work_dir)
    if result.success:
        return
    if result.exception is not None:
        raise DbtFailed(f"dbt {arguments[0]} failed: {result.exception}")
    failed = [
        (r.node.name, str(r.status) + _null_columns(r, database), r.message or "")
        for r in (result.result or [])
        if str(r.status) not in {"success", "pass", "skipped"}
    ]
    raise DbtFailed(failure_line(arguments[0], failed, limits.memory_limit))


def _null_columns(result: Any, database: Path) -> str:
    """For a failed not-null test, which columns hold NULLs and in how many rows
    (`: NULL in created_at 1 row; thread_id 2 rows`), and for a shape's test over its union of
    staging models from which format (`: NULL in interaction_id 2 rows from x_api`): the run's
    one line names them. The test's own query, run again on failure only."""
    node = result.node
    metadata = getattr(node, "test_metadata", None)
    if metadata is None or metadata.name not in NOT_NULL_TESTS or not node.compiled_code:
        return ""
    try:
        with connect(database) as con:
            rows = con.execute(node.compiled_code).fetchall()
    except duckdb.Error:
        return ""  # the line still names the test
    counts: dict[str, list[str]] = {}
    # (column_name, [source,] null_rows); by text, as a source may be NULL
    for column, *source, count in sorted(rows, key=str):
        where = f" from {source[0]}" if source else ""
        counts.setdefault(column, []).append(f"{count} row{'s' if count != 1 else ''}{where}")
    columns = "; ".join(f"{column} {' and '.join(parts)}" for column, parts in counts.items())
    return f": NULL in {columns}" if rows else ""


# The project's not-null tests (dbt_project/tests/generic/): their rows say where the NULLs are.
NOT_NULL_TESTS = {"not_null_columns", "shape_not_null"}


def failure_line(command: str, failed: list[tuple[str, str, str]], memory_limit: str) -> str:
    """One line for a dbt command whose nodes (name, status, message) failed. When DuckDB ran
    out of memory it says which setting to raise: the default bound builds ten million
    interactions, not necessarily more (README, Performance)."""
    names = (
        ", ".join(f"{name} ({status})" for name, status, _ in failed)
        or "see its errors in the run's log"
    )
    line = f"dbt {command} failed: {names}"
    if any("Out of Memory" in message for _, _, message in failed):
        line += (
            f"; DuckDB ran out of memory within [performance] memory_limit = {memory_limit!r}:"
            " raise it in learnloop.toml"
        )
    return line


def _invoke(runner: Any, arguments: list[str], config: Config, work_dir: Path) -> Any:
    return runner.invoke(
        [
            *arguments,
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(work_dir / "target"),
            *_log_options(work_dir),
            "--vars",
            json.dumps(dbt_vars(config)),
            "--no-use-colors",
            "--quiet",
        ]
    )


def _log_options(work_dir: Path) -> list[str]:
    """No dbt.log unless the user asks for one with dbt's own variables.

    dbt's file log is DEBUG by default, a line per event and per SQL statement, and it lived
    in the run's folder, which the run removes when it ends, published or not: nobody could
    read it afterwards. `--quiet` keeps dbt's error lines (the failing node and its error) on
    the console, which is the run's log (logs/runs/<run key>.log). DBT_LOG_LEVEL_FILE (e.g.
    `debug`) and DBT_LOG_PATH (a folder that outlives the run) bring dbt.log back (README,
    "dbt's log")."""
    options = [] if os.environ.get("DBT_LOG_PATH") else ["--log-path", str(work_dir / "logs")]
    if not os.environ.get("DBT_LOG_LEVEL_FILE"):
        options += ["--log-level-file", "none"]
    return options


# Parsing the dbt project costs about 3 CPU-seconds, the same every run. dbt's own partial
# parsing cannot carry it from one run to the next: each run builds its own copy of the
# database, and dbt parses afresh whenever the profile's path changes. So the parsed project
# (dbt's partial-parse file) is kept in the home under a key of everything the parse reads,
# and handed to dbt when the key matches (DECISIONLOG.md). `docs generate` writes the
# manifest.json of the parse it is handed as of one it made; `parse` always parses.
REUSES_PARSE = {"build", "run", "seed", "test", "docs"}
PARSED_FILE = "partial_parse.msgpack"  # what dbt writes into its target folder after a parse
# One process building many homes (the tests) meets a few configurations in turn; each
# distinct one keeps its parse (about 2 MB), the oldest going first.
PARSES_KEPT_IN_PROCESS = 4
_parsed_in_process: dict[str, bytes] = {}


def _parse_key(database: Path) -> str:
    """A hash of what dbt's parse depends on: the project's files, dbt's and the adapter's
    versions and the database's name (dbt's `target.database`, in every node).

    Not the dbt variables: the project reads them only in model SQL and macros, which dbt
    renders again at run time with the run's own variables, so a parse made under other
    values is the same parse (tests/test_dbt_parse_reuse.py compares two, made under
    different values of every variable). A home whose time zone or privacy settings change
    keeps its parse; its incremental models are rebuilt all the same (`build_fingerprint`)."""
    from dbt.adapters.duckdb.__version__ import version as adapter_version
    from dbt.version import __version__ as dbt_version

    digest = hashlib.sha256()
    _hash_project_files(digest)
    settings = [dbt_version, adapter_version, str(DBT_PROJECT_DIR), database.stem]
    digest.update(json.dumps(settings).encode())
    return digest.hexdigest()


def _parsed_project_file(config: Config, key: str) -> Path:
    """Named by the whole key, as the process keeps it, so a parse moves between homes and
    processes under one name."""
    return config.home.dbt_state / f"parsed-{key}.msgpack"


def _parsed_project(key: str, config: Config) -> Any:
    """The dbt Manifest parsed earlier under `key`, or None (dbt then parses)."""
    kept = _parsed_project_file(config, key)
    data = _parsed_in_process.get(key)
    if data is not None and not kept.exists():
        _keep(kept, data)  # parsed in this process for another home: this one keeps it too
    elif data is None and kept.exists():
        data = kept.read_bytes()
    if data is None:
        return None
    from dbt.contracts.graph.manifest import Manifest
    from dbt.parser.manifest import extended_mashumuro_decoder

    try:
        manifest = Manifest.from_msgpack(data, decoder=extended_mashumuro_decoder)
    except Exception as exc:  # another dbt wrote it, or it is damaged: parse again
        log.warning("parsing the dbt project again: %s", one_line_reason(exc))
        return None
    # What dbt itself does with a saved parse that is still valid (the time is the one
    # manifest.json and the docs site show).
    manifest.metadata.generated_at = datetime.now(UTC).replace(tzinfo=None)
    manifest.build_parent_and_child_maps()
    manifest.build_flat_graph()
    _remember_in_process(key, data)
    return manifest


def _keep_parsed_project(key: str, config: Config, work_dir: Path) -> None:
    parsed = work_dir / "target" / PARSED_FILE
    if not parsed.exists():  # the parse failed
        return
    data = parsed.read_bytes()
    _remember_in_process(key, data)
    _keep(_parsed_project_file(config, key), data)


def _remember_in_process(key: str, data: bytes) -> None:
    _parsed_in_process.pop(key, None)
    _parsed_in_process[key] = data  # the newest last: dicts keep insertion order
    while len(_parsed_in_process) > PARSES_KEPT_IN_PROCESS:
        del _parsed_in_process[next(iter(_parsed_in_process))]


def _keep(kept: Path, data: bytes) -> None:
    """`data` as the home's one kept parse. A cache: a run does not fail for want of it."""
    partial = kept.with_suffix(".part")
    try:
        kept.parent.mkdir(parents=True, exist_ok=True)
        for older in kept.parent.glob("parsed-*.msgpack"):
            older.unlink(missing_ok=True)
        partial.write_bytes(data)
        partial.replace(kept)  # whole or not at all, should the run be killed here
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        log.warning("could not keep the parsed dbt project: %s", one_line_reason(exc))


def _close_dbt_duckdb_connection() -> None:
    """dbt-duckdb keeps its DuckDB connection open for the life of the process; close it so
    the gates and publish (same process under `dag.test()`) can open the file next."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    environment = DuckDBConnectionManager._ENV
    if environment is not None:
        environment.close()
    DuckDBConnectionManager.close_all_connections()


def build_models(
    database: Path, config: Config, work_dir: Path, *, full_refresh: bool = False
) -> bool:
    """Seeds, models and data tests; unit tests run in the test suite, not on every run.

    Incremental models add only what was loaded since the last build. They are rebuilt from
    scratch when asked (`full_refresh`, [performance] full_refresh, `learnloop run
    --full-refresh`) or when anything they were built with changed: the dbt project (an
    upgrade), the dbt variables, the brand accounts, the member salt or the curated labels.
    Returns whether it was a full refresh."""
    fingerprint = build_fingerprint(config, _curated_labels_state(database))
    full_refresh = (
        full_refresh
        or config.performance.full_refresh
        or fingerprint != _stored_fingerprint(database)
    )
    run_dbt(
        ["build", *NO_ARTIFACTS, *(FULL_BUILD if full_refresh else INCREMENTAL_BUILD)],
        database,
        config,
        work_dir,
    )
    with connect(database) as con:
        con.execute(
            f"CREATE OR REPLACE TABLE {FINGERPRINT_TABLE} AS SELECT ? AS fingerprint", [fingerprint]
        )
    log.info("dbt build done (%s)", "full refresh" if full_refresh else "incremental")
    return full_refresh


FINGERPRINT_TABLE = "ops.dbt_build_fingerprint"

# A run's build writes no manifest.json, run_results.json or graph.gpickle (0.2-0.4 CPU-s):
# they would land in the run's folder, which the run removes when it ends, and nothing reads
# them. `run_dbt` by itself (the tests, `make bench`, `make docs`) still writes them.
NO_ARTIFACTS = ("--no-write-json",)
# `dbt build` arguments. Unit tests run in the test suite, not on every run. An incremental
# build leaves the seeds and the views as the last full build made them: they change only with
# the dbt project or its variables, which change the fingerprint and so rebuild in full
# (~0.3 s a node). The views' data tests still run, as the views read the raw rows this run
# loaded: with `--indirect-selection empty` a test is not dropped with the model it tests.
# The seeds' data tests do not (`path:seeds` is the seeds and the tests their YAML declares):
# a seed's rows are its CSV's, which the last full build loaded and tested.
FULL_BUILD = ("--exclude-resource-type", "unit_test", "--full-refresh")
INCREMENTAL_BUILD = (
    "--exclude-resource-type",
    "unit_test",
    "--exclude",
    "path:seeds",
    "resource_type:model,config.materialized:view",
    "--indirect-selection",
    "empty",
)


def build_fingerprint(config: Config, curated_labels: str = "") -> str:
    """A hash of everything an incremental model's existing rows depend on.

    `curated_labels` describes the loaded labels: a person's label changes the category of an
    interaction whose thread no new export touches, so new labels rebuild (they are rare)."""
    digest = hashlib.sha256()
    _hash_project_files(digest)
    from learnloop.classifier import head
    from learnloop.classifier.embedding import MODEL_ID
    from learnloop.classifier.examples import EXAMPLES_FILE
    from learnloop.topics import LEMMATISER_ID, STOP_WORDS_ID

    # The embedding model, the shipped examples and how the head is trained: a release that
    # changes them retrains every head and reclassifies every message. The lemmatiser and the
    # stop words: a release lemmatises every token again (int_topic_lemmas reads the tokens of
    # the threads a build changed, all of them in a full build).
    digest.update(
        f"{MODEL_ID}:{head.L2_PENALTY}:{head.LABEL_WEIGHT}:{head.GRAM_SCALE}:"
        f"{head.MIN_GRAM_EXAMPLES}\0".encode()
    )
    digest.update(f"{LEMMATISER_ID}:{STOP_WORDS_ID}\0".encode())
    digest.update(EXAMPLES_FILE.read_bytes())
    settings = {
        "vars": dbt_vars(config),
        "brand": {platform: sorted(names) for platform, names in sorted(config.brand.items())},
        "salt": config.privacy.salt,  # only its hash is stored
        "curated_labels": curated_labels,
    }
    digest.update(json.dumps(settings, sort_keys=True).encode())
    return digest.hexdigest()


def _hash_project_files(digest: Any) -> None:
    """The dbt project's files, and the staging models that live with their export formats
    (dbt_project.yml, model-paths), into `digest`."""
    for path in sorted(DBT_PROJECT_DIR.rglob("*")):
        relative = path.relative_to(DBT_PROJECT_DIR)
        if path.is_file() and relative.parts[0] not in {"target", "logs"}:
            digest.update(str(relative).encode() + b"\0" + path.read_bytes() + b"\0")
    for path in sorted(FORMATS_DIR.rglob("*")):
        if path.suffix in {".sql", ".yml", ".md"}:
            relative = path.relative_to(FORMATS_DIR)
            digest.update(str(relative).encode() + b"\0" + path.read_bytes() + b"\0")


def _curated_labels_state(database: Path) -> str:
    """How many label rows are loaded and when the last arrived ("" before any)."""
    with connect(database, read_only=True) as con:
        if not _table_exists(con, "raw", "curated_labels__labels"):
            return ""
        count, last = con.execute(
            "SELECT count(*), max(_loaded_at) FROM raw.curated_labels__labels"
        ).fetchone()
    return f"{count}:{last}" if count else ""


def _stored_fingerprint(database: Path) -> str | None:
    with connect(database, read_only=True) as con:
        if not _table_exists(con, "ops", "dbt_build_fingerprint"):
            return None
        row = con.execute(f"SELECT max(fingerprint) FROM {FINGERPRINT_TABLE}").fetchone()
    return row[0] if row else None


def forget_fingerprint(con: duckdb.DuckDBPyConnection) -> None:
    """The models no longer match any fingerprint: the next build rebuilds them in full."""
    con.execute(f"DROP TABLE IF EXISTS {FINGERPRINT_TABLE}")


def _table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return (
        con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?",
            [schema, table],
        ).fetchone()[0]
        > 0
    )
