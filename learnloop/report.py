"""The weekly KPI summary: what `make demo` prints and the report task writes.

A first, plain report: the latest week's dialogue KPIs per platform, as Markdown, with the
weekly table behind it as CSV. The full HTML learning report builds on this.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import duckdb

from learnloop.config import Config
from learnloop.db import connect, sql_identifier, sql_literal
from learnloop.errors import ConfigError
from learnloop.safe_output import escape_csv_cell_sql

COLUMNS = (
    ("platform", "platform"),
    ("inbound_messages", "inbound"),
    ("outbound_messages", "outbound"),
    ("conversations", "conversations"),
    ("response_rate", "response rate"),
    ("median_first_response_minutes", "median 1st response (min)"),
    ("p90_first_response_minutes", "p90 1st response (min)"),
    ("two_way_rate", "two-way rate"),
)


def latest_week(published: Path) -> date | None:
    with connect(published, read_only=True) as con:
        row = con.execute(
            "SELECT max(week_start) FROM analytics.kpi_weekly WHERE inbound_messages > 0"
        ).fetchone()
    return row[0] if row else None


def week_rows(published: Path, week: date) -> list[tuple]:
    names = ", ".join(name for name, _ in COLUMNS)
    with connect(published, read_only=True) as con:
        return con.execute(
            f"""SELECT {names} FROM analytics.kpi_weekly WHERE week_start = ?
                ORDER BY platform = 'all', platform""",
            [week],
        ).fetchall()


def _cell(value: object, name: str) -> str:
    if value is None:
        return "-"
    if name.endswith("_rate"):
        return f"{float(value):.0%}"  # type: ignore[arg-type]
    if isinstance(value, float):
        return f"{value:.0f}"
    return str(value)


def summary_table(published: Path, week: date) -> str:
    """The week's KPIs as a Markdown table."""
    header = "| " + " | ".join(label for _, label in COLUMNS) + " |"
    rule = "|" + "---|" * len(COLUMNS)
    lines = [header, rule]
    for row in week_rows(published, week):
        cells = (_cell(value, name) for value, (name, _) in zip(row, COLUMNS, strict=True))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def iso_week_label(week: date) -> str:
    year, number, _ = week.isocalendar()
    return f"{year}-W{number:02d}"


def parse_iso_week(label: str) -> date:
    """'2026-W44' -> the Monday of that ISO week."""
    match = re.fullmatch(r"(\d{4})-W(\d{2})", label.strip())
    if not match:
        raise ConfigError(f"--week: expected an ISO week like 2026-W44, got {label!r}")
    try:
        return date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        raise ConfigError(f"--week: {label!r} is not a week of that year") from None


def write_summary(config: Config, week: date | None = None) -> Path | None:
    """reports/<YYYY-Www>/summary.md and kpi_weekly.csv, by default for the latest week with
    messages; None when nothing is published yet."""
    published = config.home.published
    if not published.exists():
        return None
    week = week or latest_week(published)
    if week is None:
        return None
    folder = config.home.reports / iso_week_label(week)
    folder.mkdir(parents=True, exist_ok=True)
    summary = folder / "summary.md"
    summary.write_text(
        f"# LearnLoop - week {iso_week_label(week)} (from {week})\n\n"
        f"How well we listened, per platform:\n\n{summary_table(published, week)}\n",
        encoding="utf-8",
    )
    with connect(published, read_only=True) as con:
        con.execute(
            f"COPY ({_spreadsheet_safe_select(con, 'kpi_weekly')} ORDER BY week_start, platform) "
            f"TO {sql_literal(str(folder / 'kpi_weekly.csv'))} (HEADER)"
        )
    return summary


def _spreadsheet_safe_select(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """SELECT of a published table whose text columns cannot start a spreadsheet formula."""
    columns = con.execute(
        """SELECT column_name, data_type FROM duckdb_columns()
           WHERE schema_name = 'analytics' AND table_name = ? ORDER BY column_index""",
        [table],
    ).fetchall()
    cells = [
        f"{escape_csv_cell_sql(sql_identifier(name))} AS {sql_identifier(name)}"
        if data_type == "VARCHAR"
        else sql_identifier(name)
        for name, data_type in columns
    ]
    return f"SELECT {', '.join(cells)} FROM analytics.{sql_identifier(table)}"
