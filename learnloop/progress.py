"""Progress lines for people watching a run; the command line decides where they go.

Stages report here rather than through logging, so that `learnloop run` can show a short,
readable progress while Airflow's own logs go to a file.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger("learnloop.progress")
_sink: Callable[[str, str], None] | None = None


def set_sink(sink: Callable[[str, str], None] | None) -> None:
    global _sink
    _sink = sink


def step(stage: str, detail: str) -> None:
    log.info("%s: %s", stage, detail)
    if _sink is not None:
        _sink(stage, detail)
