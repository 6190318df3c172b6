"""Load landed files into raw tables.

A file either loads completely (with lineage columns) or not at all: a file that cannot be
read goes to quarantine/ with a `.reason.txt`, and the rest of the run goes on.

The files of one format are read together, in one INSERT and one transaction per batch of
at most BATCH_BYTES (a statement and a commit per file cost more than the reading at a day's
scale: 366 inbox CSVs load in 2.7 s so, 7.3 s one by one). Files of one shape that their
format reads with one multi-file query (FilesTogetherFormat) are read so, up to
BATCH_FILES_TOGETHER at a time; the others through the union of each file's own reader
query, up to BATCH_FILES. When a batch fails (a file that cannot be read, holds no rows,
names a reserved platform), nothing of it stays and its files load one at a time, each in
its own transaction, so that a bad file is quarantined alone, with its reason, and its
neighbours load. The database is checkpointed once, after the batches.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections import Counter
from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from learnloop.config import Config
from learnloop.db import sql_literal
from learnloop.errors import FormatError
from learnloop.ingest import manifest
from learnloop.ingest.discover import LandedFile
from learnloop.ingest.formats import FORMATS, ExportFormat, FileSample
from learnloop.ingest.keeping import quarantine
from learnloop.ingest.registry import recognise
from learnloop.machine import memory_bytes

log = logging.getLogger(__name__)
_ERROR_CLASS = re.compile(r"^[A-Z][A-Za-z ]*Error: ")
_CSV_LINE = re.compile(r"CSV Error on Line: (\d+)")
# DuckDB numbers this one error by its buffer, not the file (always "line 1"): the loader
# finds the line itself.
_LONG_LINE = re.compile(r"Maximum line size of (\d+) bytes exceeded")
# kpi_weekly's row over every platform; a file naming it as a platform would collide.
RESERVED_PLATFORMS = ("all",)
# DuckDB's CSV sniffer gives up with a page of hints when the rows do not fit the header.
_SNIFF_FAILED = "Error when sniffing file"
MALFORMED_CSV = (
    "the CSV is malformed: a row has more or fewer cells than the header, "
    "or a quoted cell is never closed"
)


# What one statement reads: at most this many files of at most this many bytes together (at
# least one file). DuckDB plans every file's reader at once, and a JSON reader holds its
# documents several times over (its CTEs): 200 Instagram files of 70 KB needed over 488 MiB.
BATCH_FILES = 200
BATCH_BYTES = 4 * 1024 * 1024
# Files one query reads together (FilesTogetherFormat) cost no planning each: only the bytes
# bound their batch.
BATCH_FILES_TOGETHER = 1000
# A checkpoint compresses the rows the WAL holds into the database file and rewrites the
# table's last, partly filled row group. DuckDB checkpoints when the WAL passes 16 MB, which
# a batch of 4 MiB of exports nearly does: the batches of a history checkpointed every few
# commits, and their commits cost twice as much as one checkpoint at the end
# (bench/scale.py --ingest-only). The WAL is still written and synced at each commit.
CHECKPOINT_THRESHOLD = "1GB"


@dataclass
class IngestSummary:
    statuses: Counter[str] = field(default_factory=Counter)
    rows: int = 0

    def as_dict(self) -> dict[str, int]:
        return {**{s: self.statuses.get(s, 0) for s in manifest.STATUSES}, "rows": self.rows}


def create_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute("CREATE SCHEMA IF NOT EXISTS ops")
    con.execute(manifest.CREATE_SQL)
    for export_format in FORMATS:
        con.execute(export_format.create_table_sql())


def read_error(exc: Exception, path: Path | None = None) -> str:
    """DuckDB's message as one line, without its error-class prefix.

    For CSV errors DuckDB's first line only says where ("CSV Error on Line: 4"); what went
    wrong is on a later line ("Invalid unicode ...", "Maximum line size ..."), so both go
    into the one line; the original row (which may hold message text) never does. With the
    file's `path`, an over-long line is numbered by counting the file's own lines."""
    lines = [line.strip() for line in str(exc).strip().splitlines()]
    first = _ERROR_CLASS.sub("", lines[0]) if lines else type(exc).__name__
    if first.startswith(_SNIFF_FAILED):
        return MALFORMED_CSV
    csv_line = _CSV_LINE.match(first)
    if csv_line:
        cause = next(
            (line for line in lines[1:] if line and not line.startswith("Original Line:")), ""
        )
        number = csv_line.group(1)
        too_long = _LONG_LINE.search(cause)
        if too_long and path is not None:
            number = str(first_line_longer_than(path, int(too_long.group(1))) or number)
        return f"line {number}: {cause}".rstrip(": ")
    return first


def first_line_longer_than(path: Path, limit: int) -> int | None:
    """The 1-based number of the file's first line of more than `limit` bytes."""
    number, length = 1, 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            pieces = block.split(b"\n")
            for index, piece in enumerate(pieces):
                length += len(piece)
                if length > limit:
                    return number
                if index < len(pieces) - 1:
                    number, length = number + 1, 0
    return None


def load_files(
    con: duckdb.DuckDBPyConnection,
    files: list[LandedFile],
    config: Config,
    run_key: str,
) -> IngestSummary:
    summary = IngestSummary()
    seen = manifest.loaded_checksums(con)
    by_reading: dict[tuple[str, Hashable | None], list[Readable]] = {}
    batched: set[str] = set()  # checksums
    repeated: list[LandedFile] = []  # the content of another file of this run: after it
    for landed in files:
        try:
            prepared = _prepare(con, landed, config, run_key, seen)
        except Exception as exc:  # one hostile file must not stop the others from loading
            prepared = _unexpected_failure(con, landed, config, run_key, exc)
        if isinstance(prepared, manifest.ManifestEntry):
            _count(summary, landed, prepared, config, run_key)
        elif landed.checksum in batched:
            repeated.append(landed)
        else:
            batched.add(landed.checksum)
            key = (prepared.export_format.name, prepared.shared)
            by_reading.setdefault(key, []).append(prepared)
    with _checkpoint_at_end(con):
        for group in by_reading.values():
            for batch in _batches(group):
                for readable, entry in _load_together(con, batch, config, run_key, seen):
                    _count(summary, readable.landed, entry, config, run_key)
    for landed in repeated:
        try:
            prepared = _prepare(con, landed, config, run_key, seen)
        except Exception as exc:
            prepared = _unexpected_failure(con, landed, config, run_key, exc)
        if isinstance(prepared, Readable):
            prepared = _load_alone_or_quarantine(con, prepared, config, run_key, seen)
        _count(summary, landed, prepared, config, run_key)
    return summary


@contextlib.contextmanager
def _checkpoint_at_end(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """One checkpoint after the batches, rather than one every few commits."""
    with _setting(con, "checkpoint_threshold", CHECKPOINT_THRESHOLD):
        yield
    con.execute("CHECKPOINT")


@contextlib.contextmanager
def _setting(con: duckdb.DuckDBPyConnection, name: str, value: str) -> Iterator[None]:
    """DuckDB's setting `name` at `value` for the duration, then as it was."""
    configured = con.execute(f"SELECT current_setting('{name}')").fetchone()[0]  # type: ignore[index]
    con.execute(f"SET {name} = {sql_literal(value)}")
    try:
        yield
    finally:
        con.execute(f"SET {name} = {sql_literal(configured)}")


def _batches(group: list[Readable]) -> Iterator[list[Readable]]:
    batch: list[Readable] = []
    size = 0
    most_files = BATCH_FILES if group[0].shared is None else BATCH_FILES_TOGETHER
    for readable in group:
        file_size = readable.sample.path.stat().st_size
        if batch and (len(batch) == most_files or size + file_size > BATCH_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(readable)
        size += file_size
    if batch:
        yield batch


def _count(
    summary: IngestSummary,
    landed: LandedFile,
    entry: manifest.ManifestEntry,
    config: Config,
    run_key: str,
) -> None:
    summary.statuses[entry.status] += 1
    summary.rows += entry.rows or 0
    if entry.status == "quarantined":
        quarantine(landed, entry.message or "", config.home, run_key)
        log.warning("quarantined %s: %s", landed.name, entry.message)
    else:
        log.info("%s %s (%s, %s rows)", entry.status, landed.name, entry.format, entry.rows)


@dataclass(frozen=True)
class Readable:
    """A landed file whose format is known and whose reader query is made."""

    landed: LandedFile
    export_format: ExportFormat
    sample: FileSample
    select: str
    shared: Hashable | None = None  # files of its format with the same value read together


def _entry(
    landed: LandedFile,
    run_key: str,
    status: str,
    fmt: str | None,
    rows: int | None,
    message: str | None,
) -> manifest.ManifestEntry:
    return manifest.ManifestEntry(
        run_key, landed.name, landed.kept_as, landed.checksum, fmt, status, rows, message
    )


def _prepare(
    con: duckdb.DuckDBPyConnection,
    landed: LandedFile,
    config: Config,
    run_key: str,
    seen: set[str],
) -> Readable | manifest.ManifestEntry:
    """The file's reader, or its manifest entry (recorded) when it is not read at all."""

    def entry(
        status: str, fmt: str | None, rows: int | None, message: str | None
    ) -> manifest.ManifestEntry:
        result = _entry(landed, run_key, status, fmt, rows, message)
        manifest.record(con, result)
        return result

    if landed.error or landed.path is None:
        return entry("quarantined", None, None, f"{landed.name}: {landed.error}")
    if landed.checksum in seen:
        return entry("duplicate", None, 0, "same content was loaded before")
    sample = FileSample.of(landed.path, landed.name)
    export_format, problem = recognise(
        sample, config, landed.first_nul, member=landed.member is not None
    )
    if export_format is None or problem:
        fmt = export_format.name if export_format else None
        title = f"looks like {export_format.title}, but " if export_format else ""
        return entry("quarantined", fmt, None, f"{landed.name}: {title}{problem}")
    try:
        select = export_format.select_sql(sample.path, sample, config)
    except FormatError as exc:
        return entry(
            "quarantined", export_format.name, None, _unreadable(landed, export_format, exc)
        )
    return Readable(
        landed, export_format, sample, select, export_format.shared_reading(sample, config)
    )


def _unreadable(landed: LandedFile, export_format: ExportFormat, exc: Exception) -> str:
    # DuckDB names the path it read: the run's copy, not the landed name.
    assert landed.path is not None
    reason = read_error(exc, landed.path).replace(str(landed.path), landed.name)
    return f"{landed.name}: looks like {export_format.title}, but {reason}"


def _load_together(
    con: duckdb.DuckDBPyConnection,
    batch: list[Readable],
    config: Config,
    run_key: str,
    seen: set[str],
) -> list[tuple[Readable, manifest.ManifestEntry]]:
    """Load the files of one format in one statement and one transaction; one at a time when
    that fails, so that a bad file is quarantined alone."""
    if len(batch) > 1:
        export_format = batch[0].export_format
        try:
            con.execute("BEGIN TRANSACTION")
            insert_rows(con, export_format, batch, run_key, config)
            rows = _rows_per_file(con, export_format, batch, run_key)
            if rows is not None:
                entries = [
                    _entry(
                        r.landed, run_key, "loaded", export_format.name, rows[r.landed.name], None
                    )
                    for r in batch
                ]
                manifest.record(con, *entries)
                con.execute("COMMIT")
                seen.update(r.landed.checksum for r in batch)
                return list(zip(batch, entries, strict=True))
            con.execute("ROLLBACK")
        except Exception as exc:  # whatever it was, each file alone says which and why
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")
            log.info("%d %s files did not load together (%s)", len(batch), export_format.name, exc)
        log.info("loading %d %s files one at a time", len(batch), export_format.name)
    return [(r, _load_alone_or_quarantine(con, r, config, run_key, seen)) for r in batch]


def _load_alone_or_quarantine(
    con: duckdb.DuckDBPyConnection,
    readable: Readable,
    config: Config,
    run_key: str,
    seen: set[str],
) -> manifest.ManifestEntry:
    try:
        return _load_alone(con, readable, run_key, seen, config)
    except Exception as exc:  # one hostile file must not stop the others from loading
        return _unexpected_failure(con, readable.landed, config, run_key, exc)


def _rows_per_file(
    con: duckdb.DuckDBPyConnection,
    export_format: ExportFormat,
    batch: list[Readable],
    run_key: str,
) -> dict[str, int] | None:
    """Rows each file of the batch loaded; None when a file loaded none or names a reserved
    platform (loaded alone, it is quarantined with the reason)."""
    column = export_format.platform_column
    reserved = f"count(*) FILTER (WHERE lower(trim({column})) IN ?)" if column is not None else "0"
    counted = con.execute(
        f"""SELECT _source_file, count(*), {reserved}
            FROM raw.{export_format.raw_table}
            WHERE _run_key = ? AND _source_file IN ?
            GROUP BY _source_file""",
        [
            *([list(RESERVED_PLATFORMS)] if column is not None else []),
            run_key,
            [r.landed.name for r in batch],
        ],
    ).fetchall()
    rows = {name: count for name, count, _ in counted}
    if len(rows) < len(batch) or any(refused for _, _, refused in counted):
        return None
    return rows


def _load_alone(
    con: duckdb.DuckDBPyConnection,
    readable: Readable,
    run_key: str,
    seen: set[str],
    config: Config,
) -> manifest.ManifestEntry:
    """Load one file in its own transaction, or quarantine it with the reason."""
    landed, export_format = readable.landed, readable.export_format
    try:
        try:
            result = _insert_alone(con, readable, run_key, config)
        except duckdb.OutOfMemoryException:
            con.execute("ROLLBACK")
            with _more_memory(con):
                result = _insert_alone(con, readable, run_key, config)
    except (FormatError, duckdb.Error) as exc:
        con.execute("ROLLBACK")
        message = _unreadable(landed, export_format, exc)
        result = _entry(landed, run_key, "quarantined", export_format.name, None, message)
        manifest.record(con, result)
        return result
    seen.add(landed.checksum)
    return result


def _refuse_reserved_platforms(
    con: duckdb.DuckDBPyConnection, export_format: ExportFormat, landed: LandedFile, run_key: str
) -> None:
    """A file whose rows name a platform reserved for an aggregate row does not load: its
    rows would be counted twice in `kpi_weekly`'s row over all platforms."""
    column = export_format.platform_column
    if column is None:
        return
    found = con.execute(
        f"""SELECT min(_source_row), any_value(lower(trim({column})))
            FROM raw.{export_format.raw_table}
            WHERE _run_key = ? AND _source_file = ? AND lower(trim({column})) IN ?""",
        [run_key, landed.name, list(RESERVED_PLATFORMS)],
    ).fetchone()
    if found and found[0] is not None:
        raise FormatError(
            f"data row {found[0]} names the platform {found[1]!r}, which is reserved for the "
            "row over all platforms in kpi_weekly; name the platform (e.g. 'youtube')"
        )


def _unexpected_failure(
    con: duckdb.DuckDBPyConnection,
    landed: LandedFile,
    config: Config,
    run_key: str,
    exc: Exception,
) -> manifest.ManifestEntry:
    """A reader failed in a way it did not foresee: quarantine the file, keep the run going."""
    log.warning("unexpected %s while loading %s", type(exc).__name__, landed.name, exc_info=True)
    with contextlib.suppress(duckdb.Error):  # no transaction when it failed before BEGIN
        con.execute("ROLLBACK")
    detail = (read_error(exc) or "no details")[:200]
    entry = manifest.ManifestEntry(
        run_key,
        landed.name,
        landed.kept_as,
        landed.checksum,
        None,
        "quarantined",
        None,
        f"{landed.name}: could not be read (unexpected {type(exc).__name__}: {detail})",
    )
    manifest.record(con, entry)
    return entry


def _insert_alone(
    con: duckdb.DuckDBPyConnection, readable: Readable, run_key: str, config: Config
) -> manifest.ManifestEntry:
    """Insert one file's rows and its manifest row and commit; raises what went wrong."""
    landed, export_format = readable.landed, readable.export_format
    con.execute("BEGIN TRANSACTION")
    rows = insert_rows(con, export_format, [readable], run_key, config)
    if rows == 0:
        raise FormatError("the file holds no rows")
    _refuse_reserved_platforms(con, export_format, landed, run_key)
    result = _entry(landed, run_key, "loaded", export_format.name, rows, None)
    manifest.record(con, result)
    con.execute("COMMIT")
    return result


@contextlib.contextmanager
def _more_memory(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Half the machine's memory for one file that did not fit [performance] memory_limit.

    DuckDB's JSON functions reserve far more for a huge value than they touch: a YouTube
    export with a 10 MB comment needs a limit of 4GB to read, and 0.9 GiB of memory."""
    with _setting(con, "memory_limit", f"{memory_bytes() // 2}B"):
        yield


def insert_rows(
    con: duckdb.DuckDBPyConnection,
    export_format: ExportFormat,
    files: list[Readable],
    run_key: str,
    config: Config,
) -> int:
    """Insert the rows of `files` (all of `export_format`) with their lineage, in one
    statement: the format's query over all of them when they share their reading, else the
    union of each file's own reader query."""
    if len(files) > 1 and files[0].shared is not None:
        sql, parameters = _insert_together_sql(export_format, files, run_key, config)
    else:
        sql, parameters = _insert_each_sql(export_format, files, run_key)
    count = con.execute(sql, parameters).fetchone()
    return int(count[0]) if count else 0


def _insert_each_sql(
    export_format: ExportFormat, files: list[Readable], run_key: str
) -> tuple[str, list[object]]:
    """The union of each file's reader query, each row with its file's name and checksum."""
    union = "\nUNION ALL BY NAME\n".join(
        f"SELECT *, ? AS _source_file, ? AS _source_checksum FROM ({readable.select})"
        for readable in files
    )
    parameters = [value for r in files for value in (r.landed.name, r.landed.checksum)]
    sql = f"""INSERT INTO raw.{export_format.raw_table} BY NAME
        SELECT *, ? AS _run_key, now() AS _loaded_at FROM ({union})"""
    return sql, [run_key, *parameters]


def _insert_together_sql(
    export_format: ExportFormat, files: list[Readable], run_key: str, config: Config
) -> tuple[str, list[object]]:
    """Files that share their reading, read by one query: each row's lineage by the index
    of its file, its `_source_row` numbered anew within the file."""
    query = export_format.select_files_sql([r.sample.path for r in files], files[0].sample, config)
    sql = f"""INSERT INTO raw.{export_format.raw_table} BY NAME
        SELECT * EXCLUDE (file_index, _source_row),
            row_number() OVER (PARTITION BY file_index ORDER BY _source_row) AS _source_row,
            list_extract(?::VARCHAR[], CAST(file_index AS BIGINT) + 1) AS _source_file,
            list_extract(?::VARCHAR[], CAST(file_index AS BIGINT) + 1) AS _source_checksum,
            ? AS _run_key, now() AS _loaded_at
        FROM ({query})"""
    return sql, [[r.landed.name for r in files], [r.landed.checksum for r in files], run_key]
