"""CSV outputs escape cells that a spreadsheet would run as a formula (CSV injection).

The report's CSV files use this rule; tests/test_report.py checks them end to end.
"""

from __future__ import annotations

import duckdb
import pytest

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
