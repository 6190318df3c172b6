"""Where landed files go when a run is done with them: quarantine/<run>/ or archive/<run>/.

Targets are built from the safe relative paths that discover handed out (never from a
landed or member name) and checked to lie inside the home after resolving. A file leaves
landing/ as the bytes that were read: unchanged since it was copied, the landed file itself
is moved (with its times); changed meanwhile (still being written), the run's copy is kept
and the file stays in landing/ for the next run. Links, pipes and folders that were refused
unread are moved as they are (a rename never follows a link).
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from learnloop.ingest.discover import LandedFile
from learnloop.ingest.landing import Identity
from learnloop.ingest.names import REASON_SUFFIX
from learnloop.paths import Home

log = logging.getLogger(__name__)

# A quarantined zip member is copied next to its reason up to this size; a larger one stays
# only in its archive (which is kept whole), so quarantine never holds an expansion.
MAX_MEMBER_COPY_BYTES = 64 * 1024 * 1024


class OutsideHome(Exception):
    """A target would not lie inside the home: never written."""


@dataclass(frozen=True)
class NotArchived:
    """A landed file that stays in landing/ after its run published, and why."""

    kept_as: str  # the safe relative name discover gave it
    reason: str

    def __str__(self) -> str:
        return f"{self.kept_as} ({self.reason})"


def _target(home: Home, root: Path, *relative: str) -> Path:
    target = root.joinpath(*relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.parent.resolve().is_relative_to(home.root.resolve()) or os.path.lexists(target):
        raise OutsideHome(str(target))
    return target


def _write_reason(target: Path, reason: str) -> None:
    # "x": never through an existing file or link of that name.
    with target.with_name(target.name + REASON_SUFFIX).open("x", encoding="utf-8") as sink:
        sink.write(reason + "\n")


def quarantine(landed: LandedFile, reason: str, home: Home, run_key: str) -> Path | None:
    """Put the file (a zip member: a copy of it) into quarantine/<run>/ next to its one-line
    reason. Returns where, or None when it could not be put there (logged; the run goes on)."""
    root = home.quarantine / run_key
    try:
        if landed.member is not None:
            target = _target(home, root, landed.kept_as, landed.member)
            _copy_member(landed, target)
        else:
            target = _target(home, root, landed.kept_as)
            stuck = leave_landing(landed, target, keep_copy_if_stuck=True)
            if stuck:
                log.warning("%s stays in landing/: %s", landed.name, stuck)
        _write_reason(target, reason)
    except (OSError, OutsideHome) as exc:
        log.warning("%s could not be put into quarantine/: %s", landed.name, exc)
        return None
    return target


def _copy_member(landed: LandedFile, target: Path) -> None:
    if landed.path is None:
        return  # refused unread (a link, no name): it stays in its archive only
    size = landed.path.stat().st_size
    if size <= MAX_MEMBER_COPY_BYTES:
        shutil.copyfile(landed.path, target)
    else:
        log.info("%s: %d bytes, kept in its archive only, not copied", landed.name, size)


def leave_landing(landed: LandedFile, target: Path, *, keep_copy_if_stuck: bool) -> str | None:
    """Move the landed entry, or the run's copy of what was read, to `target`. None when the
    entry left landing/ (or changed after it was read: its copy left, the file waits for the
    next run); otherwise why it stays there. With `keep_copy_if_stuck` the copy goes to
    `target` even when the landed file cannot leave (quarantine shows what it says)."""
    try:
        current: os.stat_result | None = os.lstat(landed.origin)
    except FileNotFoundError:
        current = None
    if current is not None and _unchanged(landed, current):
        try:
            landed.origin.rename(target)  # a link or a folder moves as it is, never followed
        except OSError as exc:
            if exc.errno != errno.EXDEV or landed.snapshot is None:
                if keep_copy_if_stuck and landed.snapshot is not None:
                    shutil.move(landed.snapshot, target)
                return exc.strerror or str(exc)
            # landing/ on another file system: keep the copy, then remove the original.
            shutil.move(landed.snapshot, target)
            stuck = _remove(landed.origin)
            if stuck and not keep_copy_if_stuck:
                target.unlink()  # no second archive copy on every run that meets it
            return stuck
        if landed.snapshot is not None:
            landed.snapshot.unlink(missing_ok=True)
        return None
    if landed.snapshot is None or not landed.snapshot.exists():
        return "gone from landing/ or replaced before it could be moved; nothing was kept"
    shutil.move(landed.snapshot, target)
    if current is not None:
        log.info(
            "%s changed after it was read: the bytes read are kept, the file itself stays "
            "in landing/ for the next run",
            landed.name,
        )
    return None


def _unchanged(landed: LandedFile, current: os.stat_result) -> bool:
    if landed.identity is None:
        return False
    if landed.snapshot is None:  # refused unread: the same link, pipe or folder
        return landed.identity.same_inode(current)
    return Identity.of(current) == landed.identity


def _remove(origin: Path) -> str | None:
    try:
        origin.unlink()
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def archive_landed(listing: list[LandedFile], home: Home, run_key: str) -> list[NotArchived]:
    """Move what a published run read out of landing/ into archive/<run>/, each landed file
    once (a zip whole, even when one of its members was quarantined). Returns the files that
    could not leave landing/: they stay there once, never as another archive copy per run."""
    problems, done = [], set()
    for landed in listing:
        if landed.snapshot is None or landed.kept_as in done:
            continue
        done.add(landed.kept_as)
        if not landed.snapshot.exists():
            continue  # quarantined as a whole
        target = home.archive / run_key / landed.kept_as
        try:
            stuck = leave_landing(
                landed, _target(home, target.parent, target.name), keep_copy_if_stuck=False
            )
        except (OSError, OutsideHome) as exc:
            stuck = f"could not be archived: {exc}"
        if stuck:
            log.warning("%s stays in landing/: %s", landed.kept_as, stuck)
            problems.append(NotArchived(landed.kept_as, stuck))
            _remove_empty_folders(target, home.archive)
    return problems


def _remove_empty_folders(target: Path, stop: Path) -> None:
    """Remove the folders made for a move that failed, up to (not including) `stop`."""
    folder = target.parent
    while folder != stop and stop in folder.parents:
        with contextlib.suppress(OSError):
            folder.rmdir()  # only succeeds when empty
        folder = folder.parent
