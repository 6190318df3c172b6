"""Generate synthetic exports with DuckDB SQL: threads -> messages -> one file set per day.

Everything random comes from `hash(row, key, seed)`, so the same arguments give
byte-identical files, whatever the thread count of the machine. Rows are built and written
by DuckDB (`COPY ... TO`); Python only loops over days, to name each day's files.

Shapes (docs/formats.md): inbox CSV (Sprout-like headers), YouTube commentThreads JSON Lines,
Instagram Graph media JSON with nested comments, X tweet activity CSV (every field quoted),
and, for the learning loop, an insight register CSV and a `gh issue list` JSON.
A YouTube or Instagram thread is exported again on every day it got a message, with its
replies so far: a later day's file carries late replies to earlier threads, as the APIs do.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from learnloop.db import sql_literal
from learnloop.errors import LearnLoopError
from learnloop.synth import phrases

DEFAULT_START = date(2025, 1, 6)  # a Monday; fixed so the output does not depend on today
BRAND_CHANNEL = "UCnordlichtBikesDemo0001"
BRAND_INSTAGRAM = "nordlicht.bikes"
BRAND_INBOX_NAME = "Nordlicht Support"
BRAND_X = "NordlichtBikes"
POSTS_PER_DAY = 2
REEXPORT_AFTER_DAYS = 7  # X tweet activity is exported again a week later, with grown totals


@dataclass(frozen=True)
class SynthSpec:
    interactions: int
    weeks: int
    out: Path
    start: date = DEFAULT_START
    seed: int = 8

    @property
    def days(self) -> int:
        return self.weeks * 7


@dataclass
class SynthSummary:
    interactions: int = 0
    threads: int = 0
    files: int = 0
    interactions_by_format: dict[str, int] = field(default_factory=dict)
    records_by_format: dict[str, int] = field(default_factory=dict)  # file rows/objects


def synthesize(spec: SynthSpec) -> SynthSummary:
    """Write spec.out/days/<YYYY-MM-DD>/... and spec.out/learning/...; returns counts."""
    if spec.interactions < 1 or spec.weeks < 1:
        raise LearnLoopError("synth needs at least one interaction and one week")
    days_dir, learning_dir = spec.out / "days", spec.out / "learning"
    if spec.out.exists():
        # Only an earlier synth output is replaced; any other folder is the user's.
        if {p.name for p in spec.out.iterdir()} - {"days", "learning"}:
            raise LearnLoopError(f"{spec.out} holds other files; give an empty or new folder")
        shutil.rmtree(days_dir, ignore_errors=True)
        shutil.rmtree(learning_dir, ignore_errors=True)
    days_dir.mkdir(parents=True)
    learning_dir.mkdir()
    summary = SynthSummary()
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET enable_progress_bar = false")
        _create_helpers(con, spec)
        _create_threads_and_messages(con, spec)
        summary.interactions, summary.threads = con.execute(
            "SELECT count(*), count(DISTINCT t) FROM messages"
        ).fetchone()
        summary.interactions_by_format = {
            f"{source}_{'csv' if source == 'inbox' else 'api'}": count
            for source, count in con.execute(
                "SELECT source, count(*) FROM messages GROUP BY source ORDER BY source"
            ).fetchall()
        }
        _create_exports(con)
        for day in _days_with_data(con):
            day_dir = days_dir / day.isoformat()
            day_dir.mkdir()
            summary.files += _write_day(con, day, day_dir, summary.records_by_format)
        summary.files += _write_learning(con, spec, learning_dir)
    finally:
        con.close()
    return summary


def _list_literal(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(sql_literal(v) for v in values) + "]"


def _create_helpers(con: duckdb.DuckDBPyConnection, spec: SynthSpec) -> None:
    # u(row, key): a uniform number in [0, 1) that only depends on its arguments and the seed.
    con.execute(f"CREATE MACRO u(r, k) AS (hash(r, k, {int(spec.seed)}) % 1000003) / 1000003.0")
    con.execute("CREATE MACRO pick(xs, x) AS xs[1 + CAST(floor(x * len(xs)) AS INTEGER)]")
    con.execute(f"CREATE MACRO products() AS {_list_literal(phrases.PRODUCTS)}")
    con.execute("CREATE TABLE openers (lang VARCHAR, kind VARCHAR, choices VARCHAR[])")
    con.executemany(
        "INSERT INTO openers VALUES (?, ?, ?)",
        [(lang, kind, list(texts)) for (lang, kind), texts in phrases.OPENERS.items()],
    )
    con.execute("CREATE TABLE replies (lang VARCHAR, follow_ups VARCHAR[], brand VARCHAR[])")
    con.executemany(
        "INSERT INTO replies VALUES (?, ?, ?)",
        [
            (lang, list(phrases.FOLLOW_UPS[lang]), list(phrases.BRAND_REPLIES[lang]))
            for lang in phrases.FOLLOW_UPS
        ],
    )


def _create_threads_and_messages(con: duckdb.DuckDBPyConnection, spec: SynthSpec) -> None:
    n = int(spec.interactions)
    # Weekly seasonality: weekdays three times as likely as a weekend day; daily: office
    # hours and evenings. Sizes: a third of threads are a lone message, a few run long.
    con.execute(f"""
        CREATE TABLE threads AS
        WITH base AS (
            SELECT
                range AS t,
                CASE WHEN u(range, 1) < 0.5 THEN 'inbox'
                     WHEN u(range, 1) < 0.8 THEN 'youtube'
                     ELSE 'instagram' END AS source,
                CASE WHEN u(range, 2) < 0.35 THEN 1 WHEN u(range, 2) < 0.65 THEN 2
                     WHEN u(range, 2) < 0.80 THEN 3 WHEN u(range, 2) < 0.90 THEN 4
                     WHEN u(range, 2) < 0.95 THEN 5
                     ELSE 6 + CAST(floor(u(range, 3) * 3) AS INTEGER) END AS size,
                u(range, 4) < 0.8 AS answered,
                TIMESTAMP '{spec.start.isoformat()}'
                    + to_days(CAST(floor(u(range, 5) * {spec.weeks}) * 7
                        + pick([0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 6], u(range, 6))
                        AS INTEGER))
                    + to_minutes(CAST(60 * pick([7, 8, 9, 9, 10, 10, 11, 11, 12, 12, 12, 13,
                        13, 14, 15, 16, 17, 18, 18, 19, 19, 20, 20, 21, 22, 23], u(range, 7))
                        + floor(u(range, 8) * 60) AS BIGINT))
                    + to_seconds(CAST(floor(u(range, 9) * 60) AS BIGINT)) AS started_at,
                3 + CAST(floor(pow(u(range, 10), 3) * 1440) AS BIGINT) AS first_delay_minutes,
                2 + CAST(floor(pow(u(range, 11), 2) * 600) AS BIGINT) AS gap_minutes,
                CASE WHEN u(range, 12) < 0.6 THEN 'de' ELSE 'en' END AS lang,
                CASE WHEN u(range, 13) < 0.45 THEN 'question'
                     WHEN u(range, 13) < 0.75 THEN 'complaint' ELSE 'praise' END AS kind,
                pick(products(), u(range, 14)) AS product,
                u(range, 15) AS opener_choice,
                CAST(floor(u(range, 16) * {max(50, n // 20)}) AS BIGINT) AS member
            FROM range({n})
        )
        SELECT *, sum(size) OVER (ORDER BY t ROWS UNBOUNDED PRECEDING) - size AS offset_in_total
        FROM base
        QUALIFY offset_in_total < {n}
    """)
    con.execute(f"""
        CREATE TABLE messages AS
        WITH exploded AS (
            SELECT threads.*, unnest(range(size)) AS pos FROM threads
        )
        SELECT
            exploded.t, exploded.source, exploded.pos, exploded.lang, exploded.kind,
            pos > 0 AND answered AND pos % 2 = 1 AS outbound,
            started_at + to_minutes(CASE WHEN pos = 0 THEN 0
                ELSE first_delay_minutes + (pos - 1) * gap_minutes END) AS created_at,
            -- The opener writes again on even turns; odd unanswered turns are other members.
            CASE WHEN pos % 2 = 0 THEN member
                 ELSE CAST(floor(u(t * 16 + pos, 17) * {max(50, n // 20)}) AS BIGINT) END
                AS member,
            replace(CASE
                WHEN pos = 0 THEN pick(openers.choices, opener_choice)
                WHEN answered AND pos % 2 = 1 THEN pick(replies.brand, u(t * 16 + pos, 18))
                ELSE pick(replies.follow_ups, u(t * 16 + pos, 19))
            END, '{{p}}', product) AS text
        FROM exploded
        JOIN openers ON openers.lang = exploded.lang AND openers.kind = exploded.kind
        JOIN replies ON replies.lang = exploded.lang
        WHERE offset_in_total + pos < {n}
    """)


def _create_exports(con: duckdb.DuckDBPyConnection) -> None:
    """Per-format export rows, each with the day whose file holds it."""
    con.execute(f"""
        CREATE TABLE inbox_rows AS
        SELECT
            CAST(created_at AS DATE) AS day,
            created_at,
            'syn-thread-' || t AS "Thread ID",
            'syn-' || t || '-' || pos AS "Id",
            strftime(created_at, '%Y-%m-%dT%H:%M:%SZ') AS "Timestamp",
            CASE WHEN outbound THEN 'Agent' ELSE 'Customer' END AS "Sender Type",
            CASE WHEN outbound THEN {sql_literal(BRAND_INBOX_NAME)}
                 ELSE '@member_' || member END AS "From",
            pick(['Facebook', 'Facebook', 'Twitter', 'LinkedIn'], u(t, 20)) AS "Channel",
            text AS "Content",
            CASE WHEN pos > 0 THEN 'syn-' || t || '-' || (pos - 1) END AS "In Reply To",
            'https://nordlicht.example/p/' || (t % 997) AS "Post URL"
        FROM messages
        WHERE source = 'inbox'
    """)
    # A thread snapshot per day it got a message, holding its messages up to that day.
    con.execute("""
        CREATE TABLE snapshots AS
        WITH export_days AS (
            SELECT DISTINCT t, source, CAST(created_at AS DATE) AS day
            FROM messages WHERE source IN ('youtube', 'instagram')
        )
        SELECT export_days.day, messages.*
        FROM export_days
        JOIN messages
            ON messages.t = export_days.t
            AND CAST(messages.created_at AS DATE) <= export_days.day
    """)
    con.execute(f"""
        CREATE TABLE youtube_rows AS
        WITH comments AS (
            SELECT
                day, t, pos,
                'Ugz' || substr(md5('yt' || t), 1, 20) || '4AaABAg' AS thread_id,
                'vid' || substr(md5('video' || (t % 211)), 1, 8) AS video_id,
                CASE WHEN outbound THEN {sql_literal(BRAND_CHANNEL)}
                     ELSE 'UC' || substr(md5('member' || member), 1, 22) END AS author_channel,
                CASE WHEN outbound THEN '@{BRAND_X}' ELSE '@member_' || member END AS author,
                text,
                CAST(floor(u(t * 16 + pos, 21) * 5) AS INTEGER) AS likes,
                strftime(created_at, '%Y-%m-%dT%H:%M:%SZ') AS published_at
            FROM snapshots WHERE source = 'youtube'
        )
        SELECT
            day,
            'youtube#commentThread' AS kind,
            substr(md5('etag' || t || day), 1, 12) AS etag,
            any_value(thread_id) AS id,
            {{
                'channelId': {sql_literal(BRAND_CHANNEL)},
                'videoId': any_value(video_id),
                'topLevelComment': {{
                    'kind': 'youtube#comment',
                    'etag': substr(md5('etag-top' || t), 1, 12),
                    'id': any_value(thread_id),
                    'snippet': {{
                        'channelId': {sql_literal(BRAND_CHANNEL)},
                        'videoId': any_value(video_id),
                        'textDisplay': any_value(text) FILTER (WHERE pos = 0),
                        'textOriginal': any_value(text) FILTER (WHERE pos = 0),
                        'authorDisplayName': any_value(author) FILTER (WHERE pos = 0),
                        'authorChannelId': {{
                            'value': any_value(author_channel) FILTER (WHERE pos = 0)
                        }},
                        'likeCount': any_value(likes) FILTER (WHERE pos = 0),
                        'publishedAt': any_value(published_at) FILTER (WHERE pos = 0),
                        'updatedAt': any_value(published_at) FILTER (WHERE pos = 0)
                    }}
                }},
                'canReply': true,
                'totalReplyCount': count(*) - 1,
                'isPublic': true
            }} AS snippet,
            CASE WHEN count(*) > 1 THEN {{
                'comments': list({{
                    'kind': 'youtube#comment',
                    'etag': substr(md5('etag' || thread_id || pos), 1, 12),
                    'id': thread_id || '.' || substr(md5('reply' || t || '.' || pos), 1, 22),
                    'snippet': {{
                        'channelId': {sql_literal(BRAND_CHANNEL)},
                        'videoId': video_id,
                        'textDisplay': text,
                        'textOriginal': text,
                        'parentId': thread_id,
                        'authorDisplayName': author,
                        'authorChannelId': {{'value': author_channel}},
                        'likeCount': likes,
                        'publishedAt': published_at,
                        'updatedAt': published_at
                    }}
                }} ORDER BY pos) FILTER (WHERE pos > 0)
            }} END AS replies
        FROM comments
        GROUP BY day, t
    """)
    # Instagram: the thread root is a comment on the media of its morning (07:00 UTC).
    con.execute(f"""
        CREATE TABLE instagram_comments AS
        WITH comments AS (
            SELECT
                day, t, pos,
                '1790' || lpad(CAST(date_diff('day', DATE '2000-01-01',
                    CAST(min(created_at) OVER (PARTITION BY day, t) - INTERVAL 7 HOUR AS DATE))
                    AS VARCHAR), 13, '0') AS media_id,
                '1785' || lpad(CAST(t AS VARCHAR), 13, '0') AS comment_id,
                '1786' || lpad(CAST(t * 16 + pos AS VARCHAR), 13, '0') AS reply_id,
                CASE WHEN outbound THEN {sql_literal(BRAND_INSTAGRAM)}
                     ELSE 'member_' || member END AS username,
                text,
                CAST(floor(u(t * 16 + pos, 22) * 5) AS INTEGER) AS likes,
                strftime(created_at, '%Y-%m-%dT%H:%M:%S+0000') AS ts
            FROM snapshots WHERE source = 'instagram'
        )
        SELECT
            day, any_value(media_id) FILTER (WHERE pos = 0) AS media_id, t,
            {{
                'id': any_value(comment_id),
                'text': any_value(text) FILTER (WHERE pos = 0),
                'timestamp': any_value(ts) FILTER (WHERE pos = 0),
                'username': any_value(username) FILTER (WHERE pos = 0),
                'like_count': any_value(likes) FILTER (WHERE pos = 0),
                'replies': CASE WHEN count(*) > 1 THEN {{
                    'data': list({{
                        'id': reply_id, 'text': text, 'timestamp': ts, 'username': username
                    }} ORDER BY pos) FILTER (WHERE pos > 0)
                }} END
            }} AS comment,
            count(*) AS messages
        FROM comments
        GROUP BY day, t
    """)
    con.execute(f"""
        CREATE TABLE instagram_media AS
        SELECT
            day,
            media_id,
            {{
                'id': media_id,
                'caption': replace(pick({_list_literal(phrases.POST_TEXTS)},
                    u(CAST(media_id AS HUGEINT), 23)), '&amp;', '&'),
                'media_type': 'IMAGE',
                'timestamp': strftime(DATE '2000-01-01'
                    + to_days(CAST(substr(media_id, 5) AS INTEGER)) + INTERVAL 7 HOUR,
                    '%Y-%m-%dT%H:%M:%S+0000'),
                'permalink': 'https://www.instagram.com/p/D' || substr(md5(media_id), 1, 9) || '/',
                'username': {sql_literal(BRAND_INSTAGRAM)},
                'like_count': 40 + CAST(floor(u(CAST(media_id AS HUGEINT), 24) * 200) AS INTEGER)
                    + CAST(sum(messages) AS INTEGER),
                'comments_count': CAST(sum(messages) AS INTEGER),
                'comments': {{'data': list(comment ORDER BY t)}}
            }} AS media
        FROM instagram_comments
        GROUP BY day, media_id
    """)
    post_columns = ",\n".join(
        f'{expression} AS "{name}"'
        for name, expression in (
            ("Tweet id", "tweet_id"),
            ("Tweet permalink", f"'https://twitter.com/{BRAND_X}/status/' || tweet_id"),
            ("Tweet text", "post_text"),
            ("time", "strftime(published_at, '%Y-%m-%d %H:%M +0000')"),
            ("impressions", "printf('%.1f', impressions)"),
            ("engagements", "printf('%.1f', engagements)"),
            ("engagement rate", "CAST(engagements / impressions AS VARCHAR)"),
            ("retweets", "printf('%.1f', floor(engagements * 0.06))"),
            ("replies", "printf('%.1f', floor(engagements * 0.04))"),
            ("likes", "printf('%.1f', floor(engagements * 0.33))"),
            ("user profile clicks", "printf('%.1f', floor(engagements * 0.09))"),
            ("url clicks", "printf('%.1f', floor(engagements * 0.12))"),
            ("hashtag clicks", "'0.0'"),
            ("detail expands", "printf('%.1f', floor(engagements * 0.3))"),
            ("permalink clicks", "printf('%.1f', floor(engagements * 0.03))"),
            ("app opens", "'0'"),
            ("app installs", "'0'"),
            ("follows", "'0'"),
            ("email tweet", "'0'"),
            ("dial phone", "'0'"),
            ("media views", "'0'"),
            ("media engagements", "'0'"),
        )
    )
    promoted = ",\n".join(
        f"'-' AS \"promoted {name}\""
        for name in (
            "impressions",
            "engagements",
            "engagement rate",
            "retweets",
            "replies",
            "likes",
            "user profile clicks",
            "url clicks",
            "hashtag clicks",
            "detail expands",
            "permalink clicks",
            "app opens",
            "app installs",
            "follows",
            "email tweet",
            "dial phone",
            "media views",
            "media engagements",
        )
    )
    con.execute(f"""
        CREATE TABLE x_posts AS
        WITH bounds AS (
            SELECT min(CAST(created_at AS DATE)) AS first_day,
                   max(CAST(created_at AS DATE)) AS last_day
            FROM messages
        ),
        posts AS (
            SELECT
                CAST(first_day + to_days(CAST(d AS INTEGER)) AS DATE) AS publish_day,
                k,
                CAST(2000000000000000000 + d * 1000 + k AS VARCHAR) AS tweet_id,
                first_day + to_days(CAST(d AS INTEGER)) + to_minutes(CAST(450 + k * 360 AS BIGINT))
                    AS published_at,
                pick({_list_literal(phrases.POST_TEXTS)}, u(d * 8 + k, 25)) AS post_text,
                800 + floor(u(d * 8 + k, 26) * 3000) AS base_impressions,
                last_day
            FROM bounds, range(CAST(date_diff('day', first_day, last_day) + 1 AS BIGINT)) AS days(d),
                 range({POSTS_PER_DAY}) AS ks(k)
        ),
        exports AS (
            SELECT publish_day AS day, *, 1.0 AS growth FROM posts
            UNION ALL
            SELECT CAST(publish_day + to_days({REEXPORT_AFTER_DAYS}) AS DATE), *, 1.4
            FROM posts WHERE publish_day + to_days({REEXPORT_AFTER_DAYS}) <= last_day
        ),
        measured AS (
            SELECT day, k, tweet_id, published_at,
                   replace(post_text, '{{p}}', 'Fjord 2') AS post_text,
                   floor(base_impressions * growth) AS impressions,
                   floor(base_impressions * growth * 0.04) AS engagements
            FROM exports
        )
        SELECT day, k, {post_columns}, {promoted}
        FROM measured
    """)


def _days_with_data(con: duckdb.DuckDBPyConnection) -> list[date]:
    rows = con.execute("""
        SELECT day FROM inbox_rows UNION SELECT day FROM youtube_rows
        UNION SELECT day FROM instagram_media UNION SELECT day FROM x_posts
        ORDER BY day
    """).fetchall()
    return [row[0] for row in rows]


def _copy(con: duckdb.DuckDBPyConnection, query: str, path: Path, options: str) -> int:
    count = con.execute(f"SELECT count(*) FROM ({query})").fetchone()[0]
    if count:
        con.execute(f"COPY ({query}) TO {sql_literal(str(path))} ({options})")
    return count


def _write_day(
    con: duckdb.DuckDBPyConnection, day: date, day_dir: Path, rows: dict[str, int]
) -> int:
    """One file per format for the day; returns how many files were written."""
    stamp, compact = day.isoformat(), day.strftime("%Y%m%d")
    where = f"day = DATE '{stamp}'"
    queries = {
        "inbox_csv": (
            f"SELECT * EXCLUDE (day, created_at) FROM inbox_rows WHERE {where} "
            'ORDER BY created_at, "Id"',
            day_dir / f"sprout_inbox_{stamp}.csv",
            "FORMAT csv, HEADER",
        ),
        "youtube_api": (
            f"SELECT * EXCLUDE (day) FROM youtube_rows WHERE {where} ORDER BY id",
            day_dir / f"youtube_commentThreads_{stamp}.jsonl",
            "FORMAT json",
        ),
        "instagram_api": (
            "SELECT list(media ORDER BY media_id) AS data, "
            "{'cursors': {'before': 'QVFIUmJlZm9yZQ', 'after': 'QVFIUmFmdGVy'}} AS paging "
            f"FROM instagram_media WHERE {where} HAVING count(*) > 0",
            day_dir / f"instagram_media_{stamp}.json",
            "FORMAT json",
        ),
        "x_tweet_activity": (
            f'SELECT * EXCLUDE (day, k) FROM x_posts WHERE {where} ORDER BY "Tweet id"',
            day_dir / f"tweet_activity_metrics_{BRAND_X}_{compact}_{compact}_en.csv",
            "FORMAT csv, HEADER, FORCE_QUOTE *",
        ),
    }
    written = 0
    for name, (query, path, options) in queries.items():
        count = _copy(con, query, path, options)
        if count:
            written += 1
            rows[name] = rows.get(name, 0) + count
    return written


def _write_learning(con: duckdb.DuckDBPyConnection, spec: SynthSpec, learning_dir: Path) -> int:
    """An insight register citing YouTube threads, and the GitHub issues it links to
    (docs/formats.md §3; read once the register and backlog readers exist)."""
    insights = max(3, spec.weeks * 2)
    con.execute(f"""
        CREATE TABLE insights AS
        WITH cited AS (
            SELECT t, created_at AS seen_at,
                   'Ugz' || substr(md5('yt' || t), 1, 20) || '4AaABAg' AS thread_id,
                   'vid' || substr(md5('video' || (t % 211)), 1, 8) AS video_id,
                   row_number() OVER (ORDER BY t) AS n
            FROM messages
            WHERE source = 'youtube' AND pos = 0
            QUALIFY n <= {insights}
        )
        SELECT
            n,
            'INS-' || lpad(CAST(n AS VARCHAR), 4, '0') AS insight_id,
            replace(pick({_list_literal(phrases.INSIGHT_TITLES)}, u(n, 30)), '{{p}}',
                pick(products(), u(n, 31))) AS title,
            seen_at + INTERVAL 2 DAY AS logged_at,
            pick(['product', 'service', 'delivery', 'content'], u(n, 32)) AS category,
            'https://www.youtube.com/watch?v=' || video_id || '&lc=' || thread_id AS evidence,
            pick(['new', 'triaged', 'planned', 'in_progress', 'shipped', 'shipped', 'wont_do'],
                u(n, 33)) AS status
        FROM cited
    """)
    register = learning_dir / "insight_register.csv"
    con.execute(f"""
        COPY (
            SELECT insight_id, title,
                   strftime(logged_at, '%Y-%m-%d') AS logged_at, category, evidence, status,
                   CASE WHEN status IN ('planned', 'in_progress', 'shipped')
                        THEN 'https://github.com/nordlicht/bikes/issues/' || (100 + n) END
                       AS action_ref,
                   CASE WHEN status IN ('planned', 'in_progress', 'shipped')
                        THEN strftime(logged_at + INTERVAL 3 DAY, '%Y-%m-%d') END AS actioned_at,
                   CASE WHEN status = 'shipped'
                        THEN strftime(logged_at + INTERVAL 20 DAY, '%Y-%m-%d') END AS shipped_at,
                   CASE WHEN status = 'shipped' AND n % 2 = 0
                        THEN strftime(logged_at + INTERVAL 25 DAY, '%Y-%m-%d') END
                       AS closed_loop_at,
                   pick(['Anna', 'Ben', 'Chiara'], u(n, 34)) AS owner,
                   '' AS notes
            FROM insights ORDER BY n
        ) TO {sql_literal(str(register))} (FORMAT csv, HEADER)
    """)
    issues = learning_dir / "github_issues.json"
    con.execute(f"""
        COPY (
            SELECT
                100 + n AS number, title,
                'Seen in the community: ' || evidence AS body,
                CASE WHEN status = 'shipped' THEN 'CLOSED' ELSE 'OPEN' END AS state,
                strftime(logged_at + INTERVAL 3 DAY, '%Y-%m-%dT%H:%M:%SZ') AS createdAt,
                CASE WHEN status = 'shipped'
                     THEN strftime(logged_at + INTERVAL 20 DAY, '%Y-%m-%dT%H:%M:%SZ') END
                    AS closedAt,
                'https://github.com/nordlicht/bikes/issues/' || (100 + n) AS url,
                [{{'name': 'community', 'color': '0e8a16'}}] AS labels
            FROM insights
            WHERE status IN ('planned', 'in_progress', 'shipped')
            ORDER BY n
        ) TO {sql_literal(str(issues))} (FORMAT json, ARRAY true)
    """)
    return 2


def day_dirs(out: Path) -> list[Path]:
    """The day folders of a synth output, oldest first (one day = one file set)."""
    return sorted(p for p in (out / "days").iterdir() if p.is_dir())
