"""One run at a time on a home: an OS file lock (flock) on LEARNLOOP_HOME/run.lock.

`learnloop run`, `demo`, `forget` and `rollback` hold the lock for as long as they work; a
second one stops at once with RunInProgress, naming the holder's command and run key. The
kernel releases the lock when the holder's process ends, however it ends (SIGKILL, power
loss), so a lock is never left stale; the file's content only describes the holder.

A DAG run started by a scheduler runs its tasks in separate processes, which cannot share
one flock: its `discover` task checks that no command holds the lock (the scheduler's own
runs are serialised by max_active_runs=1 and the writer pool).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from learnloop.errors import LearnLoopError
from learnloop.paths import Home


class RunInProgress(LearnLoopError):
    """Another command holds the home's run lock."""

    exit_code = 75  # EX_TEMPFAIL: nothing is wrong, try again when the other run finished


@dataclass(frozen=True)
class Holder:
    """Who holds the lock: written into the lock file for the one who is refused."""

    command: str
    run_key: str
    pid: int
    started_at: str

    def describe(self) -> str:
        return (
            f"`learnloop {self.command}`, run key {self.run_key}, "
            f"pid {self.pid}, started {self.started_at}"
        )


_held: dict[Path, Holder] = {}  # the locks this process holds, by home folder


RUN_KEY_FORMAT = "%Y%m%dT%H%M%S%fZ"  # the UTC start time: run keys sort by time


def new_run_key(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).strftime(RUN_KEY_FORMAT)


def started_at_of(run_key: str) -> datetime:
    """When the run started, read back from its key (now, for a key of another shape)."""
    try:
        return datetime.strptime(run_key, RUN_KEY_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return datetime.now(UTC)


@contextlib.contextmanager
def hold(home: Home, command: str, run_key: str | None = None) -> Iterator[Holder]:
    """Hold the home's run lock while the block runs; RunInProgress if someone else has it.
    `run_key`: the key of a run already announced (a workspace's lock, held by the command
    that holds its top-level home's: one run key across the workspaces)."""
    home.root.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(home.lock_file, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunInProgress(_in_progress(home)) from None
        now = datetime.now(UTC)
        key = run_key or new_run_key(now)
        holder = Holder(command, key, os.getpid(), f"{now:%Y-%m-%d %H:%M:%S} UTC")
        _describe_holder(descriptor, json.dumps(asdict(holder)))
        _held[home.root] = holder
        try:
            yield holder
        finally:
            del _held[home.root]
            _describe_holder(descriptor, "")
    finally:
        os.close(descriptor)  # closing the descriptor releases the lock


@contextlib.contextmanager
def hold_workspaces(home: Home, names: tuple[str, ...], command: str) -> Iterator[Holder]:
    """Hold the home's lock and every workspace's, all under one run key: a command working
    on one workspace alone (`learnloop forget --workspace`) holds that workspace's lock."""
    with contextlib.ExitStack() as stack:
        holder = stack.enter_context(hold(home, command))
        for name in names:
            stack.enter_context(hold(home.workspace(name), command, holder.run_key))
        yield holder


def run_key_for(home: Home) -> str | None:
    """The run key of the lock this process holds on `home`; None when it holds none, after
    checking that no other process holds it either (a scheduler's task)."""
    holder = _held.get(home.root)
    if holder is not None:
        return holder.run_key
    if home.lock_file.exists():
        descriptor = os.open(home.lock_file, os.O_RDONLY)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunInProgress(_in_progress(home)) from None
        finally:
            os.close(descriptor)
    return None


def _describe_holder(descriptor: int, text: str) -> None:
    """Best effort: on a full disk the lock still holds, the refused run just learns less."""
    with contextlib.suppress(OSError):
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, text.encode("utf-8"), 0)


def _in_progress(home: Home) -> str:
    try:
        holder = Holder(**json.loads(home.lock_file.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        who = "it has not described itself yet"
    else:
        who = holder.describe()
    return f"another run is in progress on {home.root} ({who}); try again when it has finished"
