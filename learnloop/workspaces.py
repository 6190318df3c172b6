"""Workspaces: one home serving several brands, each in `LEARNLOOP_HOME/workspaces/<name>/`.

A workspace folder is a complete home of its own (its learnloop.toml with brand accounts,
time zone, report language and privacy; landing/, archive/, quarantine/, warehouse/,
reports/, secrets/member_salt), so every stage runs on it unchanged. The top-level home
keeps what the workspaces share: Airflow's metadata and logs, the run lock, and the agency
view (warehouse/agency.duckdb). A home without a workspaces/ folder is its own single
workspace, named "" here, exactly as before workspaces existed.

Every name is checked here, once, before any work: a workspace name becomes a folder, a
value in the agency view and part of Airflow's logs, so only plain lowercase ASCII passes.
"""

from __future__ import annotations

import re

from learnloop.errors import ConfigError
from learnloop.paths import WORKSPACES_FOLDER, Home

SINGLE_HOME = ""  # the one workspace of a home without workspaces/
NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")
# `all` is the platform of kpi_weekly's total rows; the rest are device names on Windows
# (a home may live on a share that Windows machines mount).
RESERVED_NAMES = frozenset(
    {"all", "con", "prn", "aux", "nul"}
    | {f"com{i}" for i in range(1, 10)}
    | {f"lpt{i}" for i in range(1, 10)}
)
NAME_RULE = (
    "a workspace name is 1-63 lowercase ASCII letters, digits, '-' or '_', starting with a "
    "letter or digit, and not a reserved name (all, con, prn, aux, nul, com1-9, lpt1-9)"
)


def check_name(name: str) -> str:
    """The name, or ConfigError naming the folder when it is not a safe workspace name."""
    if not NAME_PATTERN.fullmatch(name) or name in RESERVED_NAMES:
        raise ConfigError(f"{WORKSPACES_FOLDER}/{name}: not a safe workspace name: {NAME_RULE}")
    return name


def workspace_names(home: Home) -> tuple[str, ...]:
    """The workspaces of `home`, sorted; () for a home without workspaces/.

    Only folders are workspaces (a README next to them is left alone). Stops with one line
    (ConfigError) on an unsafe name, an empty workspaces/ folder, or exports left in the
    top-level landing/, which a home with workspaces never reads."""
    folder = home.workspaces
    if not folder.exists():
        return ()
    if not folder.is_dir():
        raise ConfigError(f"{folder}: not a folder (it holds one folder per workspace)")
    names = tuple(sorted(check_name(entry.name) for entry in folder.iterdir() if entry.is_dir()))
    if not names:
        raise ConfigError(
            f"{folder}: holds no workspace folder; add one ({WORKSPACES_FOLDER}/<name>/) "
            "or remove it to use the home as one workspace"
        )
    if home.landing.is_dir() and any(p.is_file() for p in home.landing.rglob("*")):
        raise ConfigError(
            f"{home.landing}: a home with workspaces reads each workspace's own landing/; "
            f"move these files into {WORKSPACES_FOLDER}/<name>/landing/"
        )
    return names


def has_workspaces(home: Home) -> bool:
    return home.workspaces.exists()


def label(name: str) -> str:
    """How progress lines and the run's ending name a workspace ("" for a single home)."""
    return f"[{name}] " if name else ""
