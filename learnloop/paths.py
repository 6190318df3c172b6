"""The home folder layout (docs/contracts.md, "Home folder") and where the project's own files are."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

# The repository root: dags/, dbt_project/ and expectations/ ship next to the package.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
# The export format packages: dbt reads their staging models too (dbt_project.yml).
FORMATS_DIR = PROJECT_ROOT / "learnloop" / "ingest" / "formats"
DAGS_DIR = PROJECT_ROOT / "dags"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
SAMPLE_DATA_DIR = PROJECT_ROOT / "sample_data"

PUBLISHED_FILE_NAME = "learnloop.duckdb"
AGENCY_FILE_NAME = "agency.duckdb"
WORKSPACES_FOLDER = "workspaces"


@dataclass(frozen=True)
class Home:
    """Everything LearnLoop reads and writes lives under this one folder."""

    root: Path

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Home:
        environ = os.environ if environ is None else environ
        return cls(Path(environ.get("LEARNLOOP_HOME", ".learnloop")).resolve())

    @property
    def config_file(self) -> Path:
        return self.root / "learnloop.toml"

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def quarantine(self) -> Path:
        return self.root / "quarantine"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse"

    @property
    def published(self) -> Path:
        """What BI tools open read-only; replaced atomically, never written in place."""
        return self.warehouse / PUBLISHED_FILE_NAME

    @property
    def build(self) -> Path:
        return self.warehouse / "build"

    @property
    def build_database(self) -> Path:
        """Raw tables, the load manifest and the run log as of the last successful run."""
        return self.build / "learnloop_build.duckdb"

    def run_dir(self, run_key: str) -> Path:
        """A run's private working folder: its copy of the build database, extracted zips."""
        return self.build / "runs" / run_key

    @property
    def snapshots(self) -> Path:
        return self.warehouse / "snapshots"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def run_logs(self) -> Path:
        """One log file per `learnloop run` (Airflow's output), named by its run key."""
        return self.logs / "runs"

    @property
    def last_run_log(self) -> Path:
        """A link to the newest file in run_logs."""
        return self.logs / "learnloop-last-run.log"

    @property
    def lock_file(self) -> Path:
        """Held (flock) by the command that runs, forgets or rolls back; see run_lock."""
        return self.root / "run.lock"

    @property
    def airflow_home(self) -> Path:
        """Metadata database and logs for in-process DAG runs (`learnloop run`)."""
        return self.root / "airflow"

    @property
    def dbt_state(self) -> Path:
        """The dbt project as dbt last parsed it (learnloop.transform), so that a run need
        not parse it again; a cache, safe to delete."""
        return self.root / "dbt"

    @property
    def salt_file(self) -> Path:
        return self.root / "secrets" / "member_salt"

    @property
    def workspaces(self) -> Path:
        """Where a home that serves several brands keeps them: each sub-folder is a home of
        its own (learnloop.workspaces). A home without it is its own single workspace."""
        return self.root / WORKSPACES_FOLDER

    def workspace(self, name: str) -> Home:
        """The home of workspace `name`; the home itself for "" (a home without workspaces)."""
        return Home(self.workspaces / name) if name else self

    @property
    def agency(self) -> Path:
        """The published agency view of a home with workspaces (learnloop.agency)."""
        return self.warehouse / AGENCY_FILE_NAME

    def ensure(self) -> None:
        for folder in (self.landing, self.archive, self.quarantine, self.build, self.snapshots):
            folder.mkdir(parents=True, exist_ok=True)
