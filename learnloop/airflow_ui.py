"""`make airflow-ui`: Airflow's web UI on the runs that `learnloop run` recorded.

Airflow 3 serves its UI from the API server. This starts it on loopback with the project's
DAG folder and LEARNLOOP_HOME's metadata database (the same environment `learnloop run` uses),
so the DAGs, their runs and task logs show. It logs in with Airflow's SimpleAuthManager: user
`admin`, password generated on first start into
LEARNLOOP_HOME/airflow/simple_auth_manager_passwords.json.generated (unless
AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_* say otherwise).

    python -m learnloop.airflow_ui [--host 127.0.0.1] [--port 8080]
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import NoReturn

from learnloop.airflow_runner import prepare_airflow
from learnloop.config import load_config
from learnloop.errors import LearnLoopError


def main(argv: list[str] | None = None) -> NoReturn:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1", help="address (default: loopback)")
    parser.add_argument("--port", type=int, default=8080, help="port (default: 8080)")
    args = parser.parse_args(argv)
    try:
        prepare_airflow(load_config())  # Airflow's environment; migrates a new home's database
    except LearnLoopError as exc:
        sys.exit(f"learnloop airflow-ui: {exc}")
    command = [sys.executable, "-m", "airflow", "api-server", "--host", args.host]
    command += ["--port", str(args.port), "--workers", "1"]
    os.execv(sys.executable, command)  # the server replaces this process: Ctrl+C stops it


if __name__ == "__main__":
    main()
