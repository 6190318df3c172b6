"""A real published warehouse built by calling the pipeline's stages directly, without Airflow.

The stages read their configuration with `load_config()`, i.e. from LEARNLOOP_HOME; every call
here sets that variable for the duration of the call and restores the environment afterwards
(dbt's runner also leaves LEARNLOOP_BUILD_DB behind, which is removed again as well).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from learnloop import pipeline
from learnloop.paths import Home
from tests import harness
from tests.conftest import FIXTURE_CONFIG, FIXTURES

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


def publishing_run(home: Home) -> dict[str, str]:
    """One complete run over what is in landing/, as the DAG runs it; returns its context."""
    with learnloop_home(home):
        context = pipeline.discover_files()
        try:
            pipeline.ingest(context)
            pipeline.gate_raw(context)
            pipeline.dbt_build(context)
            pipeline.gate_marts(context)
            pipeline.publish(context)
        finally:
            pipeline.finish(context)
    return context


def run_stopping_after_ingest(home: Home) -> dict[str, str]:
    """A run that dies after ingest: the DAG's teardown runs, publish never does."""
    with learnloop_home(home):
        context = pipeline.discover_files()
        try:
            pipeline.ingest(context)
        finally:
            pipeline.finish(context)
    return context


def build_published_home(root: Path) -> Home:
    """A home folder after one published run over the end-to-end fixtures."""
    home = make_home(root)
    land_fixtures(home)
    publishing_run(home)
    assert home.published.exists(), "the fixture build did not publish"
    return home
