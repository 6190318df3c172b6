"""SQL that turns the timestamp strings of exports into UTC instants (TIMESTAMPTZ)."""

from __future__ import annotations

from learnloop.db import sql_literal

# An explicit offset or zone marker at the end: Z, +01:00, +0100, UTC.
_HAS_OFFSET = r"(Z|[+-]\d{2}:?\d{2}|\s?UTC)$"


def parse_timestamp_sql(expression: str, timezone: str) -> str:
    """SQL for the instant a timestamp string denotes.

    Strings with an offset are exact instants; naive strings are local times in `timezone`
    (docs/kpis.md, "Time"); a bare date is 00:00 local. Unparseable strings give NULL, which the
    raw gate reports.
    """
    # X writes `2021-11-30 16:00 +0000`; DuckDB only casts the offset without the space.
    value = f"regexp_replace(trim({expression}), '\\s+([+-]\\d{{2}}:?\\d{{2}})$', '\\1')"
    zone = sql_literal(timezone)
    return (
        f"CASE WHEN regexp_matches({value}, '{_HAS_OFFSET}') "
        f"THEN try_cast({value} AS TIMESTAMPTZ) "
        f"ELSE timezone({zone}, try_cast({value} AS TIMESTAMP)) END"
    )


def local_midnight_sql(date_sql: str, timezone: str) -> str:
    """SQL for 00:00 local time in `timezone` on a date (docs/kpis.md, Time: a date without a
    time is local midnight), as an instant."""
    return f"timezone({sql_literal(timezone)}, CAST({date_sql} AS TIMESTAMP))"
