"""A real published warehouse built by calling the pipeline's stages directly, without Airflow.

The stages read their configuration with `load_config()`, i.e. from LEARNLOOP_HOME; every call
here sets that variable for the duration of the call and restores the environment afterwards
(dbt's runner also leaves LEARNLOOP_BUILD_DB behind, which is removed again as well).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from learnloop import pipeline
from learnloop.paths import Home
from tests import harness
from tests.conftest import FIXTURE_CONFIG, FIXTURES

R = TypeVar("R")
E2E_FIXTURES = FIXTURES / "end_to_end"
KEEP_SNAPSHOTS = 2
CONFIG_TEXT = FIXTURE_CONFIG + f"\n[publish]\nkeep_snapshots = {KEEP_SNAPSHOTS}\n"


def make_home(root: Path, config_text: str = CONFIG_TEXT) -> Home:
    """A fresh home at `root` configured for publishing (keeps KEEP_SNAPSHOTS snapshots)."""
    return harness.make_home(root, config_text)


def land_fixtures(home: Home, prefix: str = "") -> list[Path]:
    """Copy the end-to-end fixture exports into landing/ (optionally under new names)."""
    landed = []
    for source in sorted(E2E_FIXTURES.iterdir()):
        target = home.landing / f"{prefix}{source.name}"
        shutil.copy2(source, target)
        landed.append(target)
    return landed


@contextmanager
def learnloop_home(home: Home) -> Iterator[None]:
    """LEARNLOOP_HOME points at `home` (files settle at once), no other LEARNLOOP_* setting
    leaks in or out."""
    saved = {k: v for k, v in os.environ.items() if k.startswith("LEARNLOOP_")}
    for key in saved:
        del os.environ[key]
    os.environ["LEARNLOOP_HOME"] = str(home.root)
    # The fixtures land whole: no writer to wait for (the settle time is tested on its own).
    os.environ["LEARNLOOP_LANDING_SETTLE_SECONDS"] = "0"
    try:
        yield
    finally:
        for key in [k for k in os.environ if k.startswith("LEARNLOOP_")]:
            del os.environ[key]
        os.environ.update(saved)


@dataclass
class Stages:
    """The stages of one run called as the DAG calls them: each is given what earlier ones
    returned; what they return and the first failure are kept for `finish`, as the DAG's
    XComs keep them."""

    run: dict[str, str]
    landed: list[dict[str, Any]]
    results: dict[str, Any] = field(default_factory=dict)
    failure: dict[str, Any] | None = None

    @classmethod
    def start(cls) -> Stages:
        started = pipeline.discover_files()
        return cls(started["run"], started["landed"])

    def call(self, task: str, work: Callable[[], R], keep_as: str | None = None) -> R:
        try:
            value = work()
        except Exception as exc:
            self.failure = self.failure or pipeline.describe_failure(task, exc)
            raise
        if keep_as is not None:
            self.results[keep_as] = value
        return value

    def ingest(self) -> dict[str, int]:
        return self.call("ingest", lambda: pipeline.ingest(self.run, self.landed), "loaded")

    def finish(self) -> None:
        pipeline.finish(self.run, pipeline.RunResults(**self.results, failure=self.failure))


def publishing_run(home: Home) -> dict[str, str]:
    """One complete run over what is in landing/, as the DAG runs it; returns the run."""
    with learnloop_home(home):
        stages = Stages.start()
        run = stages.run
        try:
            loaded = stages.ingest()
            raw = stages.call("gate_raw", lambda: pipeline.gate_raw(run), "raw_checks")
            stages.call("dbt_build", lambda: pipeline.dbt_build(run))
            checks = stages.call("gate_marts", lambda: pipeline.gate_marts(run, raw), "checks")
            stages.call(
                "publish",
                lambda: pipeline.publish(run, stages.landed, loaded, checks),
                "published",
            )
        finally:
            stages.finish()
    return run


def run_stopping_after_ingest(home: Home) -> dict[str, str]:
    """A run that dies after ingest: the DAG's teardown runs, publish never does."""
    with learnloop_home(home):
        stages = Stages.start()
        try:
            stages.ingest()
        finally:
            stages.finish()
    return stages.run


def copy_home(source: Home, root: Path) -> Home:
    """A private copy of `source` at `root`. Files that are one file in `source` (the
    published file and its snapshot are hard links) are one file in the copy as well, so the
    copy knows which snapshot is the published one, as the original does."""
    first_copy: dict[tuple[int, int], str] = {}

    def copy(src: str, dst: str) -> str:
        stat = Path(src).stat()
        inode = (stat.st_dev, stat.st_ino)
        if inode in first_copy:
            os.link(first_copy[inode], dst)
        else:
            shutil.copy2(src, dst)
            if stat.st_nlink > 1:
                first_copy[inode] = dst
        return dst

    shutil.copytree(source.root, root, copy_function=copy)
    return Home(root)


def build_published_home(root: Path) -> Home:
    """A home folder after one published run over the end-to-end fixtures."""
    home = make_home(root)
    land_fixtures(home)
    publishing_run(home)
    assert home.published.exists(), "the fixture build did not publish"
    return home
