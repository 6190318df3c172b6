"""`make docs`: dbt's documentation site for the project, with the warehouse's real columns.

`dbt docs generate` reads column types from a database. It gets a copy of the build
database of the last successful run (LEARNLOOP_HOME/warehouse/build/), so it never holds a
lock that a running pipeline needs; without one (no run yet) the site has no catalog. The
result is one self-contained page: LEARNLOOP_HOME/docs/target/static_index.html.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from learnloop.config import Config, load_config
from learnloop.errors import LearnLoopError
from learnloop.transform import run_dbt


def generate(config: Config) -> Path:
    work_dir = config.home.root / "docs"
    source = config.home.build_database
    with tempfile.TemporaryDirectory(prefix="learnloop-docs-") as scratch:
        # Named as the build database: dbt's target.database is the file's name, so the
        # parse the runs keep serves here too (learnloop/transform.py).
        database = Path(scratch) / source.name
        arguments = ["docs", "generate", "--static"]
        if source.exists():
            shutil.copy2(source, database)
        else:
            arguments.append("--empty-catalog")
        run_dbt(arguments, database, config, work_dir)
    return work_dir / "target" / "static_index.html"


def main() -> int:
    try:
        page = generate(load_config())
    except LearnLoopError as exc:
        print(f"make docs: {exc}", file=sys.stderr)  # noqa: T201
        return 1
    print(f"dbt docs: {page}")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
