"""The servers of the test cluster, from Debian's packages, on free loopback ports: Redis, and
PostgreSQL with Airflow's metadata schema migrated once into a template database.

PostgreSQL refuses to run as root, so as root it runs as the `postgres` system user (made by
the Debian package; `learnloop-pg` is created where there is none). Its data lives in memory
(/dev/shm) where there is a tmpfs, outside pytest's folders, which only their owner can enter.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.cluster_processes import Processes, clean_environment, free_port

AIRFLOW = (sys.executable, "-m", "airflow")


@dataclass
class MetadataServer:
    """A PostgreSQL server holding a template database with Airflow's schema migrated."""

    port: int
    password: str
    user: str = "airflow"
    template: str = "airflow_template"
    _created: int = 0

    def new_database(self) -> str:
        """A fresh metadata database, copied from the template; its SQLAlchemy URL."""
        self._created += 1
        name = f"airflow_{self._created}"
        _execute(self, f"CREATE DATABASE {name} TEMPLATE {self.template}")
        return self.url(name)

    def url(self, database: str) -> str:
        return f"postgresql+psycopg2://{self.user}:{self.password}@127.0.0.1:{self.port}/{database}"


@contextmanager
def metadata_server(folder: Path) -> Iterator[MetadataServer]:
    """initdb, PostgreSQL on a free loopback port, `airflow db migrate` into the template.

    Logs go to folder/logs; the server is stopped (and its data removed) on exit."""
    with ExitStack() as stack:
        processes = Processes(folder / "logs")
        stack.callback(processes.stop_all)
        # A throwaway database's 2,000 files are written and removed in a blink on a tmpfs.
        in_memory = Path("/dev/shm")
        data_root = Path(
            tempfile.mkdtemp(
                prefix="learnloop-postgres-",
                dir=in_memory if os.access(in_memory, os.W_OK) else None,
            )
        )
        stack.callback(shutil.rmtree, data_root, ignore_errors=True)
        server = MetadataServer(free_port(), secrets.token_hex(16))
        _start_postgres(processes, data_root, server)
        _execute(server, f"CREATE DATABASE {server.template}")
        env = {
            **clean_environment(),
            "AIRFLOW_HOME": str(folder / "airflow-migrate"),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": server.url(server.template),
        }
        processes.run("airflow-db-migrate", [*AIRFLOW, "db", "migrate"], env)
        yield server


def start_redis(processes: Processes, folder: Path, port: int) -> str:
    """redis-server on loopback with a password; its URL without a database number."""
    import redis

    program = shutil.which("redis-server")
    if program is None:
        pytest.fail("redis-server is missing: `make test` installs the Debian package redis-server")
    folder.mkdir(parents=True)
    password = secrets.token_hex(16)
    options = {
        "bind": "127.0.0.1",
        "port": str(port),
        "requirepass": password,
        "dir": str(folder),
        "save": "",
        "appendonly": "no",
    }
    argv = [program, *(part for key, value in options.items() for part in (f"--{key}", value))]
    processes.start("redis", argv, clean_environment(), server=True)

    def answers() -> bool:
        with suppress(redis.exceptions.ConnectionError):
            return bool(redis.Redis(port=port, password=password, socket_timeout=1).ping())
        return False

    processes.wait_until("redis-server", answers)
    return f"redis://:{password}@127.0.0.1:{port}"


def _start_postgres(processes: Processes, folder: Path, server: MetadataServer) -> None:
    account = _postgres_account()
    password_file = folder / "password"
    password_file.write_text(server.password, encoding="utf-8")
    if account is not None:
        shutil.chown(folder, account)
        shutil.chown(password_file, account)
    data = folder / "data"
    initdb = [
        *(_postgres_program("initdb"), "-D", str(data), "-U", server.user),
        *("--pwfile", str(password_file), "--auth", "scram-sha-256"),
        *("-E", "UTF8", "--no-locale", "--no-sync"),
    ]
    processes.run("initdb", initdb, clean_environment(), account=account)
    password_file.unlink()
    postgres = [
        *(_postgres_program("postgres"), "-D", str(data)),
        *("-h", "127.0.0.1", "-p", str(server.port), "-k", str(folder)),
        # A throwaway database: durability buys nothing here.
        *("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"),
    ]
    # SIGINT is PostgreSQL's fast shutdown; SIGTERM would wait for its clients to leave.
    processes.start("postgres", postgres, clean_environment(), account, signal.SIGINT, server=True)

    def accepts_connections() -> bool:
        import psycopg2

        try:
            _connect(server, "postgres").close()
        except psycopg2.OperationalError:
            return False
        return True

    processes.wait_until("PostgreSQL", accepts_connections)


def _connect(server: MetadataServer, database: str) -> Any:
    import psycopg2

    return psycopg2.connect(
        host="127.0.0.1",
        port=server.port,
        user=server.user,
        password=server.password,
        dbname=database,
        connect_timeout=2,
    )


def _execute(server: MetadataServer, statement: str) -> None:
    connection = _connect(server, "postgres")
    try:
        connection.autocommit = True  # CREATE DATABASE cannot run in a transaction
        connection.cursor().execute(statement)
    finally:
        connection.close()


def _postgres_program(name: str) -> str:
    """Debian keeps the server programs in /usr/lib/postgresql/<major>/bin, off PATH."""
    versions = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda path: int(path.parts[-3]) if path.parts[-3].isdigit() else 0,
    )
    program = str(versions[-1]) if versions else shutil.which(name)
    if program is None:
        pytest.fail(
            f"PostgreSQL's {name} is missing: `make test` installs the Debian package postgresql"
        )
    return program


def _postgres_account() -> str | None:
    """The system user the server runs as when we are root (None: run as ourselves)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "learnloop-pg"):
        with suppress(KeyError):
            return pwd.getpwnam(name).pw_name
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "learnloop-pg"],
        check=True,
    )
    return "learnloop-pg"
