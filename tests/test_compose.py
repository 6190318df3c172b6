"""Static checks of the Docker deployment: docker-compose.yml, Dockerfile and the lock files.

No Docker engine runs in CI, so these read the files and assert what `docker compose up`
would depend on: the right services, commands, dependencies, mounts and no default secrets,
for the default deployment (LocalExecutor) and the `celery` profile. The Celery deployment
itself runs for real in tests/test_celery_executor.py, from Debian's servers.
"""

import json
import re
import shlex
import subprocess
from itertools import pairwise
from pathlib import Path

import pytest
import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = PROJECT_ROOT / "docker-compose.yml"
DOCKERFILE = PROJECT_ROOT / "Dockerfile"
SUPERSET_DIR = PROJECT_ROOT / "bi" / "superset"
LOCK_FILE = PROJECT_ROOT / "requirements.lock"
MAKEFILE = PROJECT_ROOT / "Makefile"

LEARNLOOP_HOME = "/opt/learnloop/home"
AIRFLOW_COMMANDS = {
    "airflow-apiserver": ["airflow", "api-server"],
    "airflow-scheduler": ["airflow", "scheduler"],
    "airflow-dag-processor": ["airflow", "dag-processor"],
    "airflow-triggerer": ["airflow", "triggerer"],
}
AIRFLOW_SERVICES = ["airflow-init", *AIRFLOW_COMMANDS, "airflow-worker"]
CELERY_PROFILE_SERVICES = {"redis", "airflow-worker"}
# A Compose variable that makes `docker compose` stop when it is unset or empty.
REQUIRED_VAR = re.compile(r"\$\{[A-Z][A-Z0-9_]*:\?[^}]+\}")
SECRET_KEY = re.compile(r"PASSWORD|SECRET|FERNET|TOKEN|SQL_ALCHEMY_CONN")
CORE_PINS = ("apache-airflow", "duckdb", "dbt-core", "dbt-duckdb", "great_expectations")


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def services(compose):
    return compose["services"]


def environment(service):
    """A service's environment as a dict; Compose allows both a mapping and KEY=VALUE items."""
    env = service.get("environment", {})
    if isinstance(env, list):
        return dict(item.split("=", 1) for item in env)
    return env


def mounts(service):
    """(source, target, read_only) for each volume, in short or long syntax."""
    result = []
    for volume in service.get("volumes", []):
        if isinstance(volume, str):
            parts = volume.split(":")
            read_only = len(parts) > 2 and "ro" in parts[2].split(",")
            result.append((parts[0], parts[1], read_only))
        else:
            result.append((volume["source"], volume["target"], bool(volume.get("read_only"))))
    return result


def dockerfile_instructions():
    """(INSTRUCTION, arguments) pairs with backslash continuations joined, comments dropped."""
    logical, current = [], ""
    for raw in DOCKERFILE.read_text().splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue  # a comment inside a continued RUN
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        logical.append(current + line)
        current = ""
    return [(text.split(None, 1)[0].upper(), text.split(None, 1)[1]) for text in logical]


def pip_installs():
    """Every `pip install ...` shell command in a RUN, split on && and ;."""
    commands = []
    for instruction, args in dockerfile_instructions():
        if instruction != "RUN":
            continue
        for command in re.split(r"&&|;", args):
            words = shlex.split(command)
            if any(pair == ("pip", "install") for pair in pairwise(words)):
                commands.append(words)
    return commands


def interpolate(value, variables):
    """What Compose makes of `${NAME:-default}` given the variables set (others stay as they are)."""
    return re.sub(r"\$\{([A-Z0-9_]+):-([^}]*)\}", lambda m: variables.get(m[1]) or m[2], str(value))


def shell_script(service):
    """A service's `bash -euc` script as the container's shell sees it (Compose unescapes $$)."""
    assert service["entrypoint"] == ["/bin/bash", "-euc"]
    return "\n".join(service["command"]).replace("$$", "$")


def lock_pins():
    pins = {}
    for line in LOCK_FILE.read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==", 1)
            pins[name.strip().lower()] = version.strip()
    return pins


# --- docker-compose.yml ----------------------------------------------------------------------


def test_compose_has_no_obsolete_version_key(compose):
    # The Compose spec ignores `version:` and current Compose warns about it.
    assert "version" not in compose


def test_exact_set_of_services(services):
    assert set(services) == {
        "postgres",
        "airflow-init",
        "airflow-apiserver",
        "airflow-scheduler",
        "airflow-dag-processor",
        "airflow-triggerer",
        "superset",
        "redis",
        "airflow-worker",
    }


def test_only_redis_and_the_workers_are_in_the_celery_profile(services):
    # `docker compose up` without a profile starts everything else: the LocalExecutor setup.
    profiles = {name: service.get("profiles") for name, service in services.items()}
    assert {name for name, value in profiles.items() if value} == CELERY_PROFILE_SERVICES
    assert all(profiles[name] == ["celery"] for name in CELERY_PROFILE_SERVICES)


@pytest.mark.parametrize("name", list(AIRFLOW_COMMANDS))
def test_airflow_service_command(services, name):
    assert services[name]["command"] == AIRFLOW_COMMANDS[name]


def test_init_migrates_and_creates_the_writer_pool(services):
    script = shell_script(services["airflow-init"])
    assert "airflow db migrate" in script
    # The DAG's writer tasks use this pool: one slot per workspace that may write at once
    # (each workspace's chain is its own single writer).
    pool = 'airflow pools set learnloop_writer "${LEARNLOOP_WRITER_SLOTS}" "workspaces writing'
    assert pool in script
    assert script.index("airflow db migrate") < script.index("airflow pools set")
    assert services["airflow-init"]["restart"] == "no"


def test_writer_slots_default_to_four_and_come_from_the_env_file(services):
    env = environment(services["airflow-init"])
    assert interpolate(env["LEARNLOOP_WRITER_SLOTS"], {}) == "4"
    assert interpolate(env["LEARNLOOP_WRITER_SLOTS"], {"LEARNLOOP_WRITER_SLOTS": "12"}) == "12"
    # The init service keeps everything else every Airflow service shares.
    shared = environment(services["airflow-scheduler"])
    assert {k: v for k, v in env.items() if k != "LEARNLOOP_WRITER_SLOTS"} == shared


def test_workers_share_learnloop_home_with_the_scheduler(services):
    # A workspace's tasks continue from the files the previous task wrote, often on another
    # worker: every worker mounts the same home as the scheduler (README, "Many brands").
    assert services["airflow-worker"]["volumes"] == services["airflow-scheduler"]["volumes"]
    assert services["airflow-worker"]["volumes"][0] == "./.learnloop-docker:/opt/learnloop/home"


@pytest.mark.parametrize("name", AIRFLOW_SERVICES)
def test_airflow_services_share_the_built_image(services, name):
    assert services[name]["build"] == "."
    assert services[name]["image"] == "learnloop:local"


@pytest.mark.parametrize("name", AIRFLOW_SERVICES)
def test_airflow_services_use_local_executor_on_postgres(services, name):
    env = environment(services[name])
    assert interpolate(env["AIRFLOW__CORE__EXECUTOR"], {}) == "LocalExecutor"
    conn = env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    assert conn.startswith("postgresql+psycopg2://airflow:")
    assert conn.endswith("@postgres/airflow")
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == (
        "http://airflow-apiserver:8080/execution/"
    )
    assert env["AIRFLOW__CORE__AUTH_MANAGER"] == (
        "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
    )
    assert env["LEARNLOOP_HOME"] == LEARNLOOP_HOME


def test_all_airflow_services_share_one_jwt_secret(services):
    # Tokens issued by the API server must verify in the scheduler's task processes.
    secrets = {
        environment(services[name])["AIRFLOW__API_AUTH__JWT_SECRET"] for name in AIRFLOW_SERVICES
    }
    assert len(secrets) == 1


@pytest.mark.parametrize("name", list(AIRFLOW_COMMANDS))
def test_long_running_services_wait_for_init_and_postgres(services, name):
    depends_on = services[name]["depends_on"]
    assert depends_on["airflow-init"] == {"condition": "service_completed_successfully"}
    assert depends_on["postgres"] == {"condition": "service_healthy"}


@pytest.mark.parametrize("name", AIRFLOW_SERVICES)
def test_airflow_executor_chooses_the_celery_executor_everywhere(services, name):
    env = environment(services[name])
    chosen = {"AIRFLOW_EXECUTOR": "CeleryExecutor"}
    assert interpolate(env["AIRFLOW__CORE__EXECUTOR"], chosen) == "CeleryExecutor"
    # Broker and results in the profile's Redis, by its service name.
    assert env["AIRFLOW__CELERY__BROKER_URL"] == "redis://redis:6379/0"
    assert env["AIRFLOW__CELERY__RESULT_BACKEND"] == "redis://redis:6379/1"


def test_redis_is_healthchecked_and_not_published(services):
    redis = services["redis"]
    assert redis["image"].startswith("redis:")
    assert redis["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    assert "ports" not in redis


def test_worker_runs_one_celery_task_at_a_time(services):
    script = shell_script(services["airflow-worker"])
    assert script.strip().splitlines()[-1].strip() == "exec airflow celery worker --concurrency 1"
    # Healthy while it answers a ping addressed to its own Celery node name.
    probe = services["airflow-worker"]["healthcheck"]["test"]
    assert probe[0] == "CMD-SHELL"
    assert 'inspect ping -d "celery@$${HOSTNAME}"' in probe[1]


def test_worker_refuses_to_start_when_the_scheduler_runs_another_executor(services):
    script = shell_script(services["airflow-worker"])
    refused = subprocess.run(
        ["bash", "-euc", script],
        env={"PATH": "/usr/bin:/bin", "AIRFLOW__CORE__EXECUTOR": "LocalExecutor"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode == 1
    assert refused.stderr == (
        "airflow-worker: the scheduler runs LocalExecutor; "
        "start with AIRFLOW_EXECUTOR=CeleryExecutor\n"
    )


def test_worker_needs_redis_and_init_but_not_the_database(services):
    assert services["airflow-worker"]["depends_on"] == {
        "redis": {"condition": "service_healthy"},
        "airflow-init": {"condition": "service_completed_successfully"},
    }


def test_scheduler_waits_for_redis_only_in_the_celery_profile(services):
    assert services["airflow-scheduler"]["depends_on"]["redis"] == {
        "condition": "service_healthy",
        "required": False,
    }


def test_init_waits_for_healthy_postgres(services):
    assert services["airflow-init"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}


def test_postgres_is_healthchecked_and_persistent(compose, services):
    postgres = services["postgres"]
    assert postgres["image"] == "postgres:16"
    assert "pg_isready" in postgres["healthcheck"]["test"]
    (source, target, read_only) = mounts(postgres)[0]
    assert target == "/var/lib/postgresql/data"
    assert source in compose["volumes"]  # a named volume, not a bind into the repo
    assert not read_only
    # The metadata database is only for the Airflow containers.
    assert "ports" not in postgres


def test_only_the_two_uis_publish_a_port_and_only_on_localhost(services):
    published = {name: service["ports"] for name, service in services.items() if "ports" in service}
    assert published == {
        "airflow-apiserver": ["127.0.0.1:8080:8080"],
        "superset": ["127.0.0.1:8088:8088"],
    }


@pytest.mark.parametrize("name", AIRFLOW_SERVICES)
def test_learnloop_home_is_mounted_read_write(services, name):
    homes = [m for m in mounts(services[name]) if m[1] == LEARNLOOP_HOME]
    assert homes == [("./.learnloop-docker", LEARNLOOP_HOME, False)]


def test_superset_mounts_the_warehouse_read_only_and_keeps_its_state_in_a_volume(compose, services):
    superset = services["superset"]
    assert mounts(superset) == [
        ("./.learnloop-docker/warehouse", "/warehouse", True),
        ("superset-home", "/opt/superset/home", False),
    ]
    assert "superset-home" in compose["volumes"]
    # It needs no Airflow credentials and waits until init has created the warehouse folder.
    assert not environment(superset)
    assert "env_file" not in superset
    assert superset["depends_on"] == {
        "airflow-init": {"condition": "service_completed_successfully"}
    }
    assert superset["build"] == "bi/superset"
    assert "localhost:8088/health" in " ".join(superset["healthcheck"]["test"])


def test_superset_image_installs_its_lock_and_imports_the_dashboard_over_the_mount():
    text = (SUPERSET_DIR / "Dockerfile").read_text()
    assert text.startswith("# ") and "\nFROM python:3.11-slim\n" in text
    assert "COPY requirements.lock ./" in text
    assert 'pip install --no-cache-dir "uv==0.13.9"' in text
    assert "uv pip install --system --no-cache -r requirements.lock" in text
    (command,) = re.findall(r"^CMD (.*)$", text, re.M)
    script = shlex.split(json.loads(command)[-1].replace("&&", " && "))
    assert script[:9] == [
        "exec",
        "python",
        "learnloop_superset.py",
        "serve",
        "--setup",
        "--home",
        "/opt/superset/home",
        "--warehouse",
        "/warehouse/learnloop.duckdb",
    ]
    assert "--host" in script and script[script.index("--host") + 1] == "0.0.0.0"
    assert [line.split()[-1] for line in text.splitlines() if line.startswith("USER")] == [
        "superset"
    ]
    # The Superset venv must never end up in either image's build context.
    assert ".venv" in (SUPERSET_DIR / ".dockerignore").read_text().split()


def test_superset_lock_pins_every_package_exactly():
    lines = [
        line
        for line in (SUPERSET_DIR / "requirements.lock").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert all(re.fullmatch(r"[A-Za-z0-9_.\-]+==[0-9][A-Za-z0-9.+]*", line) for line in lines)
    pins = dict(line.lower().replace("_", "-").split("==") for line in lines)
    # The pipeline's DuckDB reads the same file format; Superset 6.1.0 with the Flask-Caching
    # it works with (2.5 breaks it, apache/superset#43860).
    assert pins["duckdb"] == lock_pins()["duckdb"]
    assert (pins["apache-superset"], pins["duckdb-engine"], pins["flask-caching"]) == (
        "6.1.0",
        "0.17.0",
        "2.4.1",
    )


def test_secrets_are_required_variables_without_defaults(services):
    checked = 0
    for name, service in services.items():
        for key, value in environment(service).items():
            if not SECRET_KEY.search(key) or key.endswith("_FILE"):
                continue
            checked += 1
            assert REQUIRED_VAR.search(str(value)), f"{name}: {key} is not a required ${{VAR:?}}"
    # postgres password, and per Airflow service: connection, JWT secret, Fernet key.
    assert checked == 1 + 3 * len(AIRFLOW_SERVICES)


def test_no_default_credentials_in_the_compose_file():
    text = COMPOSE_FILE.read_text()
    # `${VAR:-default}` / `${VAR-default}` would silently start with a known value.
    assert not re.search(r"\$\{[A-Z0-9_]*(PASSWORD|SECRET|FERNET|KEY)[A-Z0-9_]*:?-", text)
    assert "airflow:airflow@" not in text
    assert "POSTGRES_PASSWORD: airflow" not in text


def test_sql_alchemy_conn_password_is_the_postgres_password(services):
    env = environment(services["postgres"])
    password = env["POSTGRES_PASSWORD"]
    assert password.startswith("${POSTGRES_PASSWORD:?")
    conn = environment(services["airflow-scheduler"])["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    assert conn == f"postgresql+psycopg2://airflow:{password}@postgres/airflow"


# --- Dockerfile ------------------------------------------------------------------------------


def test_dockerfile_base_user_and_environment():
    instructions = dockerfile_instructions()
    assert instructions[0] == ("FROM", "python:3.11-slim")
    env = {}
    for instruction, args in instructions:
        if instruction == "ENV":
            env.update(word.split("=", 1) for word in shlex.split(args))
    assert env["LEARNLOOP_HOME"] == LEARNLOOP_HOME
    assert env["AIRFLOW_HOME"] == "/opt/airflow"
    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == "/opt/learnloop/app/dags"
    assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "False"
    assert ("WORKDIR", "/opt/learnloop/app") in instructions
    # The last USER wins: the image must not run as root.
    assert [args for instruction, args in instructions if instruction == "USER"][-1] == "learnloop"
    assert any("useradd --uid 50000" in args for instruction, args in instructions)


def test_dockerfile_installs_the_lock_before_copying_the_repo():
    instructions = dockerfile_instructions()
    copy_lock = instructions.index(("COPY", "requirements.lock ./"))
    install_lock = next(
        i
        for i, (ins, args) in enumerate(instructions)
        if ins == "RUN" and "-r requirements.lock" in args
    )
    copy_repo = instructions.index(("COPY", ". ./"))
    assert copy_lock < install_lock < copy_repo
    assert ["pip", "install", "--no-cache-dir", "-r", "requirements.lock"] in pip_installs()


def test_every_pip_install_is_bound_to_the_lock():
    installs = pip_installs()
    assert len(installs) == 2
    for words in installs:
        uses_lock = any(
            flag in ("-r", "-c") and value == "requirements.lock" for flag, value in pairwise(words)
        )
        editable_only = "--no-deps" in words and words[-2:] == ["-e", "."]
        assert uses_lock or editable_only, " ".join(words)


def test_no_package_is_installed_outside_the_lock():
    # The PostgreSQL drivers and the Celery provider come from the lock like everything else.
    installs = [" ".join(words) for words in pip_installs()]
    assert installs == [
        "pip install --no-cache-dir -r requirements.lock",
        "pip install --no-cache-dir --no-deps -e .",
    ]


def test_dockerignore_keeps_local_state_and_secrets_out():
    ignored = set((PROJECT_ROOT / ".dockerignore").read_text().split())
    expected = {".venv", ".learnloop", ".learnloop-docker", ".git", ".env", "dbt_project/target"}
    expected.add("bi/superset/.venv")
    assert expected <= ignored


# --- lock files ------------------------------------------------------------------------------


def test_core_packages_are_pinned_exactly_in_the_lock():
    pins = lock_pins()
    for name in CORE_PINS:
        assert re.fullmatch(r"\d+(\.\d+)+", pins.get(name, "")), name


def test_lock_pins_what_postgres_and_celery_need():
    # Airflow 3.3 opens a PostgreSQL metadata database with psycopg2 and asyncpg (its async
    # engine); the CeleryExecutor needs the provider, Celery and the Redis client.
    pins = lock_pins()
    for name in (
        "psycopg2-binary",
        "asyncpg",
        "apache-airflow-providers-celery",
        "celery",
        "redis",
    ):
        assert re.fullmatch(r"\d+(\.\d+)+", pins.get(name, "")), name


def test_makefile_and_dockerfile_install_the_same_lock():
    # Both install `-r requirements.lock`, so `make demo` and the image get identical versions
    # (the Makefile with uv, the image with pip).
    makefile = MAKEFILE.read_text()
    assert "UV_INSTALL := $(BIN)/uv pip install --quiet --compile-bytecode" in makefile
    assert "\t$(UV_INSTALL) -r requirements.lock\n" in makefile
    assert ["pip", "install", "--no-cache-dir", "-r", "requirements.lock"] in pip_installs()
