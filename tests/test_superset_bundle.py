"""The dashboard as code (bi/superset/dashboard/), checked without Superset: every reference
resolves, the warehouse is opened read-only, and its lists read the report marts.

tests/test_bi_dashboard.py imports it into a running Superset and reads the rendered page.
"""

from __future__ import annotations

import importlib.util
import re
import zipfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SUPERSET_DIR = ROOT / "bi" / "superset"
DASHBOARD = SUPERSET_DIR / "dashboard"


def _load(folder: str) -> dict[str, dict]:
    return {
        path.relative_to(DASHBOARD).as_posix(): yaml.safe_load(path.read_text(encoding="utf-8"))
        for path in sorted((DASHBOARD / folder).rglob("*.yaml"))
    }


@pytest.fixture(scope="module")
def script():
    """learnloop_superset.py as a module (it imports Superset only inside `setup`)."""
    spec = importlib.util.spec_from_file_location(
        "learnloop_superset", SUPERSET_DIR / "learnloop_superset.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_chart_dataset_and_database_reference_resolves():
    (database,) = _load("databases").values()
    datasets = _load("datasets")
    charts = _load("charts")
    (dashboard,) = _load("dashboards").values()
    assert {d["database_uuid"] for d in datasets.values()} == {database["uuid"]}
    dataset_uuids = {d["uuid"] for d in datasets.values()}
    assert {c["dataset_uuid"] for c in charts.values()} == dataset_uuids  # none unused
    placed = {
        item["meta"]["uuid"]: item["meta"]["sliceName"]
        for item in dashboard["position"].values()
        if isinstance(item, dict) and item["type"] == "CHART"
    }
    assert placed == {c["uuid"]: c["slice_name"] for c in charts.values()}
    # The layout is a tree: every child and parent it names exists.
    position = {k: v for k, v in dashboard["position"].items() if isinstance(v, dict)}
    named = {
        n for item in position.values() for n in item.get("children", []) + item.get("parents", [])
    }
    assert named <= set(position)
    # Every column a chart shows or filters on is a column of its dataset.
    columns = {d["uuid"]: {c["column_name"] for c in d["columns"]} for d in datasets.values()}
    for chart in charts.values():
        shown = set(chart["params"].get("all_columns", []))
        assert shown <= columns[chart["dataset_uuid"]], chart["slice_name"]


def test_the_bundle_opens_the_published_file_read_only(script, tmp_path):
    warehouse = tmp_path / "home" / "warehouse" / "learnloop.duckdb"
    bundle = script.write_bundle(tmp_path / "bundle.zip", warehouse)
    with zipfile.ZipFile(bundle) as opened:
        names = opened.namelist()
        database = yaml.safe_load(
            opened.read("learnloop_weekly/databases/LearnLoop_warehouse.yaml")
        )
        metadata = yaml.safe_load(opened.read("learnloop_weekly/metadata.yaml"))
    assert len(names) == 1 + 1 + 4 + 14 + 1  # metadata, database, datasets, charts, dashboard
    assert metadata["type"] == "assets"  # imported with overwrite, so edits replace old copies
    # Four slashes: an absolute path. access_mode=read_only: no lock that blocks the pipeline
    # or another reader, and no writes (duckdb_engine passes it to duckdb.connect).
    assert database["sqlalchemy_uri"] == f"duckdb:///{warehouse}?access_mode=read_only"
    assert database["allow_dml"] is False


def test_the_report_marts_decide_which_conversations_wait_and_which_loops_are_open():
    # Which conversations wait for an answer (they need a reply and have none) and which
    # insights are open loops is decided once, by the report marts in dbt
    # (dbt_project/models/marts/report/); the weekly report lists the same rows. No dataset
    # decides it again.
    texts = {
        p.relative_to(DASHBOARD).as_posix(): p.read_text(encoding="utf-8")
        for p in DASHBOARD.rglob("*.yaml")
    }
    rules = ("needs_reply", "closed_loop_at", "answered")
    assert [
        name
        for name, text in texts.items()
        if any(rule in text.replace("answered_conversations", "") for rule in rules)
    ] == []
    read = {
        name.removeprefix("datasets/LearnLoop_warehouse/"): sorted(
            set(re.findall(r"analytics\.(\w+)", dataset["sql"]))
        )
        for name, dataset in _load("datasets").items()
    }
    assert read == {
        "conversations_waiting.yaml": ["kpi_weekly", "rpt_waiting_threads"],
        "kpi_weekly_12_weeks.yaml": ["kpi_weekly"],
        "open_loops.yaml": ["insights", "kpi_weekly", "rpt_open_loops_weekly"],
        "publish_info.yaml": ["publish_info"],
    }
