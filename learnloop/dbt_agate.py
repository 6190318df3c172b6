"""One agate type tester per shape of result, not one per result dbt fetches.

dbt turns every result it fetches (a node's columns, a relation's existence, a test's
failures) into an agate table, and for each builds a type tester whose seven data types
include date parsers that are slow to make: about 3 % of a small build's CPU. dbt-common
already shares one tester for results without text-only columns; `install` shares one per
(text-only columns, null values) as well. A tester keeps no state between tables, so a
shared one types every table as a new one would (tests/test_dbt_internals.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import agate
from dbt_common.clients import agate_helper

_DBT_BUILD_TYPE_TESTER = agate_helper.build_type_tester


def install() -> None:
    """Idempotent; for the rest of the process."""
    agate_helper.build_type_tester = _build_type_tester  # what table_from_rows calls


def _build_type_tester(
    text_columns: Iterable[str], string_null_values: Iterable[str] | None = ("null", "")
) -> agate.TypeTester:
    nulls = None if string_null_values is None else tuple(string_null_values)
    return _type_tester(tuple(text_columns), nulls)


# A build meets a few hundred shapes (column names) at most.
@lru_cache(maxsize=512)
def _type_tester(
    text_columns: tuple[str, ...], string_null_values: tuple[str, ...] | None
) -> agate.TypeTester:
    return _DBT_BUILD_TYPE_TESTER(text_columns, string_null_values)
