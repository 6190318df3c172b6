"""A dbt-duckdb plugin that sets DuckDB's settings once per opened database, for every cursor.

dbt-duckdb runs a profile's `settings` as `SET` statements on each cursor it opens: one per
node, three statements each, about 1.7 ms a cursor and 5 % of a small build's CPU. As
`config_options` they would be given once, to `duckdb.connect`, but DuckDB then refuses the
other connections this process opens to the same file with another configuration (the gates,
publish, the tests). This plugin (profiles.yml, `plugins`) sets them with `SET GLOBAL` on the
connection dbt-duckdb opens the database with (`configure_connection`, once per open): every
cursor dbt opens on it afterwards starts with them. tests/test_dbt_project.py reads what a dbt
query sees.
"""

from __future__ import annotations

from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection

from learnloop.db import sql_literal


class Plugin(BasePlugin):
    """The plugin's `config` in profiles.yml: DuckDB setting name -> value."""

    def initialize(self, plugin_config: dict[str, Any]) -> None:
        self.settings = {str(name): str(value) for name, value in plugin_config.items()}

    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        for name, value in self.settings.items():
            # The name comes from profiles.yml; DuckDB casts the text to the setting's type.
            conn.execute(f"SET GLOBAL {name} = {sql_literal(value)}")
