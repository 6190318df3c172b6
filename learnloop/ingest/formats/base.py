"""What every export format provides: a content detector and a DuckDB reader."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import ClassVar

from learnloop.config import Config

# How much of a file the detectors look at.
SAMPLE_BYTES = 64 * 1024

# Lineage columns that the loader adds to every raw row.
LINEAGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_source_file", "VARCHAR"),
    ("_source_checksum", "VARCHAR"),
    ("_source_row", "BIGINT"),
    ("_run_key", "VARCHAR"),
    ("_loaded_at", "TIMESTAMPTZ"),
)


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


class ExportFormat(ABC):
    """One export format: recognised by content, read by DuckDB into its raw table.

    `select_sql` returns a query over the file that yields exactly `columns` plus
    `_source_row` (1-based position in the file); the loader adds the other lineage columns.
    """

    name: ClassVar[str]  # as `learnloop inspect` prints it and as [timezones] keys it
    title: ClassVar[str]
    raw_table: ClassVar[str]  # in schema `raw`
    raw_description: ClassVar[str]  # what one raw row is, for the generated dbt source
    columns: ClassVar[tuple[tuple[str, str], ...]]
    # Descriptions of raw columns whose name does not say enough (the dbt source shows them).
    column_docs: ClassVar[tuple[tuple[str, str], ...]] = ()  # (column, description)
    # What the raw gate checks (expectations/raw_batch.py): the row id (not null, unique per
    # file), the defining timestamp (parsed, not in the future) and counts (not negative).
    id_column: ClassVar[str]
    time_column: ClassVar[str]
    count_columns: ClassVar[tuple[str, ...]] = ()
    # False where the export may lack the time for good reason (docs/kpis.md: a post without a
    # known publish time is kept); the time must then still not lie in the future.
    time_required: ClassVar[bool] = True
    # Direct-message archives: their member paths name the people in the conversation.
    private_messages: ClassVar[bool] = False
    # Raw columns that identify a community member who wrote a row (id, handle, name), for
    # `learnloop forget`; empty where every row is the brand's own (posts, followers).
    author_columns: ClassVar[tuple[str, ...]] = ()
    # The one platform every row of the export belongs to (lower-case, as `platform` in the
    # marts); None where the rows name their platform (`platform_column`, Meta's exports of
    # Facebook and Instagram) or the export is no platform's (backlog, insights, labels).
    # The known platforms (`[brand]` keys, `--platform`, dbt's accepted values) are these.
    platform: ClassVar[str | None]
    # A raw column whose values become `platform` (inbox tools name it per row); the loader
    # refuses a file that names a platform reserved for an aggregate row ('all').
    platform_column: ClassVar[str | None] = None
    # True for a format exported as UTF-16 with a byte-order mark (its NUL bytes are text).
    reads_utf16: ClassVar[bool] = False

    @abstractmethod
    def detect(self, sample: FileSample, config: Config) -> bool:
        """True when the file's content has this format's shape."""

    @abstractmethod
    def select_sql(self, path: Path, sample: FileSample, config: Config) -> str:
        """The query that reads the file; raises FormatError when it cannot be read."""

    def create_table_sql(self) -> str:
        columns = ", ".join(f"{name} {type_}" for name, type_ in (*self.columns, *LINEAGE_COLUMNS))
        return f"CREATE TABLE IF NOT EXISTS raw.{self.raw_table} ({columns})"
