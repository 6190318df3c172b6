"""Every timestamp form the exports use becomes the right UTC instant (docs/kpis.md, Time)."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pytest

from learnloop.ingest.timestamps import parse_timestamp_sql

CASES = [
    # (export string, zone for naive times, expected UTC instant)
    ("2026-01-05T10:00:00Z", "Europe/Berlin", datetime(2026, 1, 5, 10, 0, tzinfo=UTC)),
    ("2026-01-05T10:00:00.000Z", "Europe/Berlin", datetime(2026, 1, 5, 10, 0, tzinfo=UTC)),
    ("2026-01-05T10:00:00+0000", "Europe/Berlin", datetime(2026, 1, 5, 10, 0, tzinfo=UTC)),
    ("2026-01-05T11:00:00+01:00", "UTC", datetime(2026, 1, 5, 10, 0, tzinfo=UTC)),
    ("2026-01-05T05:00:00-0500", "UTC", datetime(2026, 1, 5, 10, 0, tzinfo=UTC)),
    # X tweet activity: no seconds, a space before the offset.
    ("2021-11-30 16:00 +0000", "Europe/Berlin", datetime(2021, 11, 30, 16, 0, tzinfo=UTC)),
    ("2026-01-05 11:00 +01:00", "UTC", datetime(2026, 1, 5, 10, 0, tzinfo=UTC)),
    ("2026-08-01 02:00:00 UTC", "Europe/Berlin", datetime(2026, 8, 1, 2, 0, tzinfo=UTC)),
    # Naive: local time in the zone; Berlin is UTC+1 in winter, UTC+2 in summer.
    ("2026-01-05 11:00:00", "Europe/Berlin", datetime(2026, 1, 5, 10, 0, tzinfo=UTC)),
    ("2026-07-05 12:00:00", "Europe/Berlin", datetime(2026, 7, 5, 10, 0, tzinfo=UTC)),
    ("2026-01-05 05:00:00", "America/New_York", datetime(2026, 1, 5, 10, 0, tzinfo=UTC)),
    # A date without a time is 00:00 local on that date.
    ("2026-01-05", "Europe/Berlin", datetime(2026, 1, 4, 23, 0, tzinfo=UTC)),
    # Unparseable: NULL, which the raw gate reports.
    ("next Tuesday", "UTC", None),
    ("", "UTC", None),
]


@pytest.mark.parametrize(("text", "zone", "expected"), CASES, ids=[c[0] or "empty" for c in CASES])
def test_timestamp_strings_become_utc_instants(text, zone, expected):
    with duckdb.connect() as con:
        con.execute("SET TimeZone = 'UTC'")
        con.execute("CREATE TABLE t AS SELECT ?::VARCHAR AS s", [text])
        (value,) = con.execute(f"SELECT {parse_timestamp_sql('s', zone)} FROM t").fetchone()
    assert value == expected
