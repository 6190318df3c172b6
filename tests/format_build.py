"""The format tests' shared builds: every format's fixtures loaded and built together.

A test module says what it puts in with a module-level `SHARED_BUILD = Landing(...)`: its
files under the names it lands them as, the `[brand]` accounts it needs, files that arrive in
a later run, and its world. A world is one home, one pipeline load (two runs) and one dbt
build, made once per session when a test first asks for it (`format_builds.of(__name__)`,
conftest.py). Most modules share the world "formats"; they assert rows of their own source
(source_format, source_file, or the threads of their interactions) and no two formats share
an id, so each sees what it saw in a warehouse of its own.

A module lives in a world of its own, or with modules it cannot disturb, when one of its
tests could not keep its exact values beside the others; its SHARED_BUILD says why:
- weekly KPIs add up every format of a platform and run from the first week with data to the
  last, so a test that reads a platform's every week, or the row over all platforms, needs
  the platform (or the warehouse) to itself;
- `[brand]` is per platform: a module that needs one account where another needs a second
  (Instagram's single account names the media's account) cannot share;
- fixtures that answer each other (Mastodon's archive replies in the API's threads).
`[brand]` of a world is the union of what its modules ask for; a file two modules land under
the same name is the same file (checked) and lands once.

A module whose test needs another `[brand]` than its own world's puts a second Landing into
a world that can take it (SHARED_BUILD is then a tuple) and asks for it by name
(`format_builds.of(__name__, world=...)`): a world built anyway costs less than a build of
its own.

A world without interactions and insights builds only the marts its tests read and what they
need (BUSINESS_MARTS, ~14 % fewer dbt nodes): the others (signals, topics, the report marts,
insight evidence, learning rejections) read interactions or insights, so they would be
empty there and their data tests could not fail. The build checks that the world has
neither.
"""

from __future__ import annotations

import importlib
import shutil
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from learnloop.build import RunContext, promote
from learnloop.config import Config
from learnloop.ingest.loader import IngestSummary
from learnloop.transform import FULL_BUILD, NO_ARTIFACTS, run_dbt
from tests.conftest import query
from tests.harness import configure, dbt_build, ingest, land, make_home

TESTS = Path(__file__).parent
# A fixture, or a function that writes one (a zip, say) into the folder it is given.
Source = Path | Callable[[Path], Path]


@dataclass(frozen=True)
class Landing:
    """What one test module puts into the shared build."""

    files: Mapping[str, Source]  # landed name (sub-folders allowed) -> content
    brand: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # platform -> accounts
    later: Mapping[str, Source] = field(default_factory=dict)  # landed in a second run
    world: str = "formats"


@dataclass(frozen=True)
class SharedBuild:
    config: Config
    first: RunContext  # the run that loaded every module's `files`
    second: RunContext  # the run that loaded the `later` files (and met the others again)
    summaries: tuple[IngestSummary, IngestSummary]

    @property
    def database(self) -> Path:
        """The build database after the dbt build (the second run's copy)."""
        return self.second.database_path


def landings() -> dict[str, tuple[Landing, ...]]:
    """Every test module's SHARED_BUILD (one Landing or a tuple of them, each in another
    world), by module file name (test_format_...)."""
    found = {}
    for path in sorted(TESTS.glob("test_format_*.py")):
        # pytest imports test modules by their file name; a module it has not collected
        # (another file was selected) is imported here.
        module = sys.modules.get(path.stem) or importlib.import_module(f"tests.{path.stem}")
        landing = getattr(module, "SHARED_BUILD", None)
        if landing is not None:
            found[path.stem] = landing if isinstance(landing, tuple) else (landing,)
    return found


def merged_brand(all_landings: Iterable[Landing]) -> dict[str, list[str]]:
    """The union of the accounts every module configures; accounts compared as LearnLoop
    compares them (case-insensitive, without a leading @), so each is configured once."""
    brand: dict[str, list[str]] = {"youtube": ["UCnordlichtBikesDemo0001"]}
    for landing in all_landings:
        for platform, accounts in landing.brand.items():
            known = brand.setdefault(platform, [])
            seen = {account.lstrip("@").lower() for account in known}
            known += [a for a in accounts if a.lstrip("@").lower() not in seen]
    return brand


def config_text(brand: Mapping[str, list[str]]) -> str:
    lines = ['timezone = "Europe/Berlin"', "", "[brand]"]
    lines += [
        f"{platform} = {list(accounts)!r}".replace("'", '"') for platform, accounts in brand.items()
    ]
    return "\n".join(lines) + "\n"


def _materialise(files: Mapping[str, Source], scratch: Path) -> dict[str, Path]:
    return {
        name: source if isinstance(source, Path) else source(scratch)
        for name, source in files.items()
    }


def _land_all(config: Config, files: dict[str, Path], landed: dict[str, bytes]) -> None:
    for name, path in files.items():
        content = path.read_bytes()
        if name in landed:
            assert landed[name] == content, f"two modules land different files as {name}"
            continue
        landed[name] = content
        land(config, path, name)


# Worlds of posts and follower figures only, and the marts their tests read.
BUSINESS_WORLDS = {
    "meta_business_posts",
    "meta_daily_insights",
    "meta_dyi_posts",
    "x_account_overview",
    "x_tweet_activity",
}
BUSINESS_MARTS = ("+kpi_weekly", "+posts", "+interactions", "+conversations", "+followers_daily")


def _build_business_marts(database: Path, config: Config, work_dir: Path) -> None:
    """build_models' full build, of BUSINESS_MARTS and the data tests on them alone
    (`cautious`: no test that reads a model left out)."""
    with pytest.MonkeyPatch.context() as mp:
        # run_dbt sets LEARNLOOP_BUILD_DB in os.environ; the context restores it afterwards.
        mp.setenv("LEARNLOOP_BUILD_DB", "")
        selection = ["--select", *BUSINESS_MARTS, "--indirect-selection", "cautious"]
        # No manifest.json or run_results.json, as a run's build (nothing reads them here).
        run_dbt(["build", *NO_ARTIFACTS, *FULL_BUILD, *selection], database, config, work_dir)
    counts = query(
        database,
        "SELECT (SELECT count(*) FROM analytics.interactions), "
        "(SELECT count(*) FROM analytics.insights)",
    )
    assert counts == [(0, 0)], f"a world with interactions or insights builds every model: {counts}"


def build(root: Path, world: str) -> SharedBuild:
    """Run 1 loads the files of every module of the world, run 2 (after run 1 is promoted, as
    a published run is) the later ones; one dbt build over run 2's database."""
    all_landings = [a for found in landings().values() for a in found if a.world == world]
    config = configure(make_home(root / "home"), config_text(merged_brand(all_landings)))
    scratch = root / "scratch"
    scratch.mkdir()
    landed: dict[str, bytes] = {}
    for landing in all_landings:
        _land_all(config, _materialise(landing.files, scratch), landed)
    first, first_summary = ingest(config)
    # Every module's files load: none is quarantined, none has another module's content.
    assert first_summary.as_dict()["quarantined"] == 0, first_summary
    assert first_summary.as_dict()["duplicate"] == 0, first_summary
    promote(first, config)
    for landing in all_landings:
        _land_all(config, _materialise(landing.later, scratch), landed)
    second, second_summary = ingest(config)
    if world in BUSINESS_WORLDS:
        _build_business_marts(second.database_path, config, root / "build")
    else:
        dbt_build(second.database_path, config, root / "build")
    shutil.rmtree(scratch)
    return SharedBuild(config, first, second, (first_summary, second_summary))


class SharedBuilds:
    """The worlds of the session, each built when a test first asks for it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._built: dict[str, SharedBuild] = {}

    def of(self, module: str, world: str | None = None) -> SharedBuild:
        """The build of the world that test module `module` (its __name__) lives in, or of
        `world`, another world the module puts a Landing into."""
        worlds = [a.world for a in landings()[module.rpartition(".")[2]]]
        world = world or worlds[0]
        assert world in worlds, f"{module} puts nothing into the world {world}"
        if world not in self._built:
            self._built[world] = build(self.root / world, world)
        return self._built[world]
