"""What every export format provides: a content detector and a DuckDB reader."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, fields
from functools import cached_property
from pathlib import Path

from learnloop.config import Config
from learnloop.db import sql_literal
from learnloop.ingest.formats.spec import LINEAGE_COLUMNS, FormatSpec, spec_of

# How much of a file the detectors look at.
SAMPLE_BYTES = 64 * 1024


@dataclass(frozen=True)
class FileSample:
    """The first bytes of a file, decoded leniently, for format detection."""

    path: Path  # the run's copy to read
    head: bytes
    name: str = ""  # the shown name (below landing/, `archive.zip!member`): data, never a path

    @classmethod
    def of(cls, path: Path, name: str = "") -> FileSample:
        with path.open("rb") as handle:
            return cls(path, handle.read(SAMPLE_BYTES), name)

    @cached_property
    def text(self) -> str:
        # Decoded once: every format's detector reads it (some several times) for each file.
        return self.head.decode("utf-8-sig", errors="replace")

    @property
    def is_text(self) -> bool:
        """False when the first bytes hold a NUL: binary or UTF-16, which no reader of a
        plain-text export (a CSV) can take."""
        return b"\x00" not in self.head


def paths_sql(paths: Sequence[Path]) -> str:
    """The files a reader reads, as the list a DuckDB reader takes (`['a.csv', 'b.csv']`)."""
    return "[" + ", ".join(sql_literal(str(path)) for path in paths) + "]"


class ExportFormat(ABC):
    """One export format: recognised by content, read by DuckDB into its raw table.

    Its declared data comes from the `format.yml` beside its reader (spec.py); the class holds
    the behaviour. `select_sql` returns a query over the file that yields exactly `columns`
    plus `_source_row` (1-based position in the file); the loader adds the other lineage
    columns.
    """

    # The spec's data as attributes: what each means is said in FormatSpec (spec.py).
    spec: FormatSpec
    name: str
    title: str
    platform: str | None
    platform_column: str | None
    raw_table: str
    raw_description: str
    columns: tuple[tuple[str, str], ...]
    column_docs: tuple[tuple[str, str], ...]
    id_column: str
    time_column: str
    time_required: bool
    count_columns: tuple[str, ...]
    author_columns: tuple[str, ...]
    private_messages: bool
    reads_utf16: bool

    def __init__(self, spec: FormatSpec | None = None) -> None:
        self.spec = spec or spec_of(type(self))
        for field in fields(self.spec):
            # A subclass may still set one as a class attribute (a test's twin format).
            if field.name != "reader" and not hasattr(type(self), field.name):
                setattr(self, field.name, getattr(self.spec, field.name))

    @abstractmethod
    def detect(self, sample: FileSample, config: Config) -> bool:
        """True when the file's content has this format's shape."""

    @abstractmethod
    def select_sql(self, path: Path, sample: FileSample, config: Config) -> str:
        """The query that reads the file; raises FormatError when it cannot be read."""

    def shared_reading(self, sample: FileSample, config: Config) -> Hashable | None:
        """Files of this format with the same value here (not None) are read by one query,
        `select_files_sql`; None: the file is read by `select_sql` alone."""
        return None

    def select_files_sql(self, paths: Sequence[Path], sample: FileSample, config: Config) -> str:
        """One query over `paths`, files whose `shared_reading` equals `sample`'s (one of
        them): `select_sql`'s columns for the rows of all of them, with `file_index` (the
        position of the row's file in `paths`, from 0); `_source_row` numbers the rows in the
        order of the files and, within each, of the file (the loader numbers them anew per
        file)."""
        raise NotImplementedError(f"{self.name} reads one file at a time")

    def create_table_sql(self) -> str:
        columns = ", ".join(f"{name} {type_}" for name, type_ in (*self.columns, *LINEAGE_COLUMNS))
        return f"CREATE TABLE IF NOT EXISTS raw.{self.raw_table} ({columns})"


class FilesTogetherFormat(ExportFormat):
    """A format whose reader reads many files of one shape in one query: a query per file
    cost DuckDB 10 to 30 ms of planning each (X's analytics CSVs, Instagram's JSON),
    more than reading them."""

    @abstractmethod
    def shared_reading(self, sample: FileSample, config: Config) -> Hashable | None: ...

    @abstractmethod
    def select_files_sql(
        self, paths: Sequence[Path], sample: FileSample, config: Config
    ) -> str: ...

    def select_sql(self, path: Path, sample: FileSample, config: Config) -> str:
        return (
            f"SELECT * EXCLUDE (file_index) FROM ({self.select_files_sql([path], sample, config)})"
        )
