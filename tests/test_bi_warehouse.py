"""The published warehouse as BI tools meet it.

A second, independent client reads it: the Node.js DuckDB client (@duckdb/node-api, pinned in
tests/node_client/package-lock.json, with its own DuckDB build) runs the weekly KPI query and
gets exactly what the pipeline's DuckDB gets. `make docs` documents it with dbt, exposures
included. (Every published relation and column carrying a comment: tests/test_publish.py.)
"""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from learnloop import docs, transform
from learnloop.config import load_config
from learnloop.paths import Home

NODE_CLIENT = Path(__file__).parent / "node_client"
QUERY = (NODE_CLIENT / "weekly_kpis.sql").read_text(encoding="utf-8")


@pytest.fixture
def built(published_home: Home) -> Home:
    return published_home  # read-only here


def _node_rows(published: Path) -> dict:
    node = shutil.which("node")
    if node is None or not (NODE_CLIENT / "node_modules" / "@duckdb" / "node-api").exists():
        pytest.fail(
            "the Node.js client is not installed: `make test` runs npm ci in tests/node_client"
        )
    result = subprocess.run(
        [node, str(NODE_CLIENT / "weekly_kpis.mjs"), str(published)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.slow  # the Node.js client: `make test` installs it, `make test-fast` does without
def test_node_client_reads_the_weekly_kpis(built):
    node = _node_rows(built.published)
    with duckdb.connect(str(built.published), read_only=True) as con:
        cursor = con.execute(QUERY)
        names = [column[0] for column in cursor.description]
        python_rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        python_version = con.execute("SELECT version()").fetchone()[0]
    assert node["duckdb"] != python_version  # really a different DuckDB build
    assert node["rows"] == python_rows
    # And by hand, week 2026-01-05 over all platforms: 6 inbound messages, 4 conversations,
    # 2 answered (30 and 90 min): rate 0.5, median 60, p90 30 + 0.9 * 60 = 84, two-way 1 of 4.
    week = next(
        r for r in node["rows"] if (r["week_start"], r["platform"]) == ("2026-01-05", "all")
    )
    assert week == {
        "week_start": "2026-01-05",
        "platform": "all",
        "inbound_messages": 6,
        "conversations": 4,
        "answered_conversations": 2,
        "response_rate": 0.5,
        "median_first_response_minutes": 60.0,
        "p90_first_response_minutes": 84.0,
        "two_way_rate": 0.25,
    }


def test_make_docs_generates_the_site_with_exposures_and_real_columns(built, monkeypatch):
    monkeypatch.setenv("LEARNLOOP_BUILD_DB", "")  # dbt's runner sets it; restored afterwards
    page = docs.generate(load_config(built, environ={}))
    assert page == built.root / "docs" / "target" / "static_index.html"
    assert page.stat().st_size > 0
    target = page.parent
    # The run's kept parse served (dbt writes its partial-parse file only when it parses),
    # and the manifest it wrote is today's, not the parse's.
    assert not (target / transform.PARSED_FILE).exists()
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    generated = datetime.fromisoformat(manifest["metadata"]["generated_at"])
    assert datetime.now(UTC) - generated < timedelta(minutes=5)
    exposures = {
        node["name"]: sorted(node["depends_on"]["nodes"]) for node in manifest["exposures"].values()
    }
    assert exposures == {
        "weekly_learning_report": [
            "model.learnloop.insights",
            "model.learnloop.kpi_weekly",
            "model.learnloop.rpt_open_loops_weekly",
            "model.learnloop.rpt_quotes_weekly",
            "model.learnloop.rpt_waiting_threads",
            "model.learnloop.signals",
            "model.learnloop.topics_weekly",
        ],
        "bi_warehouse": [
            "model.learnloop.conversations",
            "model.learnloop.followers_daily",
            "model.learnloop.insight_evidence",
            "model.learnloop.insights",
            "model.learnloop.interactions",
            "model.learnloop.kpi_weekly",
            "model.learnloop.learning_rejections",
            "model.learnloop.posts",
            "model.learnloop.rpt_open_loops_weekly",
            "model.learnloop.rpt_quotes_weekly",
            "model.learnloop.rpt_waiting_threads",
            "model.learnloop.signals",
            "model.learnloop.topics_weekly",
        ],
        "learnloop_weekly_dashboard": [
            "model.learnloop.insights",
            "model.learnloop.kpi_weekly",
            "model.learnloop.rpt_open_loops_weekly",
            "model.learnloop.rpt_waiting_threads",
        ],
    }
    # The catalog comes from the last run's build database: real column types.
    catalog = json.loads((target / "catalog.json").read_text(encoding="utf-8"))
    kpi_columns = catalog["nodes"]["model.learnloop.kpi_weekly"]["columns"]
    assert kpi_columns["week_start"]["type"] == "DATE"
    assert kpi_columns["response_rate"]["type"] == "DOUBLE"
