"""Test helpers for the weekly report: warehouses to report on, and reading the page back."""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path

import duckdb

from learnloop.build import write_settings
from learnloop.config import load_config
from learnloop.paths import Home
from learnloop.transform import dbt_vars, run_dbt
from tests.conftest import FIXTURES

CONTRACT_WAREHOUSE_SQL = FIXTURES / "report" / "contract_warehouse.sql"

_CARD = re.compile(
    r'data-metric="([^"]+)">\s*<div class="label">(.*?)</div>\s*'
    r'<div class="value">(.*?)</div>\s*<div class="change">(.*?)(?: <span|</div>)',
    re.S,
)


# Published files already built in this process, by what they were built from: dbt runs once
# per kind of file, each later home gets a copy.
_BUILT: dict[str, bytes] = {}


def publish_contract_warehouse(
    home: Home, extra_sql: str = "", *, report_marts: bool = True
) -> Path:
    """home's published file, built from the docs/kpis.md-shaped SQL fixture and `extra_sql`;
    then, unless `report_marts` is False (a file from before them), the report marts."""
    home.published.parent.mkdir(parents=True, exist_ok=True)
    home.published.unlink(missing_ok=True)
    config = load_config(home, environ={})
    brand = {platform: sorted(names) for platform, names in config.brand.items()}
    key = json.dumps([extra_sql, report_marts, dbt_vars(config), brand], sort_keys=True)
    if key in _BUILT:
        home.published.write_bytes(_BUILT[key])
        return home.published
    with duckdb.connect(str(home.published)) as con:
        con.execute(CONTRACT_WAREHOUSE_SQL.read_text(encoding="utf-8"))
        if extra_sql:
            con.execute(extra_sql)
    if report_marts:
        build_report_marts(home, home.published)
    _BUILT[key] = home.published.read_bytes()
    return home.published


# The report marts and what they read besides the published marts (their link hosts).
REPORT_MARTS = ["platform_link_hosts", "int_platforms__link_hosts", "path:models/marts/report"]


def build_report_marts(home: Home, database: Path) -> None:
    """The rpt_ marts of `database`, built by real dbt from the marts it holds, as a run
    builds them (brand accounts and time zone from home's configuration). Only `analytics`
    stays, as in a published file."""
    config = load_config(home, environ={})
    with duckdb.connect(str(database)) as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS ops")
        write_settings(con, config)
    # dbt's target.database is the file's name: under the name of a run's build database,
    # dbt takes the session's parse of the runs' builds instead of parsing again
    # (learnloop.transform._parse_key). The marts are tables: no view names the catalog.
    building = database.with_name(home.build_database.name)
    database.rename(building)
    saved = {k: v for k, v in os.environ.items() if k.startswith("LEARNLOOP_")}
    try:  # run_dbt hands dbt its settings through LEARNLOOP_* variables
        run_dbt(
            # Whole (--full-refresh): a published file keeps no build history, so the
            # incremental report marts cannot recompute only the weeks a build changed.
            [
                "build",
                "--exclude-resource-type",
                "unit_test",
                "--full-refresh",
                "--select",
                *REPORT_MARTS,
            ],
            building,
            config,
            home.root / "report-marts-dbt",  # one dbt target per home: parsed once
        )
    finally:
        building.rename(database)
        for key in [k for k in os.environ if k.startswith("LEARNLOOP_")]:
            del os.environ[key]
        os.environ.update(saved)
    with duckdb.connect(str(database)) as con:
        schemas = con.execute(
            "SELECT schema_name FROM duckdb_schemas() WHERE database_name = current_database() "
            "AND schema_name NOT IN ('analytics', 'main') AND NOT internal"
        ).fetchall()
        for (schema,) in schemas:
            con.execute(f"DROP SCHEMA {schema} CASCADE")


def cards(page: str) -> dict[str, tuple[str, str, str]]:
    """metric -> (label, value, change) of every headline card, as the reader sees them."""
    return {
        metric: (html.unescape(label), html.unescape(value), html.unescape(change.strip()))
        for metric, label, value, change in _CARD.findall(page)
    }


def section(page: str, section_id: str) -> str:
    """The markup of one <section id=...> (or the context <aside>)."""
    match = re.search(rf'<(section|aside)[^>]* id="{section_id}">(.*?)</\1>', page, re.S)
    assert match, f"no section {section_id}"
    return match[2]


def external_resources(page: str) -> list[str]:
    """Everything the page would fetch when opened: src attributes, <link href>, CSS url()
    and @import. Plain <a href> links are navigation, not resources."""
    found = re.findall(r"""\ssrc\s*=\s*["']?([^"'\s>]+)""", page, re.I)
    found += re.findall(r"""<link\b[^>]*href\s*=\s*["']?([^"'\s>]+)""", page, re.I)
    found += re.findall(r"""url\(\s*["']?([^"')]+)""", page, re.I)
    found += re.findall(r"""@import\s+["']?([^"';]+)""", page, re.I)
    return found
