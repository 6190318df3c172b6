"""One `learnloop run` of the real DAG for the end-to-end modules whose scenario is a single
run: each module's files and learnloop.toml become a workspace of one home, and the run
publishes every workspace (the DAG's task group `workspace`, mapped over them).

A workspace is a home of its own (its config, landing/, member salt, warehouse and reports),
so each module reads a published warehouse that holds exactly its own files, as its own run
published it before; the modules share the run's fixed costs (the process, Airflow, the dbt
parse) instead of paying them three times. Each module says what it lands as
`WORKSPACE = (config text, {landed name: fixture})`; the workspace's name is the module's
name without `test_end_to_end_`.
"""

from __future__ import annotations

import importlib
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from learnloop.paths import Home
from tests.conftest import query, run_cli

MODULES = ("test_end_to_end_formats", "test_end_to_end_insights", "test_end_to_end_posts")
PREFIX = "test_end_to_end_"


@dataclass(frozen=True)
class WorkspacesRun:
    home: Home
    result: subprocess.CompletedProcess[str]

    def lines_of(self, name: str) -> list[str]:
        """The run's progress lines of workspace `name` (each names it as `[name]`)."""
        return [line for line in self.result.stdout.splitlines() if f"  [{name}] " in line]

    def published(self, name: str) -> Home:
        """The home of workspace `name`, after asserting that its part of the run ended
        cleanly, as a run of a home of its own that exits 0: the run's ending names no problem
        of it, and its run log holds this one run, published."""
        problems = [
            line
            for line in self.result.stderr.splitlines()
            if line.startswith(f"learnloop run: [{name}]")
        ]
        assert problems == [], self.result.stderr
        workspace = self.home.workspace(name)
        assert workspace.published.exists(), self.result.stdout + self.result.stderr
        assert query(workspace.published, "SELECT status, published FROM analytics.run_log") == [
            ("published", True)
        ], self.result.stderr
        return workspace


def run_workspaces(root: Path) -> WorkspacesRun:
    home = Home(root)
    for module_name in MODULES:
        module = importlib.import_module(f"tests.{module_name}")
        config_text, files = module.WORKSPACE
        workspace = home.workspace(module_name.removeprefix(PREFIX))
        workspace.landing.mkdir(parents=True)
        workspace.config_file.write_text(config_text, encoding="utf-8")
        for landed, fixture in files.items():
            target = workspace.landing / landed
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(fixture, target)
    return WorkspacesRun(home, run_cli(home, "run"))
