"""Processed landed files leave landing/ for archive/<run>/, kept as they arrived.

A move is a rename, which either happens or not. Only across file systems is it a copy
whose original is then removed, and if the original cannot be removed the copy goes again:
a file that cannot be moved (immutable, a read-only folder) stays in landing/ once, with
its reason, instead of gaining another archive copy on every run that meets it.
"""

from __future__ import annotations

import contextlib
import errno
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from learnloop.paths import Home


@dataclass(frozen=True)
class NotArchived:
    origin: str  # the path under landing/
    reason: str

    def __str__(self) -> str:
        return f"{self.origin} ({self.reason})"


def archive_files(home: Home, run_key: str, origins: Iterable[str]) -> list[NotArchived]:
    """Move each landed file into archive/<run_key>/; the ones that could not be moved."""
    folder = home.archive / run_key
    problems = []
    for origin in sorted(set(origins)):
        source = home.landing / origin
        if not source.exists():
            continue
        try:
            _move(source, folder / origin)
        except OSError as exc:
            problems.append(NotArchived(origin, exc.strerror or str(exc)))
            _remove_empty_folders(folder / origin, home.archive)
    return problems


def _move(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        source.rename(target)
        return
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
    shutil.copy2(source, target)
    try:
        source.unlink()
    except OSError:
        target.unlink(missing_ok=True)
        raise


def _remove_empty_folders(target: Path, stop: Path) -> None:
    """Remove the folders made for a move that failed, up to (not including) `stop`."""
    folder = target.parent
    while folder != stop and stop in folder.parents:
        with contextlib.suppress(OSError):
            folder.rmdir()  # only succeeds when empty
        folder = folder.parent
