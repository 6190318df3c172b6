"""SQL that stops a reader's query at a row the export should not have, with one phrase."""

from __future__ import annotations


def fail_file_sql(*branches: str) -> str:
    """A WHERE clause that error()s at the first row matching one of `branches`
    (`WHEN <condition> THEN error('<phrase>')`) and keeps every other row: one phrase naming
    the file rather than a failed raw gate for the whole run. A filter rather than a column,
    so that a count (learnloop inspect) evaluates it too."""
    whens = "\n                ".join(branches)
    return f"""WHERE CASE
                {whens}
                ELSE true
            END"""
