"""What the report says, in the order the issue asks for: learned, did, listened, reach.

Turns query results into a plain view model (dicts and lists of strings) that the HTML
template only lays out. Every value that came from the warehouse is still raw text here; the
template escapes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from learnloop.report import headline, queries
from learnloop.report.charts import trend_svg
from learnloop.report.texts import Texts
from learnloop.report.weeks import iso_week_label

# Headline metrics per section (kpi_weekly columns, platform 'all'), in the order shown.
SECTIONS = {
    "learned": ["inbound_messages", "signals", "signal_rate"],
    "did": [
        "insights_logged",
        "insights_actioned",
        "insights_shipped",
        "loops_closed",
        "open_loops",
        "median_days_to_action",
        "closed_loop_rate_12w",
    ],
    "listened": [
        "conversations",
        "response_rate",
        "median_first_response_minutes",
        "p90_first_response_minutes",
        "two_way_rate",
    ],
    "reach": [
        "posts",
        "engagement_rate",
        "conversation_rate",
        "amplification_rate",
        "applause_rate",
    ],
    "context": ["followers_end", "follower_delta"],
}


@dataclass
class Headline:
    metric: str
    label: str
    value: str
    change: str
    compared: bool  # False when this or the previous week has no value
    chart: str  # trusted SVG markup built by charts.trend_svg from numbers and escaped text


@dataclass
class Report:
    language: str
    title: str
    week_label: str
    period: str
    freshness: str | None
    summary: str  # the paragraph at the top (headline.py)
    headlines: dict[str, list[Headline]]
    missing: dict[str, str | None]
    signal_counts: list[tuple[str, str]] = field(default_factory=list)
    quotes: list[dict[str, str]] = field(default_factory=list)
    topics: list[dict[str, str | None]] | None = None
    open_loops: list[dict[str, str]] | None = None
    unanswered: list[dict[str, str | None]] = field(default_factory=list)
    unanswered_total: int | None = 0  # None: the file has no rpt_waiting_threads
    # A list whose report mart the file lacks (published by an older version): the note
    # shown instead, by list ("quotes", "open_loops", "waiting").
    not_published: dict[str, str] = field(default_factory=dict)
    by_platform: list[list[str]] = field(default_factory=list)
    source_file: str = ""


@dataclass(frozen=True)
class _Week:
    """What each section reads: the texts, the published warehouse, the week and the
    reporting zone."""

    t: Texts
    con: duckdb.DuckDBPyConnection
    schema: queries.Schema
    week: date
    tz: str


def build(
    con: duckdb.DuckDBPyConnection,
    published: Path,
    week: date,
    language: str,
    timezone: str,
) -> Report:
    t = Texts(language)
    schema = queries.read_schema(con)
    wanted = [metric for metrics in SECTIONS.values() for metric in metrics]
    series = queries.trend(con, schema, week, wanted)
    headlines = {
        section: [
            _headline(t, metric, series[metric], week) for metric in metrics if metric in series
        ]
        for section, metrics in SECTIONS.items()
    }
    missing = {section: None for section in SECTIONS}
    for section in ("did", "reach", "context"):
        if not headlines[section]:
            missing[section] = t(
                "not_yet", what=t("what.insights" if section == "did" else "what.metrics")
            )
    report = Report(
        language=language,
        title=t("title"),
        week_label=t("week", label=iso_week_label(week)),
        period=t("period", start=week.isoformat(), end=(week + timedelta(days=6)).isoformat()),
        freshness=_freshness(t, queries.freshness(con, schema), timezone),
        summary="",
        headlines=headlines,
        missing=missing,
        source_file=published.name,
    )
    this_week = _Week(t, con, schema, week, timezone)
    signal_totals = _learned(report, this_week)
    _did(report, this_week)
    _listened(report, this_week)
    messages = dict(series.get("inbound_messages", [])).get(week) or 0
    facts = headline.WeekFacts(
        week_label=iso_week_label(week),
        messages=int(messages),
        signals=signal_totals,
        topics=[topic["term"] for topic in report.topics] if report.topics is not None else None,
        shipped=queries.shipped_insights(con, schema, week, timezone),
        open_loops=(
            [(loop["id"], loop["title"]) for loop in report.open_loops]
            if report.open_loops is not None
            else None
        ),
        waiting=report.unanswered_total,
    )
    report.summary = headline.paragraph(t, facts, queries.SIGNAL_CATEGORIES)
    return report


def _headline(
    t: Texts, metric: str, points: list[tuple[date, float | None]], week: date
) -> Headline:
    values = dict(points)
    now, before = values.get(week), values.get(week - timedelta(weeks=1))
    label = t(f"metric.{metric}")
    return Headline(
        metric=metric,
        label=label,
        value=t.value(metric, now),
        change=t.change(metric, now, before),
        compared=now is not None and before is not None,
        chart=trend_svg(
            points,
            week,
            queries.WEEKS_OF_TREND,
            t("trend", label=label),
            lambda v: t.value(metric, v),
        ),
    )


def _learned(report: Report, w: _Week) -> dict[str, int] | None:
    """Fills the "learned" section; returns the week's signals per category (None when
    signals are not published)."""
    counts = None
    if not queries.signals_available(w.schema):
        report.missing["learned"] = w.t("not_yet", what=w.t("what.signals"))
    else:
        counts = queries.signal_counts(w.con, w.schema, w.week)
        report.signal_counts = [
            (w.t(f"category.{c}"), w.t.value("signals", counts.get(c, 0)))
            for c in queries.SIGNAL_CATEGORIES
        ]
        quotes = queries.quotes(w.con, w.schema, w.week)
        if quotes is None:
            report.not_published["quotes"] = w.t("not_yet", what=w.t("what.quotes"))
        report.quotes = [
            {
                "category": w.t(f"category.{category}"),
                "platform": platform,
                "member": f"{w.t('member')} {member_key or '-'}",
                "text": text,
                "when": _local(created_at, w.tz),
            }
            for category, platform, member_key, text, created_at in quotes or []
        ]
    topics = queries.emerging_topics(w.con, w.schema, w.week)
    if topics is not None:
        report.topics = [
            {
                "term": term,
                "now": w.t.number(now),
                "before": w.t.number(before),
                "platform": platform,
                "url": url,
            }
            for term, now, before, platform, url in topics
        ]
    return counts


def _did(report: Report, w: _Week) -> None:
    loops = queries.open_loops(w.con, w.schema, w.week)
    if loops is None and w.schema.has("insights"):
        report.not_published["open_loops"] = w.t("not_yet", what=w.t("what.open_loops"))
    if loops is not None:
        report.open_loops = [
            {
                "id": insight_id,
                "title": title,
                "shipped": _local(shipped_at, w.tz),
                "threads": [{"thread": thread, "url": url} for thread, url in threads],
            }
            for insight_id, title, shipped_at, threads in loops
        ]


def _listened(report: Report, w: _Week) -> None:
    report.unanswered_total = queries.unanswered_count(w.con, w.schema, w.week)
    waiting = queries.unanswered_threads(w.con, w.schema, w.week)
    if waiting is None:
        report.not_published["waiting"] = w.t("not_yet", what=w.t("what.waiting"))
    report.unanswered = [
        {
            "platform": platform,
            "thread": thread_id,
            "started": _local(started_at, w.tz),
            "turns": str(turns),
            "url": url,
            "text": text,
        }
        for platform, thread_id, started_at, turns, url, text in waiting or []
    ]
    report.by_platform = [
        [platform, w.t.number(conversations)]
        + [
            w.t.value(metric, value)
            for metric, value in zip(SECTIONS["listened"][1:], rest, strict=True)
        ]
        for platform, conversations, *rest in queries.listening_by_platform(w.con, w.week)
    ]


def _freshness(t: Texts, fresh: tuple[datetime, float] | None, tz: str) -> str | None:
    if fresh is None:
        return None
    newest, hours = fresh
    return t("freshness", newest=_local(newest, tz), hours=t.number(hours))


def _local(moment: datetime, tz: str) -> str:
    """A timestamp in the reporting zone, to the minute."""
    return moment.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")
