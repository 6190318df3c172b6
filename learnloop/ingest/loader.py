"""Load landed files into raw tables, one transaction per file.

A file either loads completely (with lineage columns) or not at all: a file that cannot be
read goes to quarantine/ with a `.reason.txt`, and the rest of the run goes on.
"""

from __future__ import annotations

import contextlib
import logging
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from learnloop.config import Config
from learnloop.errors import FormatError
from learnloop.ingest import manifest
from learnloop.ingest.discover import LandedFile
from learnloop.ingest.formats import FORMATS, ExportFormat, FileSample
from learnloop.ingest.registry import describe_unknown, detect_format

log = logging.getLogger(__name__)
_ERROR_CLASS = re.compile(r"^[A-Z][A-Za-z ]*Error: ")
_CSV_LINE = re.compile(r"CSV Error on Line: (\d+)")
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


def read_error(exc: Exception) -> str:
    """DuckDB's message as one line, without its error-class prefix.

    For CSV errors DuckDB's first line only says where ("CSV Error on Line: 4"); what went
    wrong is on a later line ("Invalid unicode ...", "Maximum line size ..."), so both go
    into the one line; the original row (which may hold message text) never does."""
    lines = [line.strip() for line in str(exc).strip().splitlines()]
    first = _ERROR_CLASS.sub("", lines[0]) if lines else type(exc).__name__
    if first.startswith(_SNIFF_FAILED):
        return MALFORMED_CSV
    csv_line = _CSV_LINE.match(first)
    if csv_line:
        cause = next(
            (line for line in lines[1:] if line and not line.startswith("Original Line:")), ""
        )
        return f"line {csv_line.group(1)}: {cause}".rstrip(": ")
    return first


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
            quarantine(landed, entry.message or "", config, run_key)
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
    origin = landed.origin.relative_to(config.home.landing).as_posix()

    def entry(
        status: str, fmt: str | None, rows: int | None, message: str | None
    ) -> manifest.ManifestEntry:
        result = manifest.ManifestEntry(
            run_key, landed.name, origin, landed.checksum, fmt, status, rows, message
        )
        manifest.record(con, result)
        return result

    if landed.error:
        return entry("quarantined", None, None, f"{landed.name}: {landed.error}")
    if landed.checksum in seen:
        return entry("duplicate", None, 0, "same content was loaded before")
    sample = FileSample.of(landed.path)
    export_format = detect_format(sample, config)
    if export_format is None:
        return entry("quarantined", None, None, f"{landed.name}: {describe_unknown(sample)}")
    try:
        con.execute("BEGIN TRANSACTION")
        rows = insert_rows(con, export_format, landed, sample, config, run_key)
        if rows == 0:
            raise FormatError("the file holds no rows")
        result = entry("loaded", export_format.name, rows, None)
        con.execute("COMMIT")
    except (FormatError, duckdb.Error) as exc:
        con.execute("ROLLBACK")
        # DuckDB names the path it read; zip members were read from a scratch copy.
        reason = read_error(exc).replace(str(landed.path), landed.name)
        message = f"{landed.name}: looks like {export_format.title}, but {reason}"
        return entry("quarantined", export_format.name, None, message)
    seen.add(landed.checksum)
    return result


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
        landed.origin.relative_to(config.home.landing).as_posix(),
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
    select = export_format.select_sql(landed.path, sample, config)
    count = con.execute(
        f"""INSERT INTO raw.{export_format.raw_table} BY NAME
            SELECT *, ? AS _source_file, ? AS _source_checksum, ? AS _run_key,
                   now() AS _loaded_at
            FROM ({select})""",
        [landed.name, landed.checksum, run_key],
    ).fetchone()
    return int(count[0]) if count else 0


def quarantine(landed: LandedFile, reason: str, config: Config, run_key: str) -> Path:
    """Move (or, for zip members, copy) the file to quarantine/ next to its reason."""
    relative = landed.name.replace("!", "/")
    target = config.home.quarantine / run_key / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    if landed.path == landed.origin:
        shutil.move(landed.path, target)
    else:
        shutil.copy2(landed.path, target)
    target.with_name(target.name + ".reason.txt").write_text(reason + "\n", encoding="utf-8")
    return target
