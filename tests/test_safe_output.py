"""CSV outputs escape cells that a spreadsheet would run as a formula (CSV injection)."""

from __future__ import annotations

import csv
from datetime import date

import duckdb
import pytest

from learnloop.config import Config
from learnloop.report import write_summary
from learnloop.safe_output import escape_csv_cell, escape_csv_cell_sql

CELLS = {
    '=HYPERLINK("http://evil.example","click")': '\'=HYPERLINK("http://evil.example","click")',
    "+49 30 1234567": "'+49 30 1234567",
    "-2+3": "'-2+3",
    "@SUM(1+1)": "'@SUM(1+1)",
    "\t=1+1": "'\t=1+1",
    "\r=1+1": "'\r=1+1",
    "plain text = fine": "plain text = fine",
    "": "",
    "instagram": "instagram",
}


@pytest.mark.parametrize(("value", "escaped"), CELLS.items(), ids=range(len(CELLS)))
def test_formula_cells_get_a_leading_apostrophe_and_others_stay(value: str, escaped: str):
    assert escape_csv_cell(value) == escaped
    # The SQL form used by COPY gives exactly the same cell.
    with duckdb.connect() as con:
        sql = f"SELECT {escape_csv_cell_sql('v')} FROM (SELECT ?::VARCHAR AS v)"
        assert con.execute(sql, [value]).fetchone() == (escaped,)


def test_report_csv_escapes_text_cells_and_leaves_numbers(config: Config):
    published = config.home.published
    with duckdb.connect(str(published)) as con:
        con.execute("CREATE SCHEMA analytics")
        con.execute(
            """CREATE TABLE analytics.kpi_weekly AS SELECT * FROM (VALUES
               (DATE '2026-01-05', '=cmd|'' /C calc''!A0', 3, -1, 2, 0.5, 10.0, 20.0, 0.0),
               (DATE '2026-01-05', 'all', 3, -1, 2, 0.5, 10.0, 20.0, 0.0))
               AS t(week_start, platform, inbound_messages, outbound_messages, conversations,
                    response_rate, median_first_response_minutes,
                    p90_first_response_minutes, two_way_rate)"""
        )
    summary = write_summary(config, date(2026, 1, 5))
    assert summary is not None
    with (summary.parent / "kpi_weekly.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    # ORDER BY week_start, platform: both '=' and the escaping apostrophe sort before 'a'.
    assert [row[1:4] for row in rows[1:]] == [
        ["'=cmd|' /C calc'!A0", "3", "-1"],
        ["all", "3", "-1"],
    ]
