"""Escaping for files people open in spreadsheets: CSV cells that start a formula.

Excel, LibreOffice and Google Sheets run a cell that starts with `=`, `+`, `-` or `@` (and,
in some versions, a tab or carriage return) as a formula: `=HYPERLINK(...)` in a community
member's message would become a live link in the report (OWASP "CSV injection"). Such cells
get a leading apostrophe, which spreadsheets show as text and do not display. The warehouse
keeps the value as it was written; only CSV outputs escape it.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_csv_cell(value: str) -> str:
    """The cell as a spreadsheet will show it as text, never run it."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def escape_csv_cell_sql(expression: str) -> str:
    """The same rule as a DuckDB expression, for `COPY ... TO` of a VARCHAR column."""
    starts = ", ".join(f"'{c}'" if c not in "\t\r" else f"chr({ord(c)})" for c in FORMULA_STARTS)
    return (
        f"CASE WHEN left({expression}, 1) IN ({starts}) "
        f"THEN '''' || {expression} ELSE {expression} END"
    )
