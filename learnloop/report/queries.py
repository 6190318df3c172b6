"""Every query the report runs, against the published warehouse opened read-only.

The report reads only what BI tools read. Which quotes, open loops and waiting conversations
it lists, and their links, are decided by the report marts (rpt_quotes_weekly,
rpt_open_loops_weekly, rpt_waiting_threads; dbt_project/models/marts/report/), which the
Superset dashboard reads too: this module only picks the reported week's rows. Relations
that a file published by an older version lacks (the report marts, signals, insights,
topics) are looked up in information_schema first, so such a report says "not available
yet" instead of failing. Results are small (12 weekly rows, a handful of quotes, threads
and topics): DuckDB computes them, Python only formats.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import duckdb

WEEKS_OF_TREND = 12
OPEN_THREADS_SHOWN = 10
TOPICS_SHOWN = 5
SIGNAL_CATEGORIES = ("problem", "complaint", "idea", "question", "praise")
QUOTES = "rpt_quotes_weekly"
OPEN_LOOPS = "rpt_open_loops_weekly"
WAITING = "rpt_waiting_threads"


@dataclass(frozen=True)
class Schema:
    """Which published relations and columns exist: {relation: {column, ...}}."""

    columns: dict[str, frozenset[str]]

    def has(self, relation: str, *names: str) -> bool:
        present = self.columns.get(relation)
        return present is not None and all(name in present for name in names)


def read_schema(con: duckdb.DuckDBPyConnection) -> Schema:
    rows = con.execute(
        """SELECT table_name, list(column_name) FROM information_schema.columns
           WHERE table_schema = 'analytics' GROUP BY table_name"""
    ).fetchall()
    return Schema({table: frozenset(columns) for table, columns in rows})


def latest_week(con: duckdb.DuckDBPyConnection) -> date | None:
    """The newest week in which the community wrote to us."""
    row = con.execute(
        "SELECT max(week_start) FROM analytics.kpi_weekly WHERE inbound_messages > 0"
    ).fetchone()
    return row[0] if row else None


def trend(
    con: duckdb.DuckDBPyConnection, schema: Schema, week: date, metrics: list[str]
) -> dict[str, list[tuple[date, float | None]]]:
    """Each metric's `all`-platform value for the week and the 11 before it, oldest first.

    Only metrics that kpi_weekly publishes are returned; the others are missing from the dict.
    """
    present = [m for m in metrics if schema.has("kpi_weekly", m)]
    if not present:
        return {}
    first = week - timedelta(weeks=WEEKS_OF_TREND - 1)
    selected = ", ".join(f"CAST({m} AS DOUBLE)" for m in present)
    rows = con.execute(
        f"""SELECT week_start, {selected} FROM analytics.kpi_weekly
            WHERE platform = 'all' AND week_start BETWEEN ? AND ? ORDER BY week_start""",
        [first, week],
    ).fetchall()
    return {m: [(row[0], row[i + 1]) for row in rows] for i, m in enumerate(present)}


def listening_by_platform(con: duckdb.DuckDBPyConnection, week: date) -> list[tuple]:
    """(platform, conversations, response_rate, median, p90, two_way_rate) of the week."""
    return con.execute(
        """SELECT platform, conversations, response_rate, median_first_response_minutes,
                  p90_first_response_minutes, two_way_rate
           FROM analytics.kpi_weekly
           WHERE week_start = ? AND platform <> 'all' AND conversations > 0
           ORDER BY conversations DESC, platform""",
        [week],
    ).fetchall()


def signals_available(schema: Schema) -> bool:
    return schema.has("signals")


def signal_counts(con: duckdb.DuckDBPyConnection, schema: Schema, week: date) -> dict[str, int]:
    """Signals per category in the week (signals.week_start: the week kpi_weekly counts them in)."""
    if not signals_available(schema):
        return {}
    rows = con.execute(
        """SELECT signal_category, count(*) FROM analytics.signals
           WHERE week_start = ? GROUP BY signal_category""",
        [week],
    ).fetchall()
    return dict(rows)


def quotes(
    con: duckdb.DuckDBPyConnection, schema: Schema, week: date
) -> list[tuple[str, str, str, str, datetime]] | None:
    """(category, platform, member_key, text, created_at) of the week's quotes
    (rpt_quotes_weekly), categories in SIGNAL_CATEGORIES order, each by quote_rank; None
    when the file has no rpt_quotes_weekly."""
    if not schema.has(QUOTES):
        return None
    return con.execute(quotes_sql(), {"week": week}).fetchall()


def quotes_sql() -> str:
    """The week's ($week) quotes as the page and quotes.csv show them."""
    return f"""SELECT signal_category AS category, platform, member_key, text, created_at
               FROM analytics.{QUOTES} WHERE week_start = $week
               ORDER BY list_position({list(SIGNAL_CATEGORIES)}, signal_category),
                        signal_category, quote_rank"""


def emerging_topics(
    con: duckdb.DuckDBPyConnection, schema: Schema, week: date
) -> list[tuple[str, int, int, str, str | None]] | None:
    """(term, signals this week, signals in the previous 8 weeks, example platform, link to
    the example signal or NULL) of the week's first topics by topic_rank (topics_weekly ranks
    them by score); None when topics_weekly is not published. A file from before
    topics_weekly.example_url shows its topics without links."""
    if not schema.has("topics_weekly"):
        return None
    url = "example_url" if schema.has("topics_weekly", "example_url") else "NULL"
    return con.execute(
        f"""SELECT term, signals_this_week::BIGINT, signals_previous_8_weeks::BIGINT,
                   example_platform, {url}
            FROM analytics.topics_weekly
            WHERE week_start = ? AND topic_rank <= {TOPICS_SHOWN}
            ORDER BY topic_rank""",
        [week],
    ).fetchall()


def open_loops(
    con: duckdb.DuckDBPyConnection, schema: Schema, week: date
) -> list[tuple[str, str, datetime, list[tuple[str, str | None]]]] | None:
    """(insight_id, title, shipped_at, evidence threads) of the insights open at the week's
    end (rpt_open_loops_weekly; docs/kpis.md `open_loops`): the threads whose people still
    deserve to hear that it shipped, as (platform:thread, link or NULL). None when the file
    has no rpt_open_loops_weekly."""
    if not schema.has(OPEN_LOOPS):
        return None
    rows = con.execute(
        f"""SELECT insight_id, title, shipped_at,
                   list({{'thread': thread_platform || ':' || thread_id, 'url': thread_url}})
                       FILTER (WHERE thread_id IS NOT NULL)
            FROM analytics.{OPEN_LOOPS} WHERE week_start = ?
            GROUP BY insight_id, title, shipped_at ORDER BY shipped_at, insight_id""",
        [week],
    ).fetchall()
    return [
        (insight_id, title, shipped_at, sorted((t["thread"], t["url"]) for t in threads or []))
        for insight_id, title, shipped_at, threads in rows
    ]


def shipped_insights(
    con: duckdb.DuckDBPyConnection, schema: Schema, week: date, timezone: str
) -> list[tuple[str, str]] | None:
    """(insight_id, title) of the insights shipped in the week (kpi_weekly.insights_shipped
    counts them), in shipping order; None when insights are not published."""
    if not schema.has("insights"):
        return None
    start, end = _week_bounds(week, timezone)
    return con.execute(
        """SELECT insight_id, title FROM analytics.insights
           WHERE shipped_at >= ? AND shipped_at < ? ORDER BY shipped_at, insight_id""",
        [start, end],
    ).fetchall()


def waiting_sql() -> str:
    """The week's ($week) conversations waiting for an answer (rpt_waiting_threads), most
    urgent first: (platform, thread_id, started_at, community_turns, url, opening text)."""
    return f"""SELECT platform, thread_id, started_at, community_turns, thread_url AS url,
                      opening_text AS text
               FROM analytics.{WAITING} WHERE week_start = $week ORDER BY waiting_rank"""


def unanswered_threads(
    con: duckdb.DuckDBPyConnection, schema: Schema, week: date
) -> list[tuple[str, str, datetime, int, str | None, str | None]] | None:
    """The first OPEN_THREADS_SHOWN of waiting_sql, the text cut to 160 characters; None
    when the file has no rpt_waiting_threads."""
    if not schema.has(WAITING):
        return None
    rows = con.execute(
        f"SELECT * REPLACE (left(text, 160) AS text) FROM ({waiting_sql()}) "
        f"LIMIT {OPEN_THREADS_SHOWN}",
        {"week": week},
    ).fetchall()
    return [tuple(row) for row in rows]


def unanswered_count(con: duckdb.DuckDBPyConnection, schema: Schema, week: date) -> int | None:
    if not schema.has(WAITING):
        return None
    row = con.execute(
        f"SELECT count(*) FROM analytics.{WAITING} WHERE week_start = ?", [week]
    ).fetchone()
    return int(row[0]) if row else 0


def freshness(con: duckdb.DuckDBPyConnection, schema: Schema) -> tuple[datetime, float] | None:
    """(newest interaction, its age in hours at publishing) from the last published run."""
    if not schema.has("run_log", "published", "newest_interaction_at", "freshness_hours"):
        return None
    row = con.execute(
        """SELECT newest_interaction_at, freshness_hours FROM analytics.run_log
           WHERE published AND newest_interaction_at IS NOT NULL
           ORDER BY started_at DESC LIMIT 1"""
    ).fetchone()
    return (row[0], float(row[1])) if row else None


def _week_bounds(week: date, timezone: str) -> tuple[datetime, datetime]:
    """The week's half-open UTC interval: Monday 00:00 to Monday 00:00 in the reporting zone."""
    zone = ZoneInfo(timezone)
    start = datetime(week.year, week.month, week.day, tzinfo=zone)
    following = week + timedelta(weeks=1)
    end = datetime(following.year, following.month, following.day, tzinfo=zone)
    return start, end
