"""Apache Superset for LearnLoop: set up its state, import the "LearnLoop weekly" dashboard,
serve it. Runs with the Python of Superset's own virtualenv (`make superset` builds it).

    python bi/superset/learnloop_superset.py setup [--home H] [--warehouse W]
    python bi/superset/learnloop_superset.py serve [--home H] [--host 127.0.0.1] [--port 8088]
                                                   [--setup [--warehouse W]]

`setup` is idempotent: it migrates Superset's metadata database, creates the roles and the
`admin` user (password generated once into <state>/admin_password, mode 0600) and imports
dashboard/ with the database pointing at the published warehouse, read-only. Run it again
after editing dashboard/ (the import overwrites), then restart `serve`. `serve --setup` does
the setup in the server's own process before it answers: Superset starts once instead of
twice (the container does this at every start). State lives in <home>/superset/, where
<home> is LEARNLOOP_HOME (default ./.learnloop).
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import NoReturn

# uv installs Superset's virtualenv without bytecode (pip compiles at install). With
# PYTHONDONTWRITEBYTECODE set, every Superset process would compile its ~3,000 modules anew
# (about 6 CPU-seconds each); the first one keeps the bytecode in the virtualenv instead.
sys.dont_write_bytecode = False

HERE = Path(__file__).resolve().parent
DASHBOARD = HERE / "dashboard"
ADMIN = "admin"
WAREHOUSE_PLACEHOLDER = "${LEARNLOOP_WAREHOUSE}"
# `serve --setup`: the warehouse the server process sets up over before it serves.
SETUP_WAREHOUSE = "LEARNLOOP_SUPERSET_SETUP_WAREHOUSE"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    home = Path(args.home or os.environ.get("LEARNLOOP_HOME") or ".learnloop").resolve()
    state = home / "superset"
    warehouse = Path(args.warehouse or home / "warehouse" / "learnloop.duckdb").resolve()
    if args.command == "setup":
        setup(state, warehouse)
        print(
            f"Superset is set up in {state}; user {ADMIN}, password in {state / 'admin_password'}"
        )
        return 0
    return serve(state, args.host, args.port, warehouse if args.setup else None)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["setup", "serve"])
    parser.add_argument("--home", help="LEARNLOOP_HOME (default: $LEARNLOOP_HOME or .learnloop)")
    parser.add_argument("--warehouse", help="the published file (default: <home>/warehouse/...)")
    parser.add_argument(
        "--setup", action="store_true", help="serve: set up first, in the server's process"
    )
    parser.add_argument("--host", default="127.0.0.1", help="serve: address (default loopback)")
    parser.add_argument("--port", type=int, default=8088, help="serve: port (default 8088)")
    return parser


def environment(state: Path) -> dict[str, str]:
    """What every Superset process of this state needs: our config and where its state is."""
    inherited = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {
        **inherited,
        "SUPERSET_CONFIG_PATH": str(HERE / "superset_config.py"),
        "LEARNLOOP_SUPERSET_STATE": str(state),
        "SUPERSET_HOME": str(state),
        "FLASK_APP": "superset.app:create_app()",
    }


def setup(state: Path, warehouse: Path) -> None:
    """What `superset db upgrade`, `superset init`, `superset fab create-admin` and an assets
    import do, in one process: each `superset` command would start the app again."""
    password = _prepare_state(state)
    os.environ.update(environment(state))
    from superset.app import create_app

    app = create_app()
    with app.app_context():
        _set_up(warehouse, password)


def served_app() -> object:
    """gunicorn's app factory for `serve --setup`: Superset's app, set up as `setup` sets it
    up, in the worker before it serves (after the fork: nothing opened before it is shared)."""
    from superset.app import create_app

    app = create_app()
    # Alembic's logging file would replace the logging configuration, gunicorn's log included.
    app.config["ALEMBIC_SKIP_LOG_CONFIG"] = True
    state = Path(os.environ["LEARNLOOP_SUPERSET_STATE"])
    with app.app_context():
        _set_up(Path(os.environ[SETUP_WAREHOUSE]), _secret(state / "admin_password"))
    return app


def _set_up(warehouse: Path, password: str) -> None:
    """Migrate, permissions and roles, the admin user, the dashboard import (in an app
    context)."""
    from flask import g
    from flask_migrate import upgrade
    from superset import appbuilder, security_manager
    from superset.commands.importers.v1.assets import ImportAssetsCommand
    from superset.commands.importers.v1.utils import get_contents_from_bundle

    upgrade()
    appbuilder.add_permissions(update_perms=True)
    security_manager.sync_role_definitions()
    admin = security_manager.find_user(username=ADMIN) or security_manager.add_user(
        ADMIN,
        "LearnLoop",
        "Admin",
        "admin@localhost",
        security_manager.find_role("Admin"),
        password,
    )
    g.user = admin
    with tempfile.TemporaryDirectory() as scratch:
        bundle = write_bundle(Path(scratch) / "learnloop_weekly.zip", warehouse)
        with zipfile.ZipFile(bundle) as opened:
            contents = get_contents_from_bundle(opened)
    ImportAssetsCommand(contents).run()  # overwrites database, datasets, charts


def write_bundle(target: Path, warehouse: Path) -> Path:
    """dashboard/ as the zip Superset's assets import reads, the warehouse path filled in."""
    with zipfile.ZipFile(target, "w") as bundle:
        for source in sorted(DASHBOARD.rglob("*.yaml")):
            text = source.read_text(encoding="utf-8")
            text = text.replace(WAREHOUSE_PLACEHOLDER, warehouse.as_posix())
            bundle.writestr(f"learnloop_weekly/{source.relative_to(DASHBOARD)}", text)
    return target


def serve(state: Path, host: str, port: int, setup_warehouse: Path | None = None) -> NoReturn:
    """Superset's own production server (gunicorn), in the foreground: this process becomes
    gunicorn, so stopping it stops the server. With `setup_warehouse`, its worker sets up
    first (`served_app`)."""
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    env = environment(state)
    app, timeout = "superset.app:create_app()", 120
    if setup_warehouse is not None:
        _prepare_state(state)
        env[SETUP_WAREHOUSE] = str(setup_warehouse)
        # gunicorn restarts a worker silent for `timeout` s, also one still setting up.
        app, timeout = "learnloop_superset:served_app()", 600
        print(
            f"Setting Superset up in {state} before it serves; user {ADMIN}, password in "
            f"{state / 'admin_password'}",
            flush=True,
        )
    command = [
        gunicorn,
        *("--workers", "1", "--threads", "8", "--timeout", str(timeout)),
        *("--bind", f"{host}:{port}", "--access-logfile", "-"),
        *("--pythonpath", str(HERE)),
        app,
    ]
    os.execve(gunicorn, command, env)


def _prepare_state(state: Path) -> str:
    """The state folder with its secret key and admin password (made once); the password."""
    state.mkdir(parents=True, exist_ok=True)
    _secret(state / "secret_key")
    return _secret(state / "admin_password")


def _secret(path: Path) -> str:
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(32), encoding="utf-8")
    return path.read_text(encoding="utf-8").strip()


if __name__ == "__main__":
    raise SystemExit(main())
