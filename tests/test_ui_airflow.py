"""Airflow's UI on the project's DAGs after a real `learnloop run`, seen in headless Chromium.

Airflow 3 serves its UI from the API server. `make airflow-ui` (`python -m
learnloop.airflow_ui`) starts it on loopback with the repository's DAG folder and the metadata
database that `learnloop demo` wrote (LEARNLOOP_HOME/airflow/), behind the SimpleAuthManager
with a user whose password Airflow generates at start-up. The browser
logs in through the login form like a data engineer, opens the `learnloop` DAG and checks its
tasks and the state of its last run against the metadata database, then opens
`learnloop_weekly_report` and checks that it is scheduled on the published-warehouse Asset.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from learnloop.dag_ids import MAIN_DAG_ID, PUBLISHED_ASSET_NAME, REPORT_DAG_ID
from learnloop.paths import Home
from tests.cdp_browser import Page, browser_page
from tests.servers import free_port, serving

pytestmark = pytest.mark.slow

OUTPUT = Path(__file__).parent / "output"  # screenshots (git-ignored); docs/ has a copy
USER = "analyst"  # a viewer: reading the DAGs is all the UI test needs
# The grid's rows: the run-wide tasks and the mapped task group `workspace` (collapsed,
# as the grid first shows a group), whose instances run discover ... finish per workspace.
TASKS = ["workspaces", "workspace", "agency", "summary"]
SIMPLE_AUTH_MANAGER = (
    "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
)


@dataclass(frozen=True)
class AirflowUI:
    url: str
    password: str
    database: Path


@pytest.fixture(scope="module")
def airflow_ui(demo_home: Home, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AirflowUI]:
    state = tmp_path_factory.mktemp("airflow-ui")
    passwords = state / "passwords.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "LEARNLOOP_"))}
    env.update(
        {
            "LEARNLOOP_HOME": str(demo_home.root),
            "AIRFLOW__CORE__AUTH_MANAGER": SIMPLE_AUTH_MANAGER,
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{USER}:viewer",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
        }
    )
    port = free_port()
    # What `make airflow-ui` runs, on a free port.
    command = [sys.executable, "-m", "learnloop.airflow_ui", "--port", str(port)]
    health = f"http://127.0.0.1:{port}/api/v2/monitor/health"
    with serving(command, health, state / "api-server.log", env):
        password = json.loads(passwords.read_text(encoding="utf-8"))[USER]
        yield AirflowUI(f"http://127.0.0.1:{port}", password, demo_home.airflow_home / "airflow.db")


@pytest.fixture(scope="module")
def browser(airflow_ui: AirflowUI, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    """One headless Chromium for the module: the first page it opens sends it to the login
    form, where it types the generated credentials; Airflow then returns it to that page."""
    profile = tmp_path_factory.mktemp("airflow-browser")
    with browser_page(profile, width=1400, height=900) as page:
        path = f"/dags/{MAIN_DAG_ID}"
        page.goto(f"{airflow_ui.url}{path}")
        page.wait_for("location.pathname === '/auth/login'", what="the login form")
        page.type_into("input[name=username]", USER)
        page.type_into("input[name=password]", airflow_ui.password)
        page.press_enter()
        page.wait_for(f"location.pathname === {json.dumps(path)}", what=f"{path} after login")
        yield page


def _open(page: Page, ui: AirflowUI, path: str) -> None:
    page.goto(f"{ui.url}{path}")
    page.wait_for(f"location.pathname === {json.dumps(path)}", what=path)


def _latest_run(database: Path, dag_id: str) -> tuple[str, str, str]:
    """(run_id, state, run_after as the UI prints it in UTC) of the DAG's newest run."""
    with sqlite3.connect(database) as con:
        row = con.execute(
            "SELECT run_id, state, run_after FROM dag_run WHERE dag_id = ? "
            "ORDER BY run_after DESC LIMIT 1",
            [dag_id],
        ).fetchone()
    assert row is not None, f"no run of {dag_id} in {database}"
    return row[0], row[1], row[2][:19]


def _stats(page: Page) -> dict[str, str]:
    """The DAG header's facts: {"Schedule": "0 0 * * *", "Latest Run": "...", ...}."""
    texts = page.evaluate(
        "JSON.stringify(Array.from(document.querySelectorAll('[data-testid=stat]'))"
        ".map(e => e.innerText))"
    )
    return {
        lines[0]: " ".join(lines[1:])
        for lines in (
            [ln.strip() for ln in t.splitlines() if ln.strip()] for t in json.loads(texts)
        )
    }


def test_the_dag_page_shows_the_tasks_and_the_last_run_state(airflow_ui, browser):
    run_id, state, run_after = _latest_run(airflow_ui.database, MAIN_DAG_ID)
    assert state == "success"
    _open(browser, airflow_ui, f"/dags/{MAIN_DAG_ID}")
    cells = [f"grid-{run_id}-{task}" for task in TASKS]
    browser.wait_for(
        f"{json.dumps(cells)}.every(id => document.querySelector(`[data-testid='${{id}}']`))",
        what="the grid cells of the last run",
    )
    browser.screenshot(OUTPUT / "airflow-dag-learnloop.png")
    shown_tasks = browser.evaluate(
        "JSON.stringify(Array.from(document.querySelectorAll('[data-testid^=task-]'))"
        ".map(e => e.dataset.testid.slice(5)).filter(t => t !== 'state-badge'))"
    )
    latest_state = browser.evaluate(
        "document.querySelector('[data-testid=header-card] [data-testid=state-badge]')"
        ".getAttribute('aria-label')"
    )
    stats = _stats(browser)
    assert browser.console == []
    assert json.loads(shown_tasks) == TASKS  # in the DAG's order, as the grid lists them
    assert latest_state == state
    assert stats["Latest Run"] == run_after
    assert stats["Schedule"] == "0 0 * * *"


def test_the_runs_page_lists_the_last_run_as_successful(airflow_ui, browser):
    run_id, _, run_after = _latest_run(airflow_ui.database, MAIN_DAG_ID)
    _open(browser, airflow_ui, f"/dags/{MAIN_DAG_ID}/runs")
    # The table may render before the UI's translations arrive, its states then shown as
    # their keys (states.success): wait for a table in words.
    rows = browser.wait_for(
        "(() => { const rows = Array.from(document.querySelectorAll('table tbody tr'))"
        ".map(r => r.innerText.split(/\\s+/).filter(Boolean)).filter(r => r.length);"
        " const text = JSON.stringify(rows);"
        " return rows.length && !text.includes('states.') ? text : ''; })()",
        what="the table of runs, translated",
    )
    newest = json.loads(rows)[0]
    assert newest[:4] == [run_id, *run_after.split(" "), "Success"]


def _asset_id(database: Path, name: str) -> int:
    with sqlite3.connect(database) as con:
        row = con.execute("SELECT id FROM asset WHERE name = ?", [name]).fetchone()
    assert row is not None, f"no Asset {name} in {database}"
    return row[0]


def test_the_report_dag_page_shows_its_asset_schedule(airflow_ui, browser):
    _, main_state, main_run_after = _latest_run(airflow_ui.database, MAIN_DAG_ID)
    run_id, state, run_after = _latest_run(airflow_ui.database, REPORT_DAG_ID)
    assert (main_state, state) == ("success", "success")
    assert run_after > main_run_after  # `learnloop demo` ran it after the publish
    _open(browser, airflow_ui, f"/dags/{REPORT_DAG_ID}")
    browser.wait_for(
        f"!!document.querySelector(`[data-testid='grid-{run_id}-report']`)",
        what="the grid cell of the report task's last run",
    )
    browser.screenshot(OUTPUT / "airflow-dag-learnloop_weekly_report.png")
    stats = _stats(browser)
    # The header names the Asset, not a cron expression, and links to its page.
    schedule_link = browser.evaluate(
        "Array.from(document.querySelectorAll('[data-testid=stat]'))"
        ".find(e => e.querySelector('h2').innerText === 'Schedule')"
        ".querySelector('a').getAttribute('href')"
    )
    latest_state = browser.evaluate(
        "document.querySelector('[data-testid=header-card] [data-testid=state-badge]')"
        ".getAttribute('aria-label')"
    )
    assert browser.console == []
    assert stats["Schedule"] == PUBLISHED_ASSET_NAME
    assert schedule_link == f"/assets/{_asset_id(airflow_ui.database, PUBLISHED_ASSET_NAME)}"
    assert stats["Latest Run"] == run_after
    assert latest_state == state
    # The run `learnloop demo` started took the Asset update off the queue, as a scheduler
    # does: none waits for another run.
    with sqlite3.connect(airflow_ui.database) as con:
        queued = con.execute(
            "SELECT count(*) FROM asset_dag_run_queue WHERE target_dag_id = ?", [REPORT_DAG_ID]
        ).fetchone()
    assert queued == (0,)
