"""reports/<YYYY-Www>/: index.html, the CSV data behind it and summary.md, from the published
warehouse opened read-only (the report reads exactly what BI tools read)."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import duckdb

from learnloop.config import Config
from learnloop.db import connect
from learnloop.errors import LearnLoopError
from learnloop.report import content, queries
from learnloop.report.data_files import write_data_files
from learnloop.report.html import render
from learnloop.report.summary import write_summary
from learnloop.report.weeks import iso_week_label

log = logging.getLogger(__name__)


def latest_week(published: Path) -> date | None:
    with connect(published, read_only=True) as con:
        return queries.latest_week(con)


class NoSuchWeek(LearnLoopError):
    """The requested week is outside the published data."""


def _require_week(con: duckdb.DuckDBPyConnection, week: date) -> None:
    first, last = con.execute(
        "SELECT min(week_start), max(week_start) FROM analytics.kpi_weekly"
    ).fetchone()
    if first is None or not first <= week <= last:
        span = f"{iso_week_label(first)} to {iso_week_label(last)}" if first else "none"
        raise NoSuchWeek(
            f"--week {iso_week_label(week)}: no published data for that week (published weeks: {span})"
        )


def write_report(config: Config, week: date | None = None) -> Path | None:
    """The week's report (default: the latest week with community messages); returns the
    path of index.html, or None when nothing is published yet."""
    published = config.home.published
    if not published.exists():
        return None
    with connect(published, read_only=True) as con:
        if week is not None:
            _require_week(con, week)
        week = week or queries.latest_week(con)
        if week is None:
            return None
        folder = config.home.reports / iso_week_label(week)
        folder.mkdir(parents=True, exist_ok=True)
        report = content.build(con, published, week, config.report.language, config.timezone)
        write_data_files(con, folder, week)
    page = folder / "index.html"
    staged = folder / "index.html.tmp"
    staged.write_text(render(report), encoding="utf-8")
    staged.replace(page)  # a reader never sees half a page
    write_summary(published, week, folder)
    log.info("wrote the report for %s to %s", iso_week_label(week), page)
    return page
