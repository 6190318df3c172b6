"""The short KPI summary: what `make demo` prints, and summary.md next to the HTML report.

The latest week's dialogue KPIs per platform, as Markdown.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from learnloop.db import connect
from learnloop.report.weeks import iso_week_label
from learnloop.safe_output import markdown_text

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
    if isinstance(value, str):  # a platform name comes from the data: shown, never markup
        return markdown_text(value)
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


def write_summary(published: Path, week: date, folder: Path) -> Path:
    """summary.md: the week's listening KPIs per platform, for a terminal or a chat message."""
    summary = folder / "summary.md"
    summary.write_text(
        f"# LearnLoop - week {iso_week_label(week)} (from {week})\n\n"
        f"How well we listened, per platform:\n\n{summary_table(published, week)}\n",
        encoding="utf-8",
    )
    return summary
