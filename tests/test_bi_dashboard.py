"""The "LearnLoop weekly" dashboard (bi/superset/) in Apache Superset, seen in a real browser.

Superset runs from its own virtualenv (`make test` builds bi/superset/.venv), set up and
imported over the warehouse that `learnloop demo` published and served on loopback, by the
documented `learnloop_superset.py serve --setup` (the setup of `make superset`, in the
server's process). Headless Chromium logs in, opens the
dashboard and reads the numbers from the rendered page. They must equal the published
`analytics.kpi_weekly` (and conversations, insights, publish_info) of the demo week,
formatted as each chart's YAML says. Then new exports land, the pipeline republishes while
Superset keeps running, and after the documented refresh step (reload the page) the
dashboard shows the new numbers, with no lock error anywhere.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
import yaml

from learnloop import pipeline
from learnloop.paths import Home
from tests.cdp_browser import Page, browser_page
from tests.conftest import FIXTURES, demo_home_root, query
from tests.published_build import learnloop_home, publishing_run
from tests.servers import free_port, serving

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
SUPERSET_DIR = ROOT / "bi" / "superset"
SUPERSET_PYTHON = SUPERSET_DIR / ".venv" / "bin" / "python"
CHARTS = SUPERSET_DIR / "dashboard" / "charts"
DASHBOARD_PATH = "/superset/dashboard/learnloop-weekly/"
NEW_EXPORT = FIXTURES / "bi" / "hootsuite_inbox_2026-10-late.csv"
OUTPUT = Path(__file__).parent / "output"  # screenshots (git-ignored); docs/ has a copy
DEMO_WEEK, DEMO_WEEK_START = "2026-W44", date(2026, 10, 26)
KPI_TABLES = (
    "Dialogue per platform, 12 weeks",
    "Signals per platform, 12 weeks",
    "Learning per platform, 12 weeks",
)
# Big number -> the SQL of its value in the published file, for the demo (the newest) week.
ALL_NEWEST = f"WHERE platform = 'all' AND week_start = DATE '{DEMO_WEEK_START}'"
BIG_NUMBERS = {
    "Community messages": f"SELECT inbound_messages FROM analytics.kpi_weekly {ALL_NEWEST}",
    "Signals": f"SELECT signals FROM analytics.kpi_weekly {ALL_NEWEST}",
    "Response rate": f"SELECT response_rate FROM analytics.kpi_weekly {ALL_NEWEST}",
    "Insights shipped": f"SELECT insights_shipped FROM analytics.kpi_weekly {ALL_NEWEST}",
    "Open loops": f"SELECT open_loops FROM analytics.kpi_weekly {ALL_NEWEST}",
    "Waiting for an answer": "SELECT count(*) FROM analytics.conversations "
    f"WHERE week_start = DATE '{DEMO_WEEK_START}' AND NOT answered AND needs_reply",
}
LOCK_ERRORS = ("Could not set lock", "Conflicting lock", "database is locked")

# Every chart on the page: a table's header and cells, a big number's value, or whether an
# ECharts chart drew its canvas; charts that have not drawn yet are left out.
READ_DASHBOARD_JS = """JSON.stringify(Object.fromEntries(
  Array.from(document.querySelectorAll('[data-test-chart-name]')).flatMap(holder => {
    const name = holder.getAttribute('data-test-chart-name');
    const header = holder.querySelector('thead tr');  // the sticky header is a table of its own
    if (header) {
      const cells = row => Array.from(row.querySelectorAll('th, td')).map(c => c.innerText.trim());
      return [[name, {header: cells(header),
                      rows: Array.from(holder.querySelectorAll('tbody tr')).map(cells)}]];
    }
    const big = holder.querySelector('.header-line');
    if (big) { return [[name, {value: big.innerText.trim()}]]; }
    if (holder.querySelector('[_echarts_instance_] canvas')) { return [[name, {drawn: true}]]; }
    return [];
  })))"""
ERRORS_JS = """JSON.stringify(Array.from(document.querySelectorAll(
  '[role=alert], .ant-alert-error, [data-test=error-message]')).map(e => e.innerText.trim()))"""


@dataclass(frozen=True)
class Superset:
    url: str
    password: str
    log: Path
    home: Home  # the demo's home: its published warehouse is what the dashboard shows


def _charts() -> dict[str, dict]:
    """slice_name -> params of every chart the dashboard ships."""
    loaded = (yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(CHARTS.glob("*.yaml")))
    return {chart["slice_name"]: chart["params"] for chart in loaded}


def shown(value: float | int | None, d3_format: str | None) -> str:
    """A value as Superset draws it with the chart's d3 format (the three the charts use).

    d3 rounds with JavaScript's toFixed: an exact tie rounds away from zero (8.25 -> "8.3"),
    where Python's format rounds it to even ("8.2")."""
    if value is None:
        return "N/A"
    if d3_format == ",d":
        return f"{int(value):,d}"
    if d3_format == ".1%":
        return f"{_to_fixed(value * 100):,}%"
    if d3_format == ",.1f":
        return f"{_to_fixed(value):,}"
    assert d3_format is None, f"no rule for d3 format {d3_format!r}"
    return str(value)


def _to_fixed(value: float) -> Decimal:
    return Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def expected_kpi_rows(published: Path, params: dict) -> dict[str, dict[str, str]]:
    """platform -> column -> text of a KPI table's rows for the demo week, from kpi_weekly."""
    columns = [c for c in params["all_columns"] if c not in ("week", "platform")]
    formats = {c: spec.get("d3NumberFormat") for c, spec in params["column_config"].items()}
    rows = query(
        published,
        f"SELECT platform, {', '.join(columns)} FROM analytics.kpi_weekly WHERE week_start = ?",
        [DEMO_WEEK_START],
    )
    return {
        platform: {c: shown(v, formats.get(c)) for c, v in zip(columns, values, strict=True)}
        for platform, *values in rows
    }


def shown_kpi_rows(table: dict) -> dict[str, dict[str, str]]:
    """The same shape, read from the page: the demo week's rows of a rendered table."""
    header = table["header"]
    return {
        row[1]: dict(zip(header[2:], row[2:], strict=True))
        for row in table["rows"]
        if row[0] == DEMO_WEEK
    }


def expected_page(published: Path) -> dict:
    """What the dashboard must show for the published file, computed from the file."""
    charts = _charts()
    ((run_key, published_at, newest, version, storage),) = query(
        published,
        """SELECT run_key, strftime(timezone('UTC', published_at), '%Y-%m-%d %H:%M') || ' UTC',
                  strftime(timezone('UTC', newest_interaction_at), '%Y-%m-%d %H:%M') || ' UTC',
                  learnloop_version, storage_version FROM analytics.publish_info""",
    )
    waiting = query(
        published,
        """SELECT platform, thread_id, strftime(timezone('UTC', started_at), '%Y-%m-%d %H:%M'),
                  community_turns FROM analytics.conversations
           WHERE week_start = ? AND NOT answered AND needs_reply ORDER BY started_at""",
        [DEMO_WEEK_START],
    )
    open_loops = query(
        published,
        """SELECT insight_id, title, platform, strftime(timezone('UTC', shipped_at), '%Y-%m-%d'),
                  evidence_interactions, backlog_key FROM analytics.insights
           WHERE shipped_at IS NOT NULL AND closed_loop_at IS NULL ORDER BY shipped_at""",
    )
    return {
        "data as of": [
            ["published", published_at],
            ["newest interaction", newest],
            ["run", run_key],
            ["LearnLoop version", version],
            ["storage version", storage],
        ],
        "big numbers": {
            name: shown(
                query(published, sql)[0][0],
                charts[name]["y_axis_format"],
            )
            for name, sql in BIG_NUMBERS.items()
        },
        "kpi tables": {name: expected_kpi_rows(published, charts[name]) for name in KPI_TABLES},
        "waiting": [[DEMO_WEEK, p, t, s, str(n)] for p, t, s, n in waiting],
        "open loops": [[i, t, p, s, str(n), k] for i, t, p, s, n, k in open_loops],
    }


def shown_page(charts: dict) -> dict:
    return {
        "data as of": charts["Data as of"]["rows"],
        "big numbers": {name: charts[name]["value"] for name in BIG_NUMBERS},
        "kpi tables": {name: shown_kpi_rows(charts[name]) for name in KPI_TABLES},
        "waiting": [
            row
            for row in charts["Conversations waiting for an answer"]["rows"]
            if row[0] == DEMO_WEEK
        ],
        "open loops": charts["Open loops: shipped, community not told yet"]["rows"],
    }


@pytest.fixture(scope="module")
def superset(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Superset]:
    """Superset set up with the documented command over the demo's published warehouse, then
    served, in one process. Neither needs more than the warehouse's path (a chart queries the
    file only when the page asks), so both run while `learnloop demo` builds it (the tests take the demo home
    from here, not as a fixture, which pytest would build first)."""
    if not SUPERSET_PYTHON.exists():
        pytest.fail("Superset is not installed: `make test` builds bi/superset/.venv")
    state_home = tmp_path_factory.mktemp("superset")
    warehouse = Home(demo_home_root(tmp_path_factory)).published
    with ExitStack() as running, ThreadPoolExecutor(max_workers=1) as helper:
        started = helper.submit(_set_up_and_serve, state_home, warehouse, running)
        demo_home: Home = request.getfixturevalue("demo_home")
        url, log = started.result()
        assert demo_home.published == warehouse
        password = (state_home / "superset" / "admin_password").read_text(encoding="utf-8")
        yield Superset(url, password.strip(), log, demo_home)


def _set_up_and_serve(state_home: Path, warehouse: Path, running: ExitStack) -> tuple[str, Path]:
    """`serve --setup` on a free port until `running` closes: the documented setup, done by
    the server's own process before it answers (Superset starts once); the URL and its log."""
    script = str(SUPERSET_DIR / "learnloop_superset.py")
    port = free_port()
    log = state_home / "superset.log"
    command = [str(SUPERSET_PYTHON), script, "serve", "--home", str(state_home), "--setup"]
    command += ["--warehouse", str(warehouse), "--port", str(port)]
    health = f"http://127.0.0.1:{port}/health"
    # The setup (Superset's 345 migrations, its permissions, the import) comes first.
    running.enter_context(serving(command, health, log, os.environ.copy(), timeout=600))
    return f"http://127.0.0.1:{port}", log


@pytest.fixture(scope="module")
def browser(superset: Superset, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    """One headless Chromium, logged in to Superset, for the module's tests."""
    profile = tmp_path_factory.mktemp("superset-browser")
    with browser_page(profile, width=1600, height=2700) as page:
        _log_in(page, superset)
        yield page


@dataclass(frozen=True)
class DemoView:
    shown: dict  # what the page showed, read as shown_page reads it
    charts: dict  # every chart as READ_DASHBOARD_JS read it
    expected: dict  # what the published file held at that moment (expected_page)


@pytest.fixture(scope="module")
def demo_view(superset: Superset, browser: Page) -> DemoView:
    """The dashboard opened once over the demo's publish, before any test republishes: the
    first test checks it, the republish test starts from it (one page load less)."""
    published = superset.home.published
    charts = _open_dashboard(browser, superset, _run_key(published))
    browser.screenshot(OUTPUT / "superset-dashboard.png")
    return DemoView(shown_page(charts), charts, expected_page(published))


def _log_in(page: Page, superset: Superset) -> None:
    # Superset's pages post their UI event log when they unload. The login page does so
    # without a session while the login is under way; on a busy machine that answer can
    # arrive last and replace the fresh session cookie. The test browser drops those posts.
    page.send("Network.enable")
    page.send("Network.setBlockedURLs", urls=["*/superset/log/*"])
    page.goto(f"{superset.url}/login/")
    page.type_into("#username", "admin")
    page.type_into("#password", superset.password)
    page.press_enter()
    page.wait_for("location.pathname !== '/login/'", what="the login to go through")


def _open_dashboard(page: Page, superset: Superset, run_key: str) -> dict:
    """(Re)load the dashboard; wait until every chart drew, from the file of `run_key`."""
    page.goto(f"{superset.url}{DASHBOARD_PATH}")
    charts_total = len(_charts())
    ready = f"""(() => {{
        const charts = JSON.parse({READ_DASHBOARD_JS});
        const asOf = charts['Data as of'];
        return Object.keys(charts).length === {charts_total} && asOf !== undefined
            && asOf.rows.some(row => row[1] === {json.dumps(run_key)}) ? JSON.stringify(charts) : '';
    }})()"""
    # Fourteen charts query DuckDB through one Superset worker: allow a busy machine time.
    drawn = page.wait_for(ready, what=f"all {charts_total} charts of run {run_key}", timeout=180)
    charts = json.loads(drawn)
    assert json.loads(page.evaluate(ERRORS_JS)) == []
    return charts


def _run_key(published: Path) -> str:
    return query(published, "SELECT run_key FROM analytics.publish_info")[0][0]


def test_dashboard_shows_kpi_weekly_of_the_demo_week(demo_view):
    charts, shown_now = demo_view.charts, demo_view.shown
    assert shown_now == demo_view.expected
    # By hand from sample_data/, week 2026-W44 over all platforms: 22 community messages
    # (facebook 3, instagram 5, x 4, youtube 10), 18 conversations of which 10 answered,
    # 10 / 18 = 55.6 %. Of the 8 unanswered, 2 are praise alone ("Danke, sehr hilfreich.
    # Schönes Video." on YouTube, the ride report "Heute 60 km an der Elbe ..." on Instagram)
    # and need no reply: 6 wait for an answer (2 problems, 3 questions, 1 idea). INS-101
    # shipped on 2026-10-14 and nobody has told its three evidence threads yet: one open loop.
    assert shown_now["big numbers"]["Community messages"] == "22"
    assert shown_now["big numbers"]["Response rate"] == "55.6%"
    assert shown_now["big numbers"]["Waiting for an answer"] == "6"
    assert shown_now["open loops"] == [
        ["INS-101", "Battery shows 0 % after firmware 3.1.4", "x", "2026-10-14", "3", "NLB-201"]
    ]
    dialogue = shown_now["kpi tables"]["Dialogue per platform, 12 weeks"]
    assert sorted(dialogue) == ["all", "facebook", "instagram", "linkedin", "x", "youtube"]
    assert dialogue["linkedin"]["response_rate"] == "N/A"  # no conversation: nothing to divide
    assert {
        charts["Response rate per platform"]["drawn"],
        charts["Signals by category, all platforms"]["drawn"],
    } == {True}
    # The 12-week tables hold every published week up to the newest (sample_data: W41-W44).
    weeks = {row[0] for row in charts["Dialogue per platform, 12 weeks"]["rows"]}
    assert weeks == {"2026-W41", "2026-W42", "2026-W43", "2026-W44"}


def test_a_reload_after_a_republish_shows_the_new_numbers_without_a_lock_error(
    superset, browser, demo_view
):
    demo_home = superset.home
    before = demo_view.shown
    # New exports land; the pipeline's stages run as the DAG runs them (one Airflow run less
    # for the suite) and republish while Superset is up and connected, then the report
    # stage reads the new file as another reader.
    target = demo_home.landing / "inbox" / NEW_EXPORT.name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(NEW_EXPORT, target)
    publishing_run(demo_home)
    with learnloop_home(demo_home):
        assert pipeline.report() == str(demo_home.reports / DEMO_WEEK / "index.html")
    # The documented refresh step: reload the dashboard.
    after = shown_page(_open_dashboard(browser, superset, _run_key(demo_home.published)))
    browser.screenshot(OUTPUT / "superset-dashboard-republished.png")
    assert after == expected_page(demo_home.published)
    # By hand: three new Instagram conversations in W44 (Thu 10:00, Fri 18:00, Sat 09:30
    # Berlin), the first two answered after 20 and 45 minutes. All platforms: 22 + 3 = 25
    # messages, 18 + 3 = 21 conversations, 10 + 2 = 12 answered, 12 / 21 = 57.1 %, and
    # 6 + 1 = 7 waiting (Sat's "gibt es den Gepäckträger auch in schwarz?" is a question that
    # needs a reply); Instagram: 5 + 3 = 8 messages, 4 + 3 = 7 conversations, 2 + 2 = 4
    # answered, 4 / 7 = 57.1 %.
    assert (
        before["big numbers"]["Community messages"],
        after["big numbers"]["Community messages"],
    ) == ("22", "25")
    assert after["big numbers"]["Response rate"] == "57.1%"
    assert after["big numbers"]["Waiting for an answer"] == "7"
    instagram = after["kpi tables"]["Dialogue per platform, 12 weeks"]["instagram"]
    assert [
        instagram[c]
        for c in ("inbound_messages", "conversations", "answered_conversations", "response_rate")
    ] == ["8", "7", "4", "57.1%"]
    assert after["data as of"][2] != before["data as of"][2]  # another run published it
    log = superset.log.read_text(encoding="utf-8", errors="replace")
    assert [line for line in log.splitlines() if any(e in line for e in LOCK_ERRORS)] == []
