"""Make Great Expectations 1.24 validate inside DuckDB through SQLAlchemy (duckdb_engine).

Upstream defect (great_expectations#11579): GX fetches a metric query's rows only after its
pooled connection went back to the pool, and duckdb_engine drops pending results at that
moment, so every expectation fails with IndexError in `resolve_metric_bundle`.

GX already keeps one persistent connection for dialects that need it (SQLite, SQL Server,
...): with it, results are fetched on a live connection. `enable()` adds DuckDB to that list.
`duckdb_datasource()` also closes GX's connections afterwards, which GX does not, so that
dbt can open the same file in the same process next.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import great_expectations.execution_engine.sqlalchemy_execution_engine as gx_sql_engine

from learnloop.db import current_limits

DIALECT = "duckdb"
WHOLE = "whole"  # the batch definition of every query asset: all the rows its query selects


class _DuckDBDialectName(str):
    """Compares equal to 'duckdb' and has `.value`, like GX's GXSqlDialect members."""

    @property
    def value(self) -> str:
        return str(self)


def enable() -> None:
    persisted = gx_sql_engine._PERSISTED_CONNECTION_DIALECTS
    if DIALECT not in [str(getattr(d, "value", d)) for d in persisted]:
        gx_sql_engine._PERSISTED_CONNECTION_DIALECTS = (*persisted, _DuckDBDialectName(DIALECT))


def _limits_query() -> str:
    """[performance] for GX's own DuckDB connection (duckdb_engine passes URL parameters to
    DuckDB): without them it opened the file with DuckDB's default, 80 % of the memory."""
    limits = current_limits()
    settings = {"memory_limit": limits.memory_limit, "threads": str(limits.thread_count)}
    if limits.temp_directory:
        settings["temp_directory"] = limits.temp_directory
    return urlencode(settings)


@contextmanager
def duckdb_datasource(
    context: Any, name: str, database: Path, queries: Mapping[str, str]
) -> Iterator[Any]:
    """A GX SQL datasource on a DuckDB file with one query asset per named query (each with a
    batch definition WHOLE), its connections closed on exit.

    The assets are declared with the datasource and added in one step: adding them one by one
    re-serialises the whole context's configuration to YAML after each asset and each batch
    definition, which cost a tenth of a gate's validation."""
    from great_expectations.datasource.fluent.sql_datasource import SQLDatasource

    enable()
    datasource = context.data_sources.add_sql(
        datasource=SQLDatasource(
            name=name,
            connection_string=f"duckdb:///{database}?{_limits_query()}",
            assets=[
                {
                    "type": "query",
                    "name": asset,
                    "query": query,
                    "batch_definitions": [{"name": WHOLE, "partitioner": None}],
                }
                for asset, query in queries.items()
            ],
        )
    )
    try:
        yield datasource
    finally:
        engine = datasource.get_execution_engine()
        connection = getattr(engine, "_connection", None)
        if connection is not None:
            connection.close()
            engine._connection = None
        engine.engine.dispose()
        # The datasource keeps a second, pooled engine from its connection test.
        datasource.get_engine().dispose()
