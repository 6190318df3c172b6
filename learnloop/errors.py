"""Typed errors whose message is the one line a user sees."""

from __future__ import annotations

import errno


class LearnLoopError(Exception):
    """Base class: the message is shown to the user as it is, without a traceback."""

    exit_code = 1


class ConfigError(LearnLoopError):
    """The configuration is invalid; the message names the key."""

    exit_code = 2


class FormatError(LearnLoopError):
    """A landed file cannot be read; the message names the file, the format and the defect."""


class GateFailed(LearnLoopError):
    """A quality gate found violations; nothing was published."""

    exit_code = 3


class PublishError(LearnLoopError):
    """Publishing or rolling back the warehouse failed."""


class DiskFull(LearnLoopError):
    """A write failed because the disk (or the user's quota) is full."""


_DISK_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}


def disk_full(exc: BaseException) -> DiskFull | None:
    """The one-line DiskFull for an error caused by a full disk, else None.

    Python reports it as OSError(ENOSPC); DuckDB as an IOException whose text says so; a
    library may wrap either, so the whole chain of causes is searched."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, DiskFull):
            return cause
        if isinstance(cause, OSError) and cause.errno in _DISK_FULL_ERRNOS:
            # A copy (shutil's sendfile) names its source first and its target second.
            target = getattr(cause, "filename2", None) or cause.filename
            where = f" (writing {target})" if target else ""
            return DiskFull(f"disk full: {cause.strerror}{where}")
        text = str(cause)
        if "No space left on device" in text or "Disk quota exceeded" in text:
            return DiskFull(f"disk full: {text.splitlines()[0]}")
        cause = cause.__cause__ or cause.__context__
    return None


def one_line_reason(exc: BaseException) -> str:
    """What a user is told: a LearnLoopError's own message (a full disk named as such), else
    the unexpected error's type and text; always one line."""
    exc = disk_full(exc) or exc
    text = (
        str(exc) if isinstance(exc, LearnLoopError) else f"unexpected {type(exc).__name__}: {exc}"
    )
    return " ".join(text.split()) or type(exc).__name__
