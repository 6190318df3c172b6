"""`learnloop forget`: erase one community member everywhere under LEARNLOOP_HOME.

The erasure is a run of the `learnloop` DAG with the param `forget_member_key` (the run lock,
the gates and the run log apply as to any run); this module holds its steps:

1. `erasure_request` (the command, before the run): the member's salted key for the DAG's
   conf. Airflow keeps a run's conf in its metadata, so the handle itself never goes there.
2. `erase_member` (the DAG's `erase` task, in the run's copy of the build database): the raw
   rows the member wrote (matched on each format's `author_columns` by their salted key,
   case-insensitive, a leading `@` ignored) are deleted; every other text value that names
   them (a reply's `@handle`, a recipient name) has that name replaced by `[erased]`.
   Archived and quarantined files are rewritten without them: CSV rows and JSON objects
   that name them are dropped, other mentions are replaced by `[erased]`; zip archives are
   rewritten member by member. The load manifest keeps the original checksums, so the
   original export, landed again, is a duplicate and does not bring them back.
3. The run goes on as any run: dbt rebuilds the models in full, the gates check them.
4. `publish` rewrites the run's database into a fresh file first (`compact`: DuckDB keeps
   deleted values in freed blocks otherwise), publishes it, and removes the snapshots other
   than the new published file (`remove_older_snapshots`): each holds the person, and a
   rollback must not bring them back.

Nothing here logs the member's identifiers or texts, and what the steps return (Airflow keeps
it) holds counts and file names with the member's names replaced by `[erased]`; the person
who asked reads the counts from the command.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import os
import re
import stat
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from learnloop import publish
from learnloop.build import RunContext
from learnloop.config import PLATFORMS, Config
from learnloop.dag_ids import FORGET_MEMBER_PARAM, FORGET_PLATFORM_PARAM
from learnloop.db import connect, sql_identifier, sql_literal
from learnloop.errors import LearnLoopError
from learnloop.ingest.archives import expansion_problem
from learnloop.ingest.formats import FORMATS, ExportFormat
from learnloop.paths import Home

log = logging.getLogger(__name__)

ERASED = "[erased]"
# Identifiers shorter than this are matched exactly but never replaced inside other text:
# "al" would otherwise erase part of every "also".
MIN_REDACTED_LENGTH = 3
# The platform of a raw row of a format whose rows name it (ExportFormat.platform is None),
# for --platform; every other format declares the one platform all its rows belong to.
ROW_PLATFORM_SQL = {
    "meta_dyi_messages": "lower(platform)",
    "inbox_csv": "CASE lower(platform_raw) WHEN 'twitter' THEN 'x' ELSE lower(platform_raw) END",
}
KEY_PREFIX = "forget:"  # keeps the erasure key apart from every other salted hash


class NothingToForget(LearnLoopError):
    """No raw row names the member, or the request cannot name one."""


@dataclass
class Erasure:
    """What `erase_member` did: counts, and the kept files it rewrote (names redacted)."""

    raw_rows: dict[str, int] = field(default_factory=dict)  # raw table -> rows deleted
    redacted_values: int = 0  # other text values that named the member
    files_rewritten: list[str] = field(default_factory=list)  # under archive/, quarantine/

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        return (
            f"{sum(self.raw_rows.values())} raw rows deleted, {self.redacted_values} mentions "
            f"replaced, {len(self.files_rewritten)} archived or quarantined files rewritten"
        )


def report_lines(erased: dict[str, Any], snapshots_removed: int, published: str) -> list[str]:
    """What `learnloop forget` prints after the run, from the erase task's result."""
    lines = [f"raw.{table}: {rows} rows deleted" for table, rows in erased["raw_rows"].items()]
    lines.append(f"mentions replaced by {ERASED} in other rows: {erased['redacted_values']}")
    lines.append(f"archived or quarantined files rewritten: {len(erased['files_rewritten'])}")
    lines.extend(f"  {name}" for name in erased["files_rewritten"])
    lines.append(f"snapshots removed: {snapshots_removed}")
    lines.append(f"republished: {published}")
    return lines


def normalise(identifier: str) -> str:
    return identifier.strip().lstrip("@").lower()


def member_key(salt: str, member: str) -> str:
    """The member's salted key: what the DAG run's conf holds instead of the handle."""
    return hashlib.sha256(f"{salt}{KEY_PREFIX}{normalise(member)}".encode()).hexdigest()


def erasure_request(config: Config, member: str, platform: str | None) -> dict[str, str | None]:
    """The DAG run's conf for erasing `member`; one line (NothingToForget) before any work
    when there is no member, no such platform or nothing loaded yet."""
    if not normalise(member):
        raise NothingToForget("--member: expected a handle or an id")
    _check_platform(platform, "--platform")
    if not config.home.build_database.exists():
        raise NothingToForget(f"{config.home.build_database}: nothing has been loaded yet")
    return {
        FORGET_MEMBER_PARAM: member_key(config.privacy.salt, member),
        FORGET_PLATFORM_PARAM: platform,
    }


def _check_platform(platform: str | None, name: str) -> None:
    if platform is not None and platform not in PLATFORMS:
        raise NothingToForget(f"{name}: {platform!r} is not one of {', '.join(PLATFORMS)}")


def erase_member(
    context: RunContext, config: Config, key: str, platform: str | None = None
) -> Erasure:
    """Delete the member's raw rows and mentions in the run's database, and rewrite the kept
    files without them. The identifiers found stay in this function."""
    _check_platform(platform, FORGET_PLATFORM_PARAM)
    erasure = Erasure()
    member = (key, f"{config.privacy.salt}{KEY_PREFIX}")
    with connect(context.database_path) as con:
        sources = _kept_files_of_member(con, member, platform, config)
        identifiers = _delete_raw_rows(con, member, platform, erasure)
        if not erasure.raw_rows:
            where = f" on {platform}" if platform else ""
            raise NothingToForget(f"no records of the member{where} were found")
        erasure.redacted_values = _redact_everywhere(con, identifiers, platform)
    # With --platform, only the files their rows came from: the same handle elsewhere may be
    # someone else. Without it, every archived and quarantined file.
    rewritten = _rewrite_kept_files(config, identifiers, sources)
    erasure.files_rewritten = [redact(name, identifiers) for name in rewritten]
    log.info(
        "erased a member: %d raw rows, %d files rewritten",
        sum(erasure.raw_rows.values()),
        len(rewritten),
    )
    return erasure


def redact(text: str, identifiers: set[str]) -> str:
    pattern = _pattern(identifiers)
    return text if pattern is None else re.sub(pattern, ERASED, text, flags=re.IGNORECASE)


def compact(database: Path) -> None:
    """Copy the database into a new file: the old one keeps deleted values in free blocks."""
    fresh = database.with_name(database.name + ".fresh")
    fresh.unlink(missing_ok=True)
    with duckdb.connect(str(fresh)) as con:
        (name,) = con.execute("SELECT current_database()").fetchone() or ("",)
        con.execute(f"ATTACH {sql_literal(str(database))} AS old (READ_ONLY)")
        con.execute(f"COPY FROM DATABASE old TO {sql_identifier(name)}")
        con.execute("DETACH old")
    fresh.replace(database)


def remove_older_snapshots(home: Home, published: Path) -> int:
    """Remove every kept snapshot but the published file; how many went."""
    removed = 0
    for snapshot in publish.snapshots(home.snapshots):
        if not snapshot.samefile(published):
            snapshot.unlink()
            removed += 1
    return removed


# --- the build warehouse -------------------------------------------------------------------


# The member as the erase step knows them: their salted key, and the salted prefix it was
# made with (`member_key`), so SQL can compare each author value's key with it.
Member = tuple[str, str]


def _matches(export_format: ExportFormat, platform: str | None) -> str | None:
    """SQL condition for rows of the member (parameters: $1 their key, $2 the prefix), or
    None."""
    if not export_format.author_columns:
        return None
    if platform is not None and export_format.platform not in (None, platform):
        return None
    columns = " OR ".join(
        f"sha256($2 || lower(ltrim({sql_identifier(c)}, '@'))) = $1"
        for c in export_format.author_columns
    )
    if platform is not None and export_format.name in ROW_PLATFORM_SQL:
        return f"({columns}) AND {ROW_PLATFORM_SQL[export_format.name]} = {sql_literal(platform)}"
    return f"({columns})"


def _delete_raw_rows(
    con: duckdb.DuckDBPyConnection, member: Member, platform: str | None, erasure: Erasure
) -> set[str]:
    """Delete the member's rows; return every identifier those rows gave them (id, handle,
    display name, profile URL), for erasing mentions elsewhere."""
    identifiers: set[str] = set()
    for export_format in FORMATS:
        condition = _matches(export_format, platform)
        if condition is None:
            continue
        table = f"raw.{export_format.raw_table}"
        values = ", ".join(sql_identifier(c) for c in export_format.author_columns)
        found = con.execute(f"SELECT {values} FROM {table} WHERE {condition}", [*member])
        rows = found.fetchall()
        if not rows:
            continue
        identifiers |= {normalise(v) for row in rows for v in row if v and normalise(v)}
        con.execute(f"DELETE FROM {table} WHERE {condition}", [*member])
        erasure.raw_rows[export_format.raw_table] = len(rows)
    return identifiers


def _pattern(identifiers: Iterable[str]) -> str | None:
    usable = sorted((i for i in identifiers if len(i) >= MIN_REDACTED_LENGTH), key=len)
    if not usable:
        return None
    return "(" + "|".join(re.escape(i) for i in reversed(usable)) + ")"


def _platform_condition(table: str, platform: str | None) -> str | None:
    """Which rows of a raw or ops table may name the member on `platform` (None: none)."""
    export_format = next((f for f in FORMATS if f.raw_table == table), None)
    if platform is None or export_format is None:
        return "true"
    if export_format.platform is not None:
        return "true" if export_format.platform == platform else None
    if export_format.name in ROW_PLATFORM_SQL:
        return f"{ROW_PLATFORM_SQL[export_format.name]} = {sql_literal(platform)}"
    return "true" if export_format.author_columns else None


def _redact_everywhere(
    con: duckdb.DuckDBPyConnection, identifiers: set[str], platform: str | None = None
) -> int:
    """Replace the identifiers inside every text value of the raw and bookkeeping tables
    (with a platform: in that platform's raw rows only)."""
    pattern = _pattern(identifiers)
    if pattern is None:
        return 0
    columns = con.execute(
        """SELECT schema_name, table_name, column_name FROM duckdb_columns()
           WHERE database_name = current_database() AND data_type IN ('VARCHAR', 'JSON')
             AND schema_name IN ('raw', 'ops') AND table_name <> 'privacy_salt'"""
    ).fetchall()
    changed = 0
    for schema, table, column in columns:
        rows = _platform_condition(table, platform) if schema == "raw" else "true"
        if rows is None:
            continue
        relation = f"{sql_identifier(schema)}.{sql_identifier(table)}"
        name = sql_identifier(column)
        result = con.execute(
            f"""UPDATE {relation} SET {name} = regexp_replace({name}, ?, ?, 'gi')
                WHERE regexp_matches({name}, ?, 'i') AND {rows}""",
            [pattern, ERASED, pattern],
        ).fetchone()
        changed += int(result[0]) if result else 0
    return changed


# --- archived and quarantined files --------------------------------------------------------


def _kept_files_of_member(
    con: duckdb.DuckDBPyConnection, member: Member, platform: str | None, config: Config
) -> list[Path] | None:
    """With a platform, the archived files the member's rows came from; None: all files."""
    if platform is None:
        return None
    files: set[str] = set()
    for export_format in FORMATS:
        condition = _matches(export_format, platform)
        if condition is not None:
            rows = con.execute(
                f"SELECT DISTINCT _source_file FROM raw.{export_format.raw_table} "
                f"WHERE {condition}",
                [*member],
            ).fetchall()
            files |= {name for (name,) in rows}
    if not files:
        return []
    origins = con.execute(
        "SELECT DISTINCT run_key, origin FROM ops.load_manifest "
        "WHERE status = 'loaded' AND list_contains(?, file_name)",
        [sorted(files)],
    ).fetchall()
    return [config.home.archive / run_key / origin for run_key, origin in origins]


def _rewrite_kept_files(
    config: Config, identifiers: set[str], only: list[Path] | None = None
) -> list[str]:
    rewritten = []
    for folder in (config.home.archive, config.home.quarantine):
        # Regular files only: a quarantined link is never followed, a pipe never opened.
        for path in sorted(p for p in folder.rglob("*") if stat.S_ISREG(p.lstat().st_mode)):
            if only is not None and path not in only:
                continue
            before = path.read_bytes()
            after = rewrite_bytes(before, identifiers)
            if after != before:
                _replace(path, after)
                rewritten.append(path.relative_to(config.home.root).as_posix())
    return rewritten


def _replace(path: Path, data: bytes) -> None:
    """Write a new file and rename it over the old one: a quarantined file that was landed
    as a hard link shares its bytes with a file outside the home, which must not change."""
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=".forget-")
    with os.fdopen(descriptor, "wb") as sink:
        sink.write(data)
    Path(name).replace(path)


def rewrite_bytes(data: bytes, identifiers: set[str]) -> bytes:
    """The file without the member: zip members each, JSON by object, CSV by row; any
    other text by replacing the identifiers; binary data that names no one as it was."""
    if data.startswith(b"PK\x03\x04"):
        return _rewrite_zip(data, identifiers)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data
    lowered = text.lower()
    if not any(identifier in lowered for identifier in identifiers):
        return data
    rewritten = _rewrite_json(text, identifiers)
    if rewritten is None:
        rewritten = _rewrite_csv(text, identifiers)
    pattern = _pattern(identifiers)
    if pattern is not None:
        rewritten = re.sub(pattern, ERASED, rewritten, flags=re.IGNORECASE)
    return rewritten.encode("utf-8")


def _rewrite_zip(data: bytes, identifiers: set[str]) -> bytes:
    try:
        source = zipfile.ZipFile(io.BytesIO(data))
        if expansion_problem(source.infolist()):
            # A quarantined zip bomb: never expanded, here neither. Ingest never read it.
            log.warning("a quarantined archive too large to unpack was left as it is")
            return data
        members = [(info, source.read(info)) for info in source.infolist()]
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
        return data
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info, content in members:
            info.__class__ = _AnyNameZipInfo
            folder = info.filename.endswith("/")
            target.writestr(info, content if folder else rewrite_bytes(content, identifiers))
    return out.getvalue()


class _AnyNameZipInfo(zipfile.ZipInfo):
    """zipfile's is_dir() fails on a member without a name, which an archive may hold."""

    __slots__ = ()

    def is_dir(self) -> bool:
        return self.filename.endswith("/")


_JS_ASSIGNMENT = re.compile(r"^\s*window\.[\w.]+\s*=\s*")  # X archive files: `window.YTD... = [`


def _rewrite_json(text: str, identifiers: set[str]) -> str | None:
    prefix = ""
    assignment = _JS_ASSIGNMENT.match(text)
    if assignment:
        prefix, text = text[: assignment.end()], text[assignment.end() :]
    try:
        documents = [json.loads(text)]
        separator = ""
    except ValueError:
        try:  # JSON Lines
            documents = [json.loads(line) for line in text.splitlines() if line.strip()]
            separator = "\n"
        except ValueError:
            return None
    kept = [_without_member(d, identifiers) for d in documents]
    body = separator.join(json.dumps(d, ensure_ascii=False) for d in kept)
    return prefix + body + ("\n" if separator else "")


def _names_member(value: Any, identifiers: set[str]) -> bool:
    return isinstance(value, str) and normalise(value) in identifiers


def _without_member(value: Any, identifiers: set[str]) -> Any:
    """Drop every object that names the member in one of its own fields, at any depth."""
    if isinstance(value, dict):
        return {
            key: _without_member(item, identifiers)
            for key, item in value.items()
            if not (isinstance(item, dict) and _object_names_member(item, identifiers))
        }
    if isinstance(value, list):
        return [
            _without_member(item, identifiers)
            for item in value
            if not (isinstance(item, dict) and _object_names_member(item, identifiers))
        ]
    return value


def _object_names_member(item: dict[str, Any], identifiers: set[str]) -> bool:
    return any(_names_member(v, identifiers) for v in item.values())


def _rewrite_csv(text: str, identifiers: set[str]) -> str:
    try:
        dialect = csv.Sniffer().sniff(text[:65536], delimiters=",;\t")
    except csv.Error:
        return text
    out = io.StringIO()
    writer = csv.writer(out, dialect=dialect, lineterminator="\n")
    for row in csv.reader(io.StringIO(text), dialect=dialect):
        if not any(_names_member(cell, identifiers) for cell in row):
            writer.writerow(row)
    return out.getvalue()
