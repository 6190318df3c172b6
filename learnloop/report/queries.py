"""Every query the report runs, against the published warehouse opened read-only.

The report reads only what BI tools read. The marts of signals, insights and topics (signals,
insights, insight_evidence, topics_weekly) are looked up in information_schema first, so a
report on a file published before they existed says so instead of failing. Results are small
aggregates (12 weekly rows, a handful of quotes, threads and topics): DuckDB computes them,
Python only formats.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import duckdb

from learnloop.report.links import LinkHosts

WEEKS_OF_TREND = 12
QUOTES_PER_CATEGORY = 3
OPEN_THREADS_SHOWN = 10
TOPICS_SHOWN = 5
SIGNAL_CATEGORIES = ("problem", "complaint", "idea", "question", "praise")

# A link to the message that opened a thread, where the platform's URL can be rebuilt from
# published ids alone. Private messages never get a link (nor their text, see below). Only
# through thread_url_sql, which drops links to hosts other than the platform's own.
THREAD_URL_SQL = """CASE
    WHEN i.is_private THEN NULL
    WHEN i.platform = 'youtube' AND i.source_format LIKE 'youtube%' AND i.post_id IS NOT NULL
        THEN 'https://www.youtube.com/watch?v=' || i.post_id || '&lc=' || i.interaction_id
    WHEN i.platform = 'x' AND regexp_full_match(i.interaction_id, '[0-9]+')
        THEN 'https://x.com/i/web/status/' || i.interaction_id
    WHEN i.platform = 'mastodon' AND i.interaction_id LIKE 'https://%' THEN i.interaction_id
    END"""


def thread_url_sql(links: LinkHosts) -> str:
    return links.sql("i.platform", THREAD_URL_SQL)


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
) -> list[tuple[str, str, str, str, datetime]]:
    """(category, platform, member_key, text, created_at): up to three signals per category,
    from different members, the longest texts first (they tend to say most). Public messages
    only: a private message's text is never quoted, even where it is published."""
    if not signals_available(schema):
        return []
    return con.execute(
        f"""WITH candidates AS (
                SELECT s.signal_category AS category, s.platform, s.member_key, s.text,
                       s.created_at,
                       row_number() OVER (PARTITION BY s.signal_category, s.member_key
                                          ORDER BY length(s.text) DESC, s.created_at) AS per_member
                FROM analytics.signals s
                WHERE s.week_start = ? AND s.text IS NOT NULL AND trim(s.text) <> ''
                  AND NOT s.is_private
            ), ranked AS (
                SELECT *, row_number() OVER (PARTITION BY category
                                             ORDER BY length(text) DESC, created_at) AS n
                FROM candidates WHERE per_member = 1
            )
            SELECT category, platform, member_key, text, created_at FROM ranked
            WHERE n <= {QUOTES_PER_CATEGORY}
            ORDER BY list_position({list(SIGNAL_CATEGORIES)}, category), n""",
        [week],
    ).fetchall()


def emerging_topics(
    con: duckdb.DuckDBPyConnection, schema: Schema, week: date, links: LinkHosts
) -> list[tuple[str, int, int, str, str | None]] | None:
    """(term, signals this week, signals in the previous 8 weeks, example platform, link to
    the example signal or NULL) of the week's first topics by topic_rank (topics_weekly ranks
    them by score); None when topics_weekly is not published."""
    if not schema.has("topics_weekly"):
        return None
    return con.execute(
        f"""SELECT t.term, t.signals_this_week::BIGINT, t.signals_previous_8_weeks::BIGINT,
                   t.example_platform, {thread_url_sql(links)}
            FROM analytics.topics_weekly t
            LEFT JOIN analytics.interactions i
              ON i.platform = t.example_platform AND i.interaction_id = t.example_interaction_id
            WHERE t.week_start = ? AND t.topic_rank <= {TOPICS_SHOWN}
            ORDER BY t.topic_rank""",
        [week],
    ).fetchall()


def open_loops(
    con: duckdb.DuckDBPyConnection, schema: Schema, week: date, timezone: str, links: LinkHosts
) -> list[tuple[str, str, datetime, list[tuple[str, str | None]]]] | None:
    """(insight_id, title, shipped_at, evidence threads) of insights shipped by the week's end
    whose loop was not closed by then (docs/kpis.md `open_loops`): the threads whose people still
    deserve to hear that it shipped, as (platform:thread, link or NULL). None when insights
    are not published."""
    if not schema.has("insights") or not schema.has("insight_evidence"):
        return None
    _, end = _week_bounds(week, timezone)
    # The URL pasted as evidence where it is on the platform's hosts, else the rebuilt one.
    pasted = links.sql("i.platform", "CASE WHEN e.reference LIKE 'https://%' THEN e.reference END")
    rebuilt = thread_url_sql(links)
    rows = con.execute(
        # One link per thread: two evidence messages of one thread are one place to answer.
        f"""WITH evidence_threads AS (
                SELECT n.insight_id, n.title, n.shipped_at,
                       i.platform || ':' || i.thread_id AS thread,
                       min(CASE WHEN NOT i.is_private THEN coalesce({pasted}, {rebuilt}) END)
                           AS url
                FROM analytics.insights n
                LEFT JOIN analytics.insight_evidence e
                  ON e.insight_id = n.insight_id AND e.matched
                LEFT JOIN analytics.interactions i
                  ON i.platform = e.platform AND i.interaction_id = e.interaction_id
                WHERE n.shipped_at < $end
                  AND (n.closed_loop_at IS NULL OR n.closed_loop_at >= $end)
                GROUP BY ALL
            )
            SELECT insight_id, title, shipped_at,
                   list({{'thread': thread, 'url': url}}) FILTER (WHERE thread IS NOT NULL)
            FROM evidence_threads
            GROUP BY ALL ORDER BY shipped_at, insight_id""",
        {"end": end},
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


def awaiting_answer(schema: Schema) -> str:
    """The condition on `analytics.conversations c` of a conversation still waiting for an
    answer: the report's one definition (the dashboard's is its conversations_waiting dataset,
    bi/superset/dashboard/datasets/). Only those that need a reply (docs/kpis.md
    `needs_reply`: a problem, complaint, question or idea, not praise or thanks alone); in a
    file published before `needs_reply` existed, every unanswered conversation."""
    if schema.has("conversations", "needs_reply"):
        return "NOT c.answered AND c.needs_reply"
    return "NOT c.answered"


def waiting_threads_sql(schema: Schema, links: LinkHosts) -> str:
    """The week's conversations waiting for an answer ($week), problems and complaints first,
    then the oldest: (platform, thread_id, started_at, turns, url, opening text, urgent).
    The text is NULL for private messages."""
    urgent = "false"
    if schema.has("conversations", "needs_reply"):
        urgent = """EXISTS (
                SELECT 1 FROM analytics.interactions u
                WHERE u.platform = c.platform AND u.thread_id = c.thread_id
                  AND u.direction = 'inbound' AND u.signal_category IN ('problem', 'complaint'))"""
    return f"""SELECT c.platform, c.thread_id, c.started_at, c.community_turns::BIGINT AS turns,
                   any_value({thread_url_sql(links)}) AS url,
                   any_value(CASE WHEN NOT i.is_private THEN left(i.text, 160) END) AS text,
                   any_value({urgent}) AS urgent
            FROM analytics.conversations c
            LEFT JOIN analytics.interactions i
              ON i.platform = c.platform AND i.thread_id = c.thread_id
             AND i.direction = 'inbound' AND i.created_at = c.started_at
            WHERE c.week_start = $week AND {awaiting_answer(schema)}
            GROUP BY c.platform, c.thread_id, c.started_at, c.community_turns
            ORDER BY urgent DESC, c.started_at, c.platform, c.thread_id"""


def unanswered_threads(
    con: duckdb.DuckDBPyConnection, schema: Schema, week: date, links: LinkHosts
) -> list[tuple[str, str, datetime, int, str | None, str | None]]:
    """The first OPEN_THREADS_SHOWN of waiting_threads_sql, without the urgency flag."""
    rows = con.execute(
        f"SELECT * EXCLUDE (urgent) FROM ({waiting_threads_sql(schema, links)}) "
        f"LIMIT {OPEN_THREADS_SHOWN}",
        {"week": week},
    ).fetchall()
    return [tuple(row) for row in rows]


def unanswered_count(con: duckdb.DuckDBPyConnection, schema: Schema, week: date) -> int:
    row = con.execute(
        "SELECT count(*) FROM analytics.conversations c "
        f"WHERE c.week_start = $week AND {awaiting_answer(schema)}",
        {"week": week},
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
