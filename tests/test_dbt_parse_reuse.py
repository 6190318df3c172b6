"""A run reuses the dbt project as an earlier run parsed it, while nothing the parse reads has
changed (learnloop.transform, LEARNLOOP_HOME/dbt/).

The dbt command here is the cheapest real one: one seed into an empty database. The parse is
the whole project's whatever the command selects.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import msgpack
import pytest

from learnloop import transform
from learnloop.config import Config, load_config
from learnloop.paths import DBT_PROJECT_DIR, FORMATS_DIR
from learnloop.transform import dbt_vars, run_dbt
from tests.conftest import DBT_RUNNER_VARIABLES, FIXTURE_CONFIG
from tests.harness import configure, make_home

SEED = "direction_aliases"
PARSED = Path("target") / transform.PARSED_FILE  # written by dbt only when it parses
# Another value of every dbt variable than FIXTURE_CONFIG's (learnloop.transform.dbt_vars).
OTHER_VARIABLES_CONFIG = FIXTURE_CONFIG.replace("Europe/Berlin", "America/New_York") + (
    "\n[privacy]\npublish_handles = true\npublish_private_text = true\n"
)


@pytest.fixture(autouse=True)
def _nothing_parsed_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transform, "_parsed_in_process", {})
    # run_dbt sets LEARNLOOP_BUILD_DB and the DuckDB limits; the context restores them.
    for name in DBT_RUNNER_VARIABLES:
        monkeypatch.setenv(name, "")


def _seed(config: Config, work_dir: Path) -> Path:
    """dbt seed of SEED into a new database `<work_dir>/build.duckdb`; returns the database."""
    database = work_dir / "build.duckdb"
    work_dir.mkdir(parents=True)
    run_dbt(["seed", "--select", SEED], database, config, work_dir)
    return database


def _seeded_rows(database: Path) -> int:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(f"SELECT count(*) FROM reference.{SEED}").fetchone()[0]


def _parse_content(data: bytes) -> object:
    """A kept parse without what differs between two parses of one project: the moment of
    each object's parse, the invocation's metadata and dbt's hashes of its inputs (the
    variables, the profile with the database's path), which only dbt's own partial parsing
    reads."""

    def without_moments(value: object) -> object:
        if isinstance(value, dict):
            return {k: without_moments(v) for k, v in value.items() if k != "created_at"}
        if isinstance(value, list):
            return [without_moments(v) for v in value]
        return value

    parsed = msgpack.unpackb(data, strict_map_key=False)
    del parsed["metadata"], parsed["state_check"]
    return without_moments(parsed)


def _csv_rows() -> int:
    lines = (DBT_PROJECT_DIR / "seeds" / f"{SEED}.csv").read_text(encoding="utf-8").splitlines()
    return len([line for line in lines[1:] if line.strip()])  # less the header


def test_a_second_run_reuses_the_parse_and_a_damaged_one_is_parsed_again(
    config: Config, tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    first = _seed(config, tmp_path / "run1")
    assert (tmp_path / "run1" / PARSED).exists()  # dbt parsed ...
    (kept,) = config.home.dbt_state.glob("parsed-*.msgpack")  # ... and the home keeps it

    # A new process (nothing in memory), another run folder and database path, as each run.
    transform._parsed_in_process.clear()
    second = _seed(config, tmp_path / "run2")
    assert not (tmp_path / "run2" / PARSED).exists()  # dbt did not parse
    assert _seeded_rows(first) == _seeded_rows(second) == _csv_rows()
    # Another home that the same process builds (as the tests do) takes the parse from
    # memory and keeps it too, for its own later runs in other processes.
    neighbour = configure(make_home(tmp_path / "home2"), FIXTURE_CONFIG)
    _seed(neighbour, tmp_path / "run2b")
    assert not (tmp_path / "run2b" / PARSED).exists()
    assert (neighbour.home.dbt_state / kept.name).read_bytes() == kept.read_bytes()

    first_parse = kept.read_bytes()
    kept.write_bytes(first_parse[:1000])  # cut short, as by a full disk
    transform._parsed_in_process.clear()
    # The parse again, under other values of every dbt variable: the key leaves them out, as
    # the project reads them only where dbt renders again at run time. Should a variable
    # ever shape the parse (say `config(enabled=var(...))`), the two parses differ here.
    config.home.config_file.write_text(OTHER_VARIABLES_CONFIG, encoding="utf-8")
    other = load_config(config.home, environ={})
    assert all(dbt_vars(other)[name] != value for name, value in dbt_vars(config).items())
    third = _seed(other, tmp_path / "run3")
    assert (tmp_path / "run3" / PARSED).exists()  # parsed again ...
    assert _seeded_rows(third) == _csv_rows()
    (kept_again,) = config.home.dbt_state.glob("parsed-*.msgpack")  # ... kept whole again ...
    assert kept_again == kept
    assert _parse_content(kept.read_bytes()) == _parse_content(first_parse)  # ... and the same

    # A home that cannot keep it (its dbt/ is a file) still builds; a warning says why.
    blocked = configure(make_home(tmp_path / "home3"), FIXTURE_CONFIG)
    blocked.home.dbt_state.write_text("not a folder", encoding="utf-8")
    database = _seed(blocked, tmp_path / "run4")
    assert _seeded_rows(database) == _csv_rows()
    assert "could not keep the parsed dbt project: " in caplog.text
    assert list(blocked.home.root.glob("dbt*")) == [blocked.home.dbt_state]  # no half file


def test_the_key_changes_with_what_the_parse_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    database = tmp_path / "runs" / "a" / "build.duckdb"
    key = transform._parse_key(database)
    # Another run's copy of the database: the same parse.
    assert transform._parse_key(tmp_path / "runs" / "b" / "build.duckdb") == key
    # Another database name is another `target.database` in every node.
    assert transform._parse_key(tmp_path / "catalog.duckdb") != key

    # An edited project (an upgrade): the same folder, one file changed.
    project = tmp_path / "project" / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    monkeypatch.setattr(transform, "DBT_PROJECT_DIR", project)
    copied = transform._parse_key(database)
    seeds_yml = project / "seeds" / "_seeds.yml"
    seeds_yml.write_text(seeds_yml.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert transform._parse_key(database) not in {copied, key}
    # A staging model that lives with its export format is part of the project too.
    monkeypatch.setattr(transform, "FORMATS_DIR", tmp_path / "formats")
    shutil.copytree(FORMATS_DIR, tmp_path / "formats")
    edited = transform._parse_key(database)
    staging = next((tmp_path / "formats").rglob("stg_*.sql"))
    staging.write_text(staging.read_text(encoding="utf-8") + "\n-- edited\n", encoding="utf-8")
    assert transform._parse_key(database) != edited
