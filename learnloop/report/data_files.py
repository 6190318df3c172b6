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
from learnloop.report.links import LinkHosts
from learnloop.safe_output import escape_csv_cell_sql, strip_bidi_sql


def write_data_files(
    con: duckdb.DuckDBPyConnection, folder: Path, week: date, links: LinkHosts
) -> list[Path]:
    """kpi_weekly.csv (the 12 weeks the charts show, every platform), unanswered.csv (the
    conversations waiting for an answer, most urgent first) and,
    when signals are published, quotes.csv."""
    first = week - timedelta(weeks=queries.WEEKS_OF_TREND - 1)
    schema = queries.read_schema(con)
    files = {
        "kpi_weekly.csv": (
            "SELECT * FROM analytics.kpi_weekly WHERE week_start BETWEEN $first AND $week "
            "ORDER BY week_start, platform",
            {"first": first, "week": week},
        ),
        "unanswered.csv": (
            "SELECT platform, thread_id, started_at, turns AS community_turns, url "
            f"FROM ({queries.waiting_threads_sql(schema, links)})",
            {"week": week},
        ),
    }
    if queries.signals_available(schema):
        rows = queries.quotes(con, schema, week)
        con.execute(
            "CREATE OR REPLACE TEMP TABLE report_quotes (category VARCHAR, platform VARCHAR, "
            "member_key VARCHAR, text VARCHAR, created_at TIMESTAMPTZ)"
        )
        if rows:
            con.executemany("INSERT INTO report_quotes VALUES (?, ?, ?, ?, ?)", rows)
        files["quotes.csv"] = ("SELECT * FROM report_quotes", {})
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
