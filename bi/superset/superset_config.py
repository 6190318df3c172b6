"""Superset's configuration for the LearnLoop dashboard (read by Superset through
SUPERSET_CONFIG_PATH, which `learnloop_superset.py` sets).

Superset keeps its own state (users, the imported dashboard) in a SQLite file under
LEARNLOOP_SUPERSET_STATE, next to LearnLoop's home, never in the warehouse: the published
warehouse is only ever opened read-only (see the database in dashboard/databases/).
"""

import os
from pathlib import Path

_STATE = Path(os.environ["LEARNLOOP_SUPERSET_STATE"])

SQLALCHEMY_DATABASE_URI = f"sqlite:///{_STATE / 'superset.db'}"
SECRET_KEY = (_STATE / "secret_key").read_text(encoding="utf-8").strip()

# No chart data cache: after a publish, reloading the dashboard queries the new file. With
# Superset's default NullPool every query opens its own DuckDB connection, and DuckDB opens the
# file anew once no connection of this process holds the old one. A pool configured in the
# database's engine_params would keep the replaced file open: restart Superset after a publish.
DATA_CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}
CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}

# A local analytics tool: no example data, no telemetry pixel, no thumbnails or alerts (they
# need a worker). The dashboard draws every chart at once rather than when scrolled into
# view: it is one page of 14 small charts, and a screenshot or a print shows all of them.
SUPERSET_LOAD_EXAMPLES = False
SCARF_ANALYTICS = False
FEATURE_FLAGS = {"THUMBNAILS": False, "ALERT_REPORTS": False, "DASHBOARD_VIRTUALIZATION": False}
