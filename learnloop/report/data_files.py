"""The data behind the report, as CSV next to index.html, written by DuckDB's COPY.

A spreadsheet runs a cell that starts with = + - @ (or a tab/CR) as a formula. Quotes and
titles are written by community members, so every text cell starting with one of those
characters gets a leading apostrophe: shown as text by Excel, LibreOffice and Google Sheets.
Bidi controls are removed from text cells, as from the page.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb

from learnloop.db import sql_identifier, sql_literal
from learnloop.report import queries
from learnloop.safe_output import escape_csv_cell_sql, strip_bidi_sql


def write_data_files(con: duckdb.DuckDBPyConnection, folder: Path, week: date) -> list[Path]:
    """kpi_weekly.csv (the 12 weeks the charts show, every platform) and, when the file has
    the report marts, unanswered.csv (the conversations waiting for an answer, most urgent
    first) and quotes.csv: the rows the page lists, from the same relations."""
    first = week - timedelta(weeks=queries.WEEKS_OF_TREND - 1)
    schema = queries.read_schema(con)
    files = {
        "kpi_weekly.csv": (
            "SELECT * FROM analytics.kpi_weekly WHERE week_start BETWEEN $first AND $week "
            "ORDER BY week_start, platform",
            {"first": first, "week": week},
        ),
    }
    if schema.has(queries.WAITING):
        files["unanswered.csv"] = (
            f"SELECT * EXCLUDE (text) FROM ({queries.waiting_sql()})",
            {"week": week},
        )
    if schema.has(queries.QUOTES):
        files["quotes.csv"] = (queries.quotes_sql(), {"week": week})
    written = []
    for name, (query, parameters) in files.items():
        target = folder / name
        _copy_csv(con, query, parameters, target)
        written.append(target)
    return written


def _copy_csv(con: duckdb.DuckDBPyConnection, query: str, parameters: dict, target: Path) -> None:
    columns = con.execute(f"DESCRIBE {query}", parameters).fetchall()
    selected = ", ".join(_safe_cell(name, str(kind)) for name, kind, *_ in columns)
    con.execute(
        f"COPY (SELECT {selected} FROM ({query})) TO {sql_literal(str(target))} (HEADER)",
        parameters,
    )


def _safe_cell(name: str, kind: str) -> str:
    column = sql_identifier(name)
    if kind != "VARCHAR":
        return column
    return f"{escape_csv_cell_sql(strip_bidi_sql(column))} AS {column}"
