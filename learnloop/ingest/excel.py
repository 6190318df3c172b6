"""Excel workbooks (.xls and .xlsx) as CSV that DuckDB's `read_csv` can read.

DuckDB's excel extension cannot be downloaded here (and does not read the old .xls), so
python-calamine opens the workbook and each sheet is written, cell by cell as text, to a CSV
next to the workbook's copy in the run folder. Only that conversion is Python; parsing and
typing stay in the readers' SQL.

calamine cannot be made to stop early: a single cell at XFD1048576 makes it allocate 512 GiB
and abort the process with a Rust backtrace, and other malformed sheets make it panic. So
the conversion runs in a child process (learnloop/ingest/excel_child.py) under an
address-space limit and a time limit, and refuses sheets whose used range is absurd before
it reads their cells. Whatever happens there, this process only sees CSVs or one line.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from learnloop.ingest import excel_child
from learnloop.ingest.names import display

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (and other old Office files)
ZIP_MAGIC = b"PK\x03\x04"  # .xlsx
# Exports put a title row (LinkedIn) or a few notes above the header.
HEADER_ROWS_SEARCHED = excel_child.HEAD_ROWS
# What the child may use; a LinkedIn export or an insight register needs a few MiB.
CHILD_MEMORY_BYTES = 1024 * 1024 * 1024
CHILD_SECONDS = 300


@dataclass(frozen=True)
class SheetHeader:
    sheet: str
    row: int  # 0-based row of the header in the sheet
    columns: Mapping[str, str]  # canonical field -> header as written


@dataclass(frozen=True)
class Sheet:
    name: str
    csv: Path  # every row of the sheet, from A1
    head: list[list[str]]  # its first HEADER_ROWS_SEARCHED rows


@dataclass(frozen=True)
class Workbook:
    sheets: list[Sheet] = field(default_factory=list)
    error: str | None = None  # why it cannot be read, as one line


def looks_like_workbook(head: bytes) -> bool:
    return head.startswith((OLE2_MAGIC, ZIP_MAGIC))


def _resolve(cells: list[str], synonyms: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    by_lower: dict[str, str] = {}
    for cell in cells:
        if cell.strip():
            by_lower.setdefault(cell.strip().lower(), cell)
    columns: dict[str, str] = {}
    for field_name, names in synonyms.items():
        for name in names:
            if name in by_lower:
                columns[field_name] = by_lower[name]
                break
    return columns


_CONVERTED: dict[tuple[str, int, int], Workbook] = {}


def open_workbook(path: Path) -> Workbook:
    """The workbook's sheets as CSVs, converted once per file (the detectors of several
    formats ask for the same workbook) into `<path>.sheets/` beside it."""
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key not in _CONVERTED:
        _CONVERTED[key] = _convert(path)
    return _CONVERTED[key]


def _convert(path: Path) -> Workbook:
    folder = path.with_name(path.name + ".sheets")
    folder.mkdir(exist_ok=True)
    command = [
        sys.executable,
        "-m",
        "learnloop.ingest.excel_child",
        str(path),
        str(folder),
        str(CHILD_MEMORY_BYTES),
    ]
    try:
        done = subprocess.run(command, capture_output=True, timeout=CHILD_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        return Workbook(error=f"the Excel reader did not finish within {CHILD_SECONDS} s")
    manifest = folder / excel_child.MANIFEST
    if done.returncode != 0 or not manifest.exists():
        return Workbook(
            error=(
                f"the Excel reader gave up (it would need more than "
                f"{CHILD_MEMORY_BYTES // 1024**2} MiB of memory, or crashed): a sheet's used "
                "range is far too large or the workbook is damaged"
            )
        )
    result = json.loads(manifest.read_text(encoding="utf-8"))
    if result.get("error"):
        return Workbook(error=result["error"])
    return Workbook([Sheet(s["name"], folder / s["csv"], s["head"]) for s in result["sheets"]])


def find_sheet(
    path: Path, synonyms: Mapping[str, tuple[str, ...]], markers: tuple[str, ...], minimum: int
) -> SheetHeader | None:
    """The first sheet with a header row (among its first rows) that names all `markers`
    and at least `minimum` of the canonical fields; None for other or unreadable files."""
    for sheet in open_workbook(path).sheets:
        for number, cells in enumerate(sheet.head):
            columns = _resolve(cells, synonyms)
            if len(columns) >= minimum and all(m in columns for m in markers):
                return SheetHeader(sheet.name, number, columns)
    return None


def sheet_as_csv(path: Path, header: SheetHeader) -> Path:
    """A CSV of the header's sheet: the header row first, then the rows below it."""
    sheet = next(s for s in open_workbook(path).sheets if s.name == header.sheet)
    if header.row == 0:
        return sheet.csv
    trimmed = sheet.csv.with_name(f"{sheet.csv.stem}-from-row-{header.row}.csv")
    if not trimmed.exists():
        # The title rows above the header are not data; at most a few rows are dropped.
        with (
            sheet.csv.open(encoding="utf-8", newline="") as source,
            trimmed.open("w", encoding="utf-8", newline="") as sink,
        ):
            rows = csv.reader(source)
            for _ in range(header.row):
                next(rows, None)
            csv.writer(sink).writerows(rows)
    return trimmed


def describe_workbook(path: Path) -> str:
    """Why a workbook matched no export format, as the end of a one-line reason."""
    workbook = open_workbook(path)
    if workbook.error:
        return f"an Excel workbook, but {workbook.error}"
    names = ", ".join(repr(display(s.name)[:40]) for s in workbook.sheets[:5]) or "none"
    return (
        "an Excel workbook whose sheets match no known export format (no header among the "
        f"first {HEADER_ROWS_SEARCHED} rows names enough known columns; sheets: {names})"
    )
