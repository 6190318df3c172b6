"""SQL that turns the count cells of exports into BIGINT (DuckDB, reader side)."""

from __future__ import annotations


def count_sql(expression: str, *, strict: bool = True) -> str:
    """A count as BIGINT. Exports write `1200`, `1200.0` (X, spreadsheets) and `-` or
    nothing for none (NULL). `strict`: a cell that is no number fails the file (it is not the
    export we think it is); otherwise it becomes NULL."""
    value = f"nullif(nullif(trim({expression}), ''), '-')"
    if strict:
        return f"CAST(round(CAST({value} AS DOUBLE)) AS BIGINT)"
    return f"CAST(try_cast({value} AS DOUBLE) AS BIGINT)"


def double_sql(expression: str) -> str:
    """A rate or a fractional figure as DOUBLE; empty or `-` is NULL."""
    return f"CAST(nullif(nullif(trim({expression}), ''), '-') AS DOUBLE)"
