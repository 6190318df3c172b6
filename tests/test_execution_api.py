"""`dag.test()`'s in-process execution API is cut to the task SDK's API version
(learnloop/execution_api.py): that version answers, an older one no longer does, and an app
that has served is left alone.

In a fresh interpreter with an Airflow home of its own: Airflow reads its configuration when
first imported. Every `learnloop run` in the suite goes through the cut app, so the DAG runs
prove the tasks' calls still work; this test proves the cut itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPT = textwrap.dedent(
    """
    import json
    import httpx
    from airflow.sdk.api.datamodels._generated import API_VERSION
    from airflow.sdk.execution_time.supervisor import in_process_api_server
    from learnloop.execution_api import serve_only_the_task_sdk_version

    api = in_process_api_server()
    served_by_airflow = [v.value for v in api.app.versions.versions]
    cut = serve_only_the_task_sdk_version()
    client = httpx.Client(transport=api.transport, base_url="http://in-process.invalid")
    def ping(version):
        answer = client.get("/health/ping", headers={"Airflow-API-Version": version})
        return [answer.status_code, answer.json()]
    print(json.dumps({
        "sdk_is_newest": API_VERSION == served_by_airflow[0],
        "airflow_versions": len(served_by_airflow),
        "cut": cut,
        "versions": [v.value for v in api.app.versions.versions] == [API_VERSION],
        "sdk_version": ping(API_VERSION),
        "oldest_version": ping(served_by_airflow[-1]),
        "cut_again": serve_only_the_task_sdk_version(),
    }))
    """
)


def test_only_the_task_sdk_version_is_served(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "LEARNLOOP_"))}
    env["AIRFLOW_HOME"] = str(tmp_path)
    env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{tmp_path / 'airflow.db'}"
    completed = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout.splitlines()[-1]) == {
        "sdk_is_newest": True,
        "airflow_versions": 9,  # Airflow 3.3's dated versions: what the cut saves generating
        "cut": True,
        "versions": True,
        "sdk_version": [200, {"ok": [], "failing": {}}],
        "oldest_version": [404, {"detail": "Not Found"}],
        "cut_again": False,  # it has served: its routers exist, nothing is cut
    }
