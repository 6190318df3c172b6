"""The processes of a test cluster: each in its own process group with its own log, polled
until ready, and stopped with everything it spawned, whatever happened meanwhile.

Stopping sends each group its stop signal, kills what is still alive after STOP_GRACE seconds
(a throwaway cluster needs no slow shutdown), and then sweeps for any process that still
carries the cluster's id in its environment, i.e. one that left its process group.
"""

from __future__ import annotations

import os
import pwd
import secrets
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

CLUSTER_ID_VARIABLE = "TEST_CLUSTER_ID"
POLL_SECONDS = 0.2
START_TIMEOUT = 240
STOP_GRACE = 3


class ClusterError(RuntimeError):
    """A component did not start, died, or a run did not finish; the message has its log."""


@dataclass
class _Started:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    stop_signal: int
    server: bool


class Processes:
    """The processes a cluster started, each the leader of its own process group, each logging
    to logs/<name>.log. Every one carries the cluster's id in its environment."""

    def __init__(self, logs: Path) -> None:
        logs.mkdir(parents=True, exist_ok=True)
        self.logs, self.cluster_id = logs, secrets.token_hex(8)
        self.started: list[_Started] = []

    def start(
        self,
        name: str,
        argv: Sequence[str],
        env: Mapping[str, str],
        account: str | None = None,
        stop_signal: int = signal.SIGTERM,
        server: bool = False,
    ) -> None:
        """Start `argv` (as `account`, if given); a `server` is stopped after the others."""
        log = self.logs / f"{name}.log"
        with log.open("ab") as sink:
            popen = subprocess.Popen(
                list(argv),
                env={**env, CLUSTER_ID_VARIABLE: self.cluster_id},
                stdout=sink,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                **run_as(account),
            )
        self.started.append(_Started(name, popen, log, stop_signal, server))

    def wait_until(
        self, what: str, ready: Callable[[], bool], abort: threading.Event | None = None
    ) -> None:
        """Poll `ready` until it holds; fail at once when a component died on the way."""
        deadline = time.monotonic() + START_TIMEOUT
        while not ready():
            if abort is not None and abort.is_set():
                raise ClusterError(f"{what}: stopped waiting, another component failed")
            for process in self.started:
                if process.popen.poll() is not None:
                    raise ClusterError(
                        f"{process.name} exited with {process.popen.returncode} while waiting "
                        f"for {what}\n{tail(process.log, 40)}"
                    )
            if time.monotonic() > deadline:
                raise ClusterError(f"{what}: not ready after {START_TIMEOUT} s")
            time.sleep(POLL_SECONDS)

    def wait_for_all(
        self, checks: Mapping[str, Callable[[], bool]], on_ready: Callable[[str], None]
    ) -> None:
        """`wait_until` for each check at the same time (one may block while another polls)."""
        failed = threading.Event()

        def wait(what: str) -> None:
            try:
                self.wait_until(what, checks[what], failed)
            except BaseException:
                failed.set()
                raise
            on_ready(what)

        with ThreadPoolExecutor(max_workers=len(checks)) as pool:
            for waited in [pool.submit(wait, what) for what in checks]:
                waited.result()

    def run(
        self, name: str, argv: Sequence[str], env: Mapping[str, str], account: str | None = None
    ) -> None:
        """Run a one-off command to its end (killed with the others if they stop meanwhile)."""
        self.start(name, argv, env, account)
        process = self.started[-1]
        try:
            returncode = process.popen.wait(timeout=START_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise ClusterError(f"{name}: still running after {START_TIMEOUT} s") from None
        if returncode != 0:
            raise ClusterError(f"{name} failed with {returncode}\n{tail(process.log, 40)}")
        self.started.remove(process)

    def stop_all(self) -> None:
        """The clients first, then the servers they use; then sweep what is left. Calling it
        again stops what was started since."""
        self._stop([p for p in self.started if not p.server])
        self._stop([p for p in self.started if p.server])
        self.started.clear()
        strays = self._sweep()
        if strays:
            raise ClusterError(f"processes outlived their process groups: {strays}")

    def _stop(self, processes: list[_Started]) -> None:
        family: list[psutil.Process] = []
        for process in processes:
            with suppress(psutil.NoSuchProcess):
                leader = psutil.Process(process.popen.pid)
                family += [leader, *leader.children(recursive=True)]
            with suppress(ProcessLookupError):
                os.killpg(process.popen.pid, process.stop_signal)
        _, alive = psutil.wait_procs(family, timeout=STOP_GRACE)
        for survivor in alive:
            with suppress(psutil.NoSuchProcess):
                survivor.kill()
        for process in processes:
            with suppress(ProcessLookupError):
                os.killpg(process.popen.pid, signal.SIGKILL)
            process.popen.wait()

    def _sweep(self) -> list[str]:
        """Kill what still carries this cluster's id: a process that left its group."""
        found = []
        for candidate in psutil.process_iter(["name"]):
            with suppress(psutil.Error):
                if candidate.environ().get(CLUSTER_ID_VARIABLE) == self.cluster_id:
                    found.append(f"{candidate.info['name']} ({candidate.pid})")
                    candidate.kill()
        return found


def run_as(account: str | None) -> dict[str, Any]:
    """subprocess arguments that run a program as `account`, with its groups, not root's."""
    if account is None:
        return {}
    entry = pwd.getpwnam(account)
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


def clean_environment() -> dict[str, str]:
    """This process's environment without its LearnLoop and Airflow settings."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("LEARNLOOP_", "AIRFLOW"))}


def free_port() -> int:
    """A port no one listens on right now (the OS picks it; another test picks another)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def tail(path: Path, lines: int) -> str:
    """The last lines of a log, headed by its name, for an error message."""
    text = path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
    return f"--- {path.name} ---\n" + "\n".join(text)
