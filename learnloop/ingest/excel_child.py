"""The child process that converts a workbook's sheets to CSV (see learnloop/ingest/excel.py).

    python -m learnloop.ingest.excel_child WORKBOOK OUT_DIR

Runs under an address-space limit set before python-calamine is imported: a hostile
workbook that makes calamine allocate hundreds of GiB then fails here, alone, instead of
aborting the pipeline. Writes OUT_DIR/sheets.json: per sheet its name, its CSV file and its
first rows (for header detection), or one line saying why the workbook cannot be read.
Imports nothing of LearnLoop: the child must start fast and stay small.
"""

from __future__ import annotations

import csv
import json
import resource
import sys
from pathlib import Path

# A sheet is converted cell by cell from A1 to its last used cell; beyond this many cells
# it is a stray cell far below or right of the data (XFD1048576), not an export.
MAX_SHEET_CELLS = 5_000_000
# The CSVs of one workbook together; more is not a LinkedIn export or an insight register.
MAX_CSV_BYTES = 512 * 1024 * 1024
HEAD_ROWS = 3
MANIFEST = "sheets.json"


class TooLarge(Exception):
    pass


def _cell(value: object) -> str:
    # Every cell as text (numbers as calamine reads them, e.g. 1200.0); the readers' SQL casts.
    return "" if value is None else str(value)


def _convert(workbook_path: Path, out_dir: Path) -> list[dict[str, object]]:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(workbook_path))
    sheets: list[dict[str, object]] = []
    written = 0
    for number, name in enumerate(workbook.sheet_names, start=1):
        sheet = workbook.get_sheet_by_name(name)
        empty = sheet.height == 0 or sheet.width == 0
        rows, columns = (0, 0) if empty else (sheet.end[0] + 1, sheet.end[1] + 1)
        if rows * columns > MAX_SHEET_CELLS:
            raise TooLarge(
                f"sheet {name!r} spans {rows} rows x {columns} columns from A1, more than "
                f"{MAX_SHEET_CELLS} cells; delete the stray cells far below or right of the data"
            )
        # iter_rows() yields rows from the first sheet row but columns from the first used
        # one; the blank columns before it are put back, so that cells keep their places.
        blank_columns = [""] * (0 if empty else sheet.start[1])
        target = out_dir / f"sheet-{number}.csv"
        head: list[list[str]] = []
        with target.open("w", encoding="utf-8", newline="") as sink:
            writer = csv.writer(sink)
            for index, row in enumerate([] if empty else sheet.iter_rows()):
                cells = blank_columns + [_cell(value) for value in row]
                if index < HEAD_ROWS:
                    head.append(cells)
                writer.writerow(cells)
                written += sum(len(cell) for cell in cells) + len(cells)
                if written > MAX_CSV_BYTES:
                    raise TooLarge(f"the workbook's sheets hold more than {MAX_CSV_BYTES} bytes")
        sheets.append({"name": name, "csv": target.name, "head": head})
    return sheets


def main(workbook: str, out_dir: str, memory_bytes: str) -> None:
    limit = int(memory_bytes)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    folder = Path(out_dir)
    try:
        result: dict[str, object] = {"sheets": _convert(Path(workbook), folder)}
    except TooLarge as exc:
        result = {"error": str(exc)}
    except BaseException as exc:  # calamine panics are BaseExceptions, not Exceptions
        detail = " ".join(str(exc).split())[:200] or type(exc).__name__
        result = {"error": f"the workbook cannot be read ({detail})"}
    (folder / MANIFEST).write_text(json.dumps(result), encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:])
