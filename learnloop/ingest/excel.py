"""Excel workbooks (.xls and .xlsx) as CSV that DuckDB's `read_csv` can read.

DuckDB's excel extension cannot be downloaded here (and does not read the old .xls), so
python-calamine opens the workbook and one sheet is written, cell by cell as text, to a CSV
in a scratch folder. Only that conversion is Python; parsing and typing stay in the readers'
SQL. The scratch folder lives as long as the process (the query runs after `select_sql`
returns) and keeps only the last few conversions.
"""

from __future__ import annotations

import csv
import tempfile
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from python_calamine import CalamineError, CalamineWorkbook

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (and other old Office files)
ZIP_MAGIC = b"PK\x03\x04"  # .xlsx
# Exports put a title row (LinkedIn) or a few notes above the header.
HEADER_ROWS_SEARCHED = 3
# Conversions kept in the scratch folder; one is needed at a time.
KEPT_CONVERSIONS = 8


@dataclass(frozen=True)
class SheetHeader:
    sheet: str
    row: int  # 0-based row of the header in the sheet
    columns: Mapping[str, str]  # canonical field -> header as written


def looks_like_workbook(head: bytes) -> bool:
    return head.startswith((OLE2_MAGIC, ZIP_MAGIC))


def _resolve(cells: list[object], synonyms: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    by_lower: dict[str, str] = {}
    for cell in cells:
        if isinstance(cell, str) and cell.strip():
            by_lower.setdefault(cell.strip().lower(), cell)
    columns: dict[str, str] = {}
    for field, names in synonyms.items():
        for name in names:
            if name in by_lower:
                columns[field] = by_lower[name]
                break
    return columns


def find_sheet(
    path: Path, synonyms: Mapping[str, tuple[str, ...]], markers: tuple[str, ...], minimum: int
) -> SheetHeader | None:
    """The first sheet with a header row (among its first rows) that names all `markers`
    and at least `minimum` of the canonical fields; None for other or unreadable files."""
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        for name in workbook.sheet_names:
            rows = workbook.get_sheet_by_name(name).to_python(
                skip_empty_area=False, nrows=HEADER_ROWS_SEARCHED
            )
            for number, cells in enumerate(rows):
                columns = _resolve(list(cells), synonyms)
                if len(columns) >= minimum and all(m in columns for m in markers):
                    return SheetHeader(name, number, columns)
    except (CalamineError, OSError, ValueError):
        return None
    return None


class _Scratch:
    """A process-wide scratch folder, removed at exit, with the last conversions in it."""

    def __init__(self) -> None:
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self._converted: OrderedDict[tuple[str, int, int, str], Path] = OrderedDict()
        self._count = 0

    def csv_of(self, path: Path, header: SheetHeader) -> Path:
        stat = path.stat()
        key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size, header.sheet)
        if key in self._converted:
            self._converted.move_to_end(key)
            return self._converted[key]
        if self._folder is None:
            self._folder = tempfile.TemporaryDirectory(prefix="learnloop-excel-")
        self._count += 1
        target = Path(self._folder.name) / f"sheet-{self._count}.csv"
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(header.sheet)
        with target.open("w", encoding="utf-8", newline="") as sink:
            # Every cell as text (numbers as calamine reads them, e.g. 1200.0); the reader's
            # SQL casts. Rows from the header on; the title rows above are not data.
            csv.writer(sink).writerows(
                ["" if cell is None else str(cell) for cell in row]
                for row in sheet.to_python(skip_empty_area=False)[header.row :]
            )
        self._converted[key] = target
        while len(self._converted) > KEPT_CONVERSIONS:
            _, old = self._converted.popitem(last=False)
            old.unlink(missing_ok=True)
        return target


_SCRATCH = _Scratch()


def sheet_as_csv(path: Path, header: SheetHeader) -> Path:
    """A CSV copy of the header's sheet: the header row first, then the rows below it."""
    return _SCRATCH.csv_of(path, header)
