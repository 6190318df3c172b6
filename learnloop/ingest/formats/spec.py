"""A format's declared data, read from the `format.yml` beside its reader.

The spec is data (raw table, columns, what the raw gate checks, who wrote a row); reader.py is
behaviour (detection, the reader SQL). A wrong file stops the import with one line naming
the file and the key.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import MISSING, dataclass, fields
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from learnloop.errors import LearnLoopError

SPEC_FILE = "format.yml"
# DuckDB type names as the raw tables use them (`BIGINT`, `TIMESTAMPTZ`, `VARCHAR[]`).
_TYPE = re.compile(r"[A-Z][A-Z0-9_]*(\[\])?")
# Lineage columns that the loader adds to every raw row; a format's time may be one of them
# (curated labels are ordered by their load time).
LINEAGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_source_file", "VARCHAR"),
    ("_source_checksum", "VARCHAR"),
    ("_source_row", "BIGINT"),
    ("_run_key", "VARCHAR"),
    ("_loaded_at", "TIMESTAMPTZ"),
)


class FormatSpecError(LearnLoopError):
    """A format.yml that does not describe a format."""


@dataclass(frozen=True)
class FormatSpec:
    """One entry of a format.yml: its keys, which ExportFormat offers as attributes."""

    name: str  # as `learnloop inspect` prints it and as [timezones] keys it
    reader: str  # the ExportFormat class in reader.py that detects and reads it
    title: str
    # The one platform every row of the export belongs to (lower-case, as `platform` in the
    # marts); null where the rows name their platform (`platform_column`, Meta's exports of
    # Facebook and Instagram) or the export is no platform's (backlog, insights, labels).
    # The known platforms (`[brand]` keys, `--platform`, dbt's accepted values) are these.
    platform: str | None
    raw_table: str  # in schema `raw`
    raw_description: str  # what one raw row is, for the generated dbt source
    # What the raw gate checks (expectations/raw_batch.py): the row id (not null, unique per
    # file), the defining timestamp (parsed, not in the future) and counts (not negative).
    id_column: str
    time_column: str
    # (name, DuckDB type) in the order the reader's query yields them; in format.yml a list of
    # {name, type} with a `description` where the name does not say enough (the dbt source
    # shows it), gathered here as column_docs.
    columns: tuple[tuple[str, str], ...]
    column_docs: tuple[tuple[str, str], ...] = ()  # (column, description)
    count_columns: tuple[str, ...] = ()
    # Raw columns that identify a community member who wrote a row (id, handle, name), for
    # `learnloop forget`; empty where every row is the brand's own (posts, followers).
    author_columns: tuple[str, ...] = ()
    # False where the export may lack the time for good reason (docs/kpis.md: a post without a
    # known publish time is kept); the time must then still not lie in the future.
    time_required: bool = True
    # Direct-message archives: their member paths name the people in the conversation.
    private_messages: bool = False
    # A raw column whose values become `platform` (inbox tools name it per row); the loader
    # refuses a file that names a platform reserved for an aggregate row ('all').
    platform_column: str | None = None
    # True for a format exported as UTF-16 with a byte-order mark (its NUL bytes are text).
    reads_utf16: bool = False


_REQUIRED = tuple(f.name for f in fields(FormatSpec) if f.default is MISSING)
_KEYS = tuple(f.name for f in fields(FormatSpec) if f.name != "column_docs")
_BOOLEANS = ("time_required", "private_messages", "reads_utf16")
_OPTIONAL_TEXT = ("platform", "platform_column")
_LISTS = ("count_columns", "author_columns")
_COLUMN_KEYS = ("name", "type", "description")


def spec_of(cls: type) -> FormatSpec:
    """The spec of an ExportFormat class: the format.yml entry beside its module (or a base
    class's) that names it as its reader."""
    for klass in cls.__mro__:
        module_file = getattr(sys.modules.get(klass.__module__), "__file__", None)
        path = Path(module_file).with_name(SPEC_FILE) if module_file else None
        if path is not None and path.is_file():
            for spec in load_specs(path):
                if spec.reader == klass.__name__:
                    return spec
    raise FormatSpecError(f"{cls.__name__}: no {SPEC_FILE} beside its module names it as reader")


@cache
def load_specs(path: Path) -> tuple[FormatSpec, ...]:
    """The formats a format.yml declares, read once per process."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise FormatSpecError(f"{path}: cannot be read ({error.strerror})") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or "a syntax error"
        raise FormatSpecError(f"{path}: not valid YAML{at} ({problem})") from None
    entries = document.get("formats") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not entries:
        raise FormatSpecError(f"{path}: formats: must be a list of one or more formats")
    return tuple(_spec(path, f"formats[{i}]", entry) for i, entry in enumerate(entries))


def _spec(path: Path, where: str, entry: object) -> FormatSpec:
    def fail(key: str, problem: str) -> FormatSpecError:
        return FormatSpecError(f"{path}: {where}.{key}: {problem}")

    if not isinstance(entry, dict):
        raise FormatSpecError(f"{path}: {where}: must be a mapping of keys")
    if isinstance(entry.get("name"), str):
        where = f"{where} ({entry['name']})"
    for key in entry:
        if key not in _KEYS:
            raise fail(str(key), f"unknown key (known: {', '.join(_KEYS)})")
    for key in _REQUIRED:
        if key not in entry:
            raise fail(key, "is missing")
    values: dict[str, Any] = {}
    for key, value in entry.items():
        if key in _BOOLEANS:
            if not isinstance(value, bool):
                raise fail(key, f"must be true or false, not {value!r}")
        elif key in _LISTS:
            if not isinstance(value, list) or not all(_is_text(item) for item in value):
                raise fail(key, "must be a list of column names")
            value = tuple(value)
        elif key == "columns":
            continue
        elif not (_is_text(value) or (value is None and key in _OPTIONAL_TEXT)):
            raise fail(key, f"must be a non-empty text, not {value!r}")
        values[key] = value
    columns, docs = _columns(entry["columns"], fail)
    names = {name for name, _ in columns}
    for key in ("id_column", "time_column", "platform_column", *_LISTS):
        listed = values.get(key)
        for column in listed if isinstance(listed, tuple) else (listed,):
            lineage = key == "time_column" and any(column == name for name, _ in LINEAGE_COLUMNS)
            allowed = column in names or lineage
            if column is not None and not allowed:
                raise fail(key, f"{column!r} is not one of the columns")
    return FormatSpec(**values, columns=columns, column_docs=docs)


def _columns(
    value: object, fail: Callable[[str, str], FormatSpecError]
) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """(name, type) of each column and (name, description) of those that have one."""
    if not isinstance(value, list) or not value:
        raise fail("columns", "must be a list of columns, each with a name and a type")
    columns: list[tuple[str, str]] = []
    docs: list[tuple[str, str]] = []
    for i, column in enumerate(value):
        if not isinstance(column, dict) or set(column) - set(_COLUMN_KEYS):
            raise fail(f"columns[{i}]", f"must be a mapping of {', '.join(_COLUMN_KEYS)}")
        name, type_ = column.get("name"), column.get("type")
        if not _is_text(name) or any(name == seen for seen, _ in columns):
            raise fail(f"columns[{i}].name", f"must be a column name given once, not {name!r}")
        if not isinstance(type_, str) or not _TYPE.fullmatch(type_):
            raise fail(f"columns[{i}].type", f"must be a DuckDB type like VARCHAR, not {type_!r}")
        columns.append((name, type_))
        if "description" in column:
            if not _is_text(column["description"]):
                raise fail(f"columns[{i}].description", "must be a non-empty text")
            docs.append((name, column["description"]))
    return tuple(columns), tuple(docs)


def _is_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())
