"""Test helpers for the weekly report: warehouses to report on, and reading the page back."""

from __future__ import annotations

import html
import re
from pathlib import Path

import duckdb

from learnloop.paths import Home
from tests.conftest import FIXTURES

CONTRACT_WAREHOUSE_SQL = FIXTURES / "report" / "contract_warehouse.sql"

_CARD = re.compile(
    r'data-metric="([^"]+)">\s*<div class="label">(.*?)</div>\s*'
    r'<div class="value">(.*?)</div>\s*<div class="change">(.*?)(?: <span|</div>)',
    re.S,
)


def publish_contract_warehouse(home: Home) -> Path:
    """home's published file, built from the docs/kpis.md-shaped SQL fixture."""
    home.published.parent.mkdir(parents=True, exist_ok=True)
    home.published.unlink(missing_ok=True)
    with duckdb.connect(str(home.published)) as con:
        con.execute(CONTRACT_WAREHOUSE_SQL.read_text(encoding="utf-8"))
    return home.published


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
