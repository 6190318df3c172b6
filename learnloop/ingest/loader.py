"""Load landed files into raw tables, one transaction per file.

A file either loads completely (with lineage columns) or not at all: a file that cannot be
read goes to quarantine/ with a `.reason.txt`, and the rest of the run goes on.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from learnloop.config import Config
from learnloop.errors import FormatError
from learnloop.ingest import manifest
from learnloop.ingest.discover import LandedFile
from learnloop.ingest.formats import FORMATS, ExportFormat, FileSample
from learnloop.ingest.keeping import quarantine
from learnloop.ingest.registry import recognise

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
    for landed in files:
        try:
            entry = _load_one(con, landed, config, run_key, seen)
        except Exception as exc:  # one hostile file must not stop the others from loading
            entry = _unexpected_failure(con, landed, config, run_key, exc)
        summary.statuses[entry.status] += 1
        summary.rows += entry.rows or 0
        if entry.status == "quarantined":
            quarantine(landed, entry.message or "", config.home, run_key)
            log.warning("quarantined %s: %s", landed.name, entry.message)
        else:
            log.info("%s %s (%s, %s rows)", entry.status, landed.name, entry.format, entry.rows)
    return summary


def _load_one(
    con: duckdb.DuckDBPyConnection,
    landed: LandedFile,
    config: Config,
    run_key: str,
    seen: set[str],
) -> manifest.ManifestEntry:
    def entry(
        status: str, fmt: str | None, rows: int | None, message: str | None
    ) -> manifest.ManifestEntry:
        result = manifest.ManifestEntry(
            run_key, landed.name, landed.kept_as, landed.checksum, fmt, status, rows, message
        )
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
        con.execute("BEGIN TRANSACTION")
        rows = insert_rows(con, export_format, landed, sample, config, run_key)
        if rows == 0:
            raise FormatError("the file holds no rows")
        _refuse_reserved_platforms(con, export_format, landed, run_key)
        result = entry("loaded", export_format.name, rows, None)
        con.execute("COMMIT")
    except (FormatError, duckdb.Error) as exc:
        con.execute("ROLLBACK")
        # DuckDB names the path it read: the run's copy, not the landed name.
        reason = read_error(exc, landed.path).replace(str(landed.path), landed.name)
        message = f"{landed.name}: looks like {export_format.title}, but {reason}"
        return entry("quarantined", export_format.name, None, message)
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


def insert_rows(
    con: duckdb.DuckDBPyConnection,
    export_format: ExportFormat,
    landed: LandedFile,
    sample: FileSample,
    config: Config,
    run_key: str,
) -> int:
    select = export_format.select_sql(sample.path, sample, config)
    count = con.execute(
        f"""INSERT INTO raw.{export_format.raw_table} BY NAME
            SELECT *, ? AS _source_file, ? AS _source_checksum, ? AS _run_key,
                   now() AS _loaded_at
            FROM ({select})""",
        [landed.name, landed.checksum, run_key],
    ).fetchone()
    return int(count[0]) if count else 0
