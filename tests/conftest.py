"""Shared helpers: a LEARNLOOP_HOME per test, the real CLI in a process of its own, DuckDB
queries.

How `run_cli` starts the CLI is a choice per call. By default it forks the command from a
pre-imported helper (tests/cli_zygote.py), which saves each command the import of Great
Expectations, dbt, pandas and DuckDB; the child is set up as `python -m learnloop.cli` would
be (environment, working directory, standard streams, argv, `__main__`, exit code) and imports
Airflow and LearnLoop's configured modules itself. `run_cli(..., new_interpreter=True)` starts
`python -m learnloop.cli` itself: tests/test_cli.py and the first run of
tests/test_end_to_end.py do, so the entry point stays covered as users start it. Tests that
read a run's output while it runs or kill it use `start_cli` (test_crashes, test_run_safety):
the same helper's child, left running in a process group of its own. `pytest
--cli-subprocess` puts every command back on a new interpreter (to compare).
Before `run` and `forget`, `run_cli` gives a new home the session's migrated Airflow database
and kept dbt parse (`seed_home=False` leaves the home as it is).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from learnloop.airflow_runner import MIGRATED_MARKER
from learnloop.config import Config, load_config
from learnloop.paths import Home
from tests import session_vectors
from tests.cli_zygote import StartedChild
from tests.duckdb_query import query
from tests.session_state import CLI_ZYGOTE, OPTIONS, SESSION_ENVIRONMENT, TEMPLATES

FIXTURES = Path(__file__).parent / "fixtures"

# The brand of the fixtures: Nordlicht Bikes. Reporting zone Berlin, so week boundaries
# differ from UTC.
FIXTURE_CONFIG = """\
timezone = "Europe/Berlin"

[brand]
youtube = ["UCnordlichtBikesDemo0001"]
"""


@pytest.fixture
def home(tmp_path: Path) -> Home:
    home = Home(tmp_path / "home")
    home.ensure()
    home.config_file.write_text(FIXTURE_CONFIG, encoding="utf-8")
    return home


@pytest.fixture
def config(home: Home) -> Config:
    return load_config(home, environ={})


def demo_home_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where `demo_home` lives, known before it is built (a fixture can start work on the
    paths it will publish while the demo runs)."""
    return tmp_path_factory.getbasetemp() / "demo" / "home"


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Home:
    """`learnloop demo` once per session: sample_data/ through the real Airflow DAG (about
    20 s), so its published warehouse, report and Airflow metadata are shared. Tests that
    change the home must leave it published; the last run stays successful."""
    home = Home(demo_home_root(tmp_path_factory))
    result = run_cli(home, "demo")
    assert result.returncode == 0, result.stdout + result.stderr
    return home


@pytest.fixture(scope="session")
def published_home(tmp_path_factory: pytest.TempPathFactory) -> Home:
    """A home after one published run over the end-to-end fixtures (tests/published_build.py,
    the stages called directly), built once per session, for both xdist workers, and shared
    by the modules that read it. Read-only: a test that publishes, rolls back or writes a
    report works on a copy (`published_build.copy_home`)."""
    from tests.published_build import build_published_home

    return _built_once_per_session(tmp_path_factory, "published", build_published_home)


def _built_once_per_session(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], Home]
) -> Home:
    """`build(root)` once for the whole session: the modules that read the home are spread
    over both xdist workers (a worker's session fixtures are its own), so the first worker
    to ask builds it in the session's folder and the other waits for it (an exclusive lock)
    rather than building it again."""
    folder = _session_root(tmp_path_factory) / "built-once" / name
    folder.mkdir(parents=True, exist_ok=True)
    root, done = folder / "home", folder / "built"
    with (folder / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not done.exists():
            shutil.rmtree(root, ignore_errors=True)  # a failed attempt's leftovers
            build(root)
            done.touch()
    return Home(root)


@pytest.fixture(scope="session")
def end_to_end_workspaces(tmp_path_factory: pytest.TempPathFactory):
    """One `learnloop run` over a home whose workspaces are the one-run end-to-end modules'
    homes (tests/end_to_end_workspaces.py), once per session; each module reads its own."""
    from tests.end_to_end_workspaces import run_workspaces

    return run_workspaces(tmp_path_factory.mktemp("end_to_end_workspaces") / "home")


@pytest.fixture(scope="session", autouse=True)
def _session_template_folders(tmp_path_factory: pytest.TempPathFactory) -> None:
    TEMPLATES["home"] = tmp_path_factory.getbasetemp() / "airflow-template" / "home"
    TEMPLATES["dbt"] = _session_root(tmp_path_factory) / "dbt-parsed"
    TEMPLATES["vectors"] = _session_root(tmp_path_factory) / "embeddings"
    from learnloop import transform

    transform.PARSES_KEPT_IN_PROCESS = PARSES_KEPT_IN_TEST_PROCESS
    if os.environ.get("PYTEST_XDIST_WORKER"):
        _built_once_per_session(tmp_path_factory, "dbt-parse", _parse_the_tests_project)
        _take_parses_made_elsewhere()


# What learnloop.transform.run_dbt sets in os.environ for dbt's profile.
DBT_RUNNER_VARIABLES = (
    "LEARNLOOP_BUILD_DB",
    "LEARNLOOP_DUCKDB_MEMORY_LIMIT",
    "LEARNLOOP_DUCKDB_THREADS",
)


def _parse_the_tests_project(root: Path) -> Home:
    """The session's first dbt parse, under the key of the tests' homes (a build database's
    name), made once: both xdist workers need it at once at the start, and each parsed it
    while the other did (about 10 CPU-s each). The cheapest command that parses: one seed."""
    from learnloop.transform import DbtFailed, run_dbt

    home = Home(root)
    home.ensure()
    home.config_file.write_text(FIXTURE_CONFIG, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        for name in DBT_RUNNER_VARIABLES:
            mp.setenv(name, "")  # run_dbt sets them; the context restores them
        config = load_config(home, environ={})
        seed = ["seed", "--select", "direction_aliases"]
        # A project dbt cannot parse fails the tests that build, each with dbt's message, not
        # every test of the session here.
        with contextlib.suppress(DbtFailed):
            run_dbt(seed, home.build_database, config, root / "dbt")
    _share_parses_made_here()
    return home


def _session_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's temporary folder, which its xdist workers share: each worker's own
    basetemp is a folder in it, named for the worker."""
    basetemp = tmp_path_factory.getbasetemp()
    return basetemp.parent if os.environ.get("PYTEST_XDIST_WORKER") else basetemp


def _clean_environment(home: Home) -> dict[str, str]:
    """A command's environment: the session's starting one (tests/session_state.py) without
    LearnLoop's and Airflow's settings, the home, and the test that runs it."""
    env = {
        k: v
        for k, v in SESSION_ENVIRONMENT.items()
        if not k.startswith(("LEARNLOOP_", "AIRFLOW", "PYTEST_CURRENT_TEST"))
    }
    env["LEARNLOOP_HOME"] = str(home.root)
    if "PYTEST_CURRENT_TEST" in os.environ:
        env["PYTEST_CURRENT_TEST"] = os.environ["PYTEST_CURRENT_TEST"]
    return env


def _give_migrated_airflow(home: Home) -> None:
    """A home's first run migrates Airflow's SQLite database (`airflow db migrate` and the
    writer pool, in one Airflow process: ~6 CPU-s). Tests start dozens of homes, so the session
    migrates once, with the pipeline's own code, and copies the result into each new home.
    `learnloop demo` (the `demo_home` fixture, a user's first step) always migrates itself."""
    if (home.airflow_home / MIGRATED_MARKER).exists() or "home" not in TEMPLATES:
        return
    template = Home(TEMPLATES["home"])
    if not (template.airflow_home / MIGRATED_MARKER).exists():
        template.ensure()
        subprocess.run(
            [
                sys.executable,
                "-c",
                "from learnloop.airflow_runner import prepare_airflow\n"
                "from learnloop.config import load_config\n"
                "prepare_airflow(load_config())",
            ],
            env=_clean_environment(template),
            check=True,
            capture_output=True,
        )
    home.airflow_home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template.airflow_home / "airflow.db", home.airflow_home / "airflow.db")
    (home.airflow_home / MIGRATED_MARKER).touch()


# --- the session's dbt parses --------------------------------------------------------------
# A dbt parse costs 4-6 CPU-seconds, and the suite builds dozens of homes with a handful of
# distinct parse keys (learnloop.transform: the project and the database's name). The session
# keeps every parse once, in TEMPLATES["dbt"], a folder both xdist workers share, under the
# name the homes use (parsed-<key>.msgpack):
# - what a process parsed in its own memory (transform._parsed_in_process, the builds the
#   tests call directly) goes there after each test phase, and what the other worker and the
#   `learnloop` children parsed comes from there into memory before each test;
# - `run_cli` gives each new home those files before `run` and `forget` (every workspace of
#   a home with workspaces: each keeps its own), as it gives Airflow's database, and keeps
#   what the command parsed afterwards; tests/test_celery_executor.py does the same for
#   its cluster's home.
# - the key the tests' homes share is parsed once as an xdist session starts, by the first
#   worker, while the other waits (`_parse_the_tests_project`): both need it at once.
# A key seen for the first time still parses: this only stops the same parse being made
# twice in one session.
PARSES_KEPT_IN_TEST_PROCESS = 32  # more keys than the suite meets (each about 2 MB)


def _dbt_state_folders(home: Home) -> list[Path]:
    """Where runs over `home` keep their dbt parse: the home's own dbt/, or in a home with
    workspaces each workspace's (a workspace is a home of its own: learnloop/paths.py)."""
    if not home.workspaces.is_dir():
        return [home.dbt_state]
    return [Home(w).dbt_state for w in sorted(home.workspaces.iterdir()) if w.is_dir()]


def _give_parsed_dbt_project(home: Home) -> None:
    """The session's kept parses into a new home's dbt state folders, where a run looks for
    one under its key; a build of a database of another name finds none of its key and
    parses for itself."""
    if "dbt" not in TEMPLATES:
        return
    for folder in _dbt_state_folders(home):
        folder.mkdir(parents=True, exist_ok=True)
        for parsed in TEMPLATES["dbt"].glob("parsed-*.msgpack"):
            if not (folder / parsed.name).exists():
                shutil.copyfile(parsed, folder / parsed.name)


def _keep_parsed_dbt_project(home: Home) -> None:
    if "dbt" not in TEMPLATES:
        return
    for folder in _dbt_state_folders(home):
        for parsed in folder.glob("parsed-*.msgpack"):
            _keep_parse(parsed.name, parsed.read_bytes())


def _keep_parse(name: str, data: bytes) -> None:
    """`data` in the session's folder as `name`, unless there already: written whole under a
    name of this process's own, then renamed, as the other worker may be writing it too."""
    kept = TEMPLATES["dbt"] / name
    if kept.exists():
        return
    kept.parent.mkdir(parents=True, exist_ok=True)
    partial = kept.with_name(f"{name}.{os.getpid()}.part")
    partial.write_bytes(data)
    partial.replace(kept)


def _share_parses_made_here() -> None:
    from learnloop import transform

    if "dbt" not in TEMPLATES:
        return
    for key, data in list(transform._parsed_in_process.items()):
        _keep_parse(f"parsed-{key}.msgpack", data)


def _take_parses_made_elsewhere() -> None:
    from learnloop import transform

    if "dbt" not in TEMPLATES:
        return
    for parsed in TEMPLATES["dbt"].glob("parsed-*.msgpack"):
        key = parsed.name.removeprefix("parsed-").removesuffix(".msgpack")
        if key not in transform._parsed_in_process:
            transform._remember_in_process(key, parsed.read_bytes())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> object:
    _take_parses_made_elsewhere()
    if "vectors" in TEMPLATES:
        session_vectors.take(TEMPLATES["vectors"])
    try:
        return (yield)
    finally:
        _share_parses_made_here()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> object:
    try:
        return (yield)
    finally:
        _share_parses_made_here()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> object:
    try:
        return (yield)
    finally:
        _share_parses_made_here()
        if "vectors" in TEMPLATES:
            session_vectors.hand_in(TEMPLATES["vectors"])


@pytest.fixture(scope="session")
def format_builds(tmp_path_factory: pytest.TempPathFactory):
    """The format tests' shared builds (tests/format_build.py): every format's fixtures in a
    few homes, each loaded and built once per session."""
    from tests.format_build import SharedBuilds

    return SharedBuilds(tmp_path_factory.mktemp("format_builds"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--cli-subprocess",
        action="store_true",
        help="start every `learnloop` command of run_cli as a new `python -m learnloop.cli` "
        "process instead of forking it from the pre-imported helper (tests/cli_zygote.py)",
    )


def pytest_configure(config: pytest.Config) -> None:
    OPTIONS["cli_subprocess"] = config.getoption("--cli-subprocess")


@pytest.fixture(scope="session", autouse=True)
def _stop_cli_zygote() -> Iterator[None]:
    yield
    CLI_ZYGOTE.close()


def run_cli(
    home: Home,
    *args: str,
    timeout: int = 600,
    settle_seconds: int | None = 0,
    new_interpreter: bool = False,
    seed_home: bool = True,
) -> subprocess.CompletedProcess[str]:
    """The real `learnloop` command in its own process, as a user or a scheduler runs it.

    Tests land files whole before they run, so nothing needs to settle; `settle_seconds=None`
    leaves the setting to the home's learnloop.toml. The process is forked from the
    pre-imported helper unless `new_interpreter` (or `pytest --cli-subprocess`) asks for a
    new `python -m learnloop.cli` (the module docstring says which tests do). Before `run` and
    `forget` the home gets the session's migrated Airflow database and dbt parse, unless
    `seed_home=False` (a test that proves the command touched nothing, not even those)."""
    env = _clean_environment(home)
    if settle_seconds is not None:
        env["LEARNLOOP_LANDING_SETTLE_SECONDS"] = str(settle_seconds)
    # `learnloop demo` (the `demo_home` fixture, a user's first step) sets up everything itself.
    if seed_home and args and args[0] in {"run", "forget"}:
        _give_migrated_airflow(home)
        _give_parsed_dbt_project(home)
    result = None
    if not (new_interpreter or OPTIONS["cli_subprocess"]):
        result = CLI_ZYGOTE.run(args, env, timeout)
    if result is None:  # asked for, or a case the helper cannot stand in for
        result = subprocess.run(
            [sys.executable, "-m", "learnloop.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    if args and args[0] in {"run", "forget", "demo"}:
        _keep_parsed_dbt_project(home)
    return result


def start_cli(home: Home, *args: str) -> subprocess.Popen[str] | StartedChild:
    """`learnloop ARGS` started and left running, in a process group of its own, for a test
    that reads its output while it runs or signals it (test_crashes, test_run_safety): as
    `run_cli` starts it (forked from the helper unless it cannot stand in; the home seeded),
    with `pid`, `stdout` to read lines from, `communicate(timeout)` and `wait(timeout)`."""
    env = _clean_environment(home)
    env["LEARNLOOP_LANDING_SETTLE_SECONDS"] = "0"
    if args and args[0] in {"run", "forget"}:
        _give_migrated_airflow(home)
        _give_parsed_dbt_project(home)
    started = None if OPTIONS["cli_subprocess"] else CLI_ZYGOTE.start(args, env)
    if started is not None:
        return started
    return subprocess.Popen(
        [sys.executable, "-m", "learnloop.cli", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def dm_pseudonym(salt: str, platform: str, raw_id: str) -> str:
    """How marts/interactions publishes a direct message's or DM conversation's id."""
    return hashlib.sha256(f"{salt}{platform}:dm:{raw_id}".encode()).hexdigest()[:16]


def restore_dm_ids(
    database: Path, rows: list[tuple], positions: set[int], platform: str | None = None
) -> list[tuple]:
    """Published DM ids mapped back to the export's ids, so expectations stay readable.

    Only a value that is exactly the salted pseudonym of a known raw id is restored, so a test
    also asserts the pseudonymisation; pair it with a check that the published values are not
    the raw ids. The platform is `platform`, or else column 0 of each row.
    """
    (salt,) = query(database, "SELECT salt FROM ops.privacy_salt")[0]
    raw_ids = query(
        database,
        """SELECT platform, interaction_id FROM intermediate.int_interactions__latest
           UNION SELECT platform, thread_id FROM intermediate.int_interactions__thread_roots""",
    )
    published = {(p, dm_pseudonym(salt, p, i)): i for p, i in raw_ids}
    return [
        tuple(
            published.get((platform or row[0], value), value) if index in positions else value
            for index, value in enumerate(row)
        )
        for row in rows
    ]


# --- running on two cores (pytest-xdist, `make test`) -------------------------------------
# Each module runs whole on one worker, so its module-scoped builds happen once. Modules that
# share a session-scoped build run on the same worker for the same reason (the format tests
# all share `format_builds`).
SHARED_BUILDS = {
    "test_bi_dashboard": "demo_home",
    "test_ui_airflow": "demo_home",
    "test_sliced_builds": "demo_home",
    "test_report": "contract_warehouse",
    "test_report_browser": "contract_warehouse",
    "test_report_delivery": "contract_warehouse",
    "test_end_to_end_formats": "end_to_end_workspaces",
    "test_end_to_end_insights": "end_to_end_workspaces",
    "test_end_to_end_posts": "end_to_end_workspaces",
}
# The longest groups start first, so the two workers end at about the same time: each
# group's seconds (setup, call and teardown of its tests) in one `pytest -n 2` of the whole
# suite on an otherwise idle machine; groups not named here follow in collection order. The
# order changes no result.
GROUP_SECONDS = {
    "demo_home": 191,
    "format_builds": 178,
    "test_crashes": 165,
    "test_celery_executor": 164,
    "test_end_to_end": 150,
    "test_run_safety": 115,
    "test_incremental": 99,
    "end_to_end_workspaces": 80,
    "test_landing_attacks": 55,
    "test_reruns": 42,
    "test_privacy_scan": 41,
    "contract_warehouse": 37,
    "test_dbt_project": 37,
    "test_publish": 31,
    "test_signals_evaluation": 20,
}


def _xdist_group(nodeid: str) -> str:
    module = nodeid.split("::")[0].rsplit("/", 1)[-1].removesuffix(".py")
    if module.startswith("test_format_"):
        return "format_builds"
    return SHARED_BUILDS.get(module, module)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: -GROUP_SECONDS.get(_xdist_group(item.nodeid), 0))  # stable


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """Hand out whole groups (`_xdist_group`) in collection order, longest first: xdist's own
    `--dist loadgroup` has no effect under pytest 9.2 (it writes the group into
    `item._nodeid`, which pytest 9.2's `nodeid` no longer reads), so a module's builds ran on
    both workers; and its scope scheduler re-sorts the groups by their number of tests unless
    `--no-loadscope-reorder`, which would start the long one-test modules last.

    A worker runs a test only once it knows the next one, so xdist gives a worker its next
    group when two tests of the current one are left (a one-test module: at its start). That
    ties one more group to a worker early; with the longest groups first, what is tied late
    is short."""
    from xdist.scheduler import LoadScopeScheduling

    config.option.loadscopereorder = False  # keep pytest_collection_modifyitems' order

    class SharedBuildScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _xdist_group(nodeid)

    return SharedBuildScheduling(config, log)
