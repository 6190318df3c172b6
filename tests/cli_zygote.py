"""`python -m learnloop.cli` without paying its imports again: a pre-imported fork server.

Every `learnloop run` the tests start used to import Great Expectations, dbt, pandas, DuckDB
and SQLAlchemy afresh (about 5 of a run's 30-odd CPU-seconds). `CliZygote` starts one
helper process per pytest process, the zygote, which imports those libraries once and
then forks a child per command. The child becomes what `python -m learnloop.cli ARGS` would
have been: the caller's environment, working directory, stdin and two pipes as stdout and
stderr, standard streams built as at interpreter start, `sys.argv`, a fresh `__main__`
running `learnloop.cli` through runpy, and an interpreter's exit (non-daemon threads joined,
atexit handlers, streams flushed, the exit code; an uncaught KeyboardInterrupt dies of
SIGINT). The caller gets a `subprocess.CompletedProcess` and the timeout of
`subprocess.run` (the child is SIGKILLed, `TimeoutExpired` is raised). `start` instead leaves
the command running in a process group of its own, for a test that reads its output while
it runs or kills it; `run(..., module=)` runs another module as `python -m` would (the
killed runs of tests/crash_child.py).

What the zygote may import: only libraries that read nothing of LEARNLOOP_*, AIRFLOW* or the
working directory when imported (checked by recording every environment key they read).
Not Airflow (its configuration is read from AIRFLOW_HOME when it is imported) and of
LearnLoop only `learnloop.topics`, whose dictionaries it also loads (`_warm_up`), and
`learnloop.process_exit`, with which a child ends as the CLI does. Import-time changes to process
state that a real process makes only later, after the CLI's own `logging.basicConfig`
(snowplow's `basicConfig`, Great Expectations' `logging.captureWarnings(True)`), are undone
in each child, so the CLI configures logging as in a process of its own.

Before its first fork the zygote also runs the raw gate over an empty database, and before
the first fork after the session kept a dbt parse (tests/conftest.py) it builds the dbt
project and runs the mart gate there: the children then skip dbt's and Great Expectations'
first-use costs (tests/cli_zygote_warm.py; DECISIONLOG.md has the figures). Before each fork
it takes the sentence embeddings the session's other processes computed, and each child hands
in its own when it exits (tests/session_vectors.py).

Fork safety: the zygote forks only when it runs a single OS thread. numpy's and scipy's
OpenBLAS start a worker thread on import and stop it in their fork handler; the zygote forks
once at start so they do, then checks `/proc/self/task` before every fork.

The caller's environment must equal the zygote's apart from LEARNLOOP_* and
PYTEST_CURRENT_TEST, and its working directory the zygote's; otherwise (and when another
thread is already using the zygote) `run` returns None and the caller starts a process.
"""

from __future__ import annotations

import atexit
import builtins
import contextlib
import gc
import importlib
import io
import json
import locale
import logging
import os
import runpy
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
import types
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

from learnloop.process_exit import exit_without_teardown

# Imported once by the zygote: heavy, and none reads LEARNLOOP_*, AIRFLOW* or the working
# directory at import. Airflow is left out on purpose (see the module docstring).
PRELOAD = (
    "numpy",
    "pandas",
    "duckdb",
    "sqlalchemy",
    "pydantic",
    "pydantic_settings",
    "jinja2",
    "great_expectations",
    "great_expectations.execution_engine.sqlalchemy_execution_engine",
    "great_expectations.data_context.types.base",
    "dbt.cli.main",
    "dbt.parser.manifest",
    "dbt.contracts.graph.manifest",
    "dbt.adapters.duckdb.connections",
    "simplemma",
    "learnloop.topics",  # reads no configuration: pandas, simplemma and stop-word lists
    # What Airflow imports for a run besides its own modules (~0.5-0.8 CPU-s in each `run`
    # or `forget`): its task decorators' libcst, the in-process execution API's FastAPI,
    # Cadwyn, svcs and HTTP client, its logging and helpers. Checked like the others: none
    # reads LEARNLOOP_* or AIRFLOW* (croniter reads the whole environment: left out), and
    # what they read (TMPDIR, NO_COLOR, ...) is in the environment the zygote compares.
    "libcst",
    "fastapi",
    "svcs",
    "cadwyn",
    "a2wsgi",
    "httpx",
    "httpcore",
    "jwt",
    "structlog",
    "psutil",
    "tenacity",
    "tabulate",
    "msgspec",
    "dill",
    "aenum",
    "pluggy",
    "lazy_object_proxy",
    "itsdangerous",
    "aiosqlite",
    "methodtools",
    "uuid6",
)
# Environment variables that differ between commands and that no preloaded library reads.
PER_COMMAND = ("LEARNLOOP_", "PYTEST_CURRENT_TEST")
MODULE = "learnloop.cli"
_MESSAGE_SIZE = 1 << 20


def base_environment(env: Mapping[str, str]) -> dict[str, str]:
    """The part of an environment the zygote's imports may have seen."""
    return {k: v for k, v in env.items() if not k.startswith(PER_COMMAND)}


# --- the caller's side (the pytest process) -----------------------------------------------


class CliZygote:
    """One zygote per pytest process, started at its first command, stopped by `close`."""

    def __init__(
        self,
        parses: Callable[[], Path | None] = lambda: None,
        vectors: Callable[[], Path | None] = lambda: None,
    ) -> None:
        self._parses = parses  # where the session keeps its dbt parses, for the warm-up
        self._vectors = vectors  # and its embeddings (tests/session_vectors.py)
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._socket: socket.socket | None = None
        self._environment: dict[str, str] = {}
        self._cwd = ""
        self._owner = 0

    def run(
        self, args: Sequence[str], env: Mapping[str, str], timeout: float, module: str = MODULE
    ) -> subprocess.CompletedProcess[str] | None:
        """`subprocess.run([python, -m, module, *args], env=env, capture_output=True,
        text=True, timeout=timeout)` through a forked child, or None where the zygote cannot
        stand in for a new process (the caller then starts one)."""
        if not self._acquire(env):
            return None
        try:
            return self._run(list(args), dict(env), timeout, module)
        finally:
            self._lock.release()

    def start(self, args: Sequence[str], env: Mapping[str, str]) -> StartedChild | None:
        """`subprocess.Popen([python, -m, learnloop.cli, *args], env=env, stdout=PIPE,
        stderr=PIPE, text=True, start_new_session=True)` through a forked child, for a test
        that reads the output while the command runs or signals its process group; or None
        as `run`. The zygote serves no other command until the child has been waited for
        (`run` returns None meanwhile)."""
        if not self._acquire(env):
            return None
        try:
            return StartedChild(self, *self._send(list(args), dict(env), MODULE, True))
        except BaseException:
            self._lock.release()
            raise

    def _acquire(self, env: Mapping[str, str]) -> bool:
        """Take the zygote for one command (started if need be), if it can stand in."""
        if not self._lock.acquire(blocking=False):
            return False
        try:
            if self._socket is None or self._owner != os.getpid():
                self._start(env)
            if base_environment(env) == self._environment and str(Path.cwd()) == self._cwd:
                return True
        except BaseException:
            self._lock.release()
            raise
        self._lock.release()
        return False

    def close(self) -> None:
        """Stop the zygote (it exits when its socket closes) and wait for it, so its CPU time
        and its children's count towards this process's."""
        if self._socket is not None and self._owner == os.getpid():
            self._socket.close()
            assert self._process is not None
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._socket = self._process = None

    def _start(self, env: Mapping[str, str]) -> None:
        self.close()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._environment = base_environment(env)
        self._cwd = str(Path.cwd())
        folders = [str(self._parses() or ""), str(self._vectors() or "")]
        with theirs:
            self._process = subprocess.Popen(
                [sys.executable, __file__, str(theirs.fileno()), *folders],
                env=self._environment,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                pass_fds=[theirs.fileno()],
            )
        self._socket, self._owner = ours, os.getpid()
        ready = self._receive()
        if ready != {"ready": True}:
            raise RuntimeError(f"the learnloop.cli zygote did not start: {ready}")

    def _receive(self) -> dict:
        assert self._socket is not None and self._process is not None
        message = self._socket.recv(_MESSAGE_SIZE)
        if not message:
            assert self._process.stderr is not None
            error = self._process.stderr.read().decode(errors="replace")
            self._socket = None
            raise RuntimeError(f"the learnloop.cli zygote ended:\n{error}")
        return json.loads(message)

    def _send(
        self, args: list[str], env: dict[str, str], module: str, new_session: bool
    ) -> tuple[int, int, int]:
        """Have the zygote fork the command; its pid and the read ends of its stdout and
        stderr."""
        assert self._socket is not None
        out_read, out_write = os.pipe()
        err_read, err_write = os.pipe()
        request = {
            "args": args,
            "env": env,
            "cwd": str(Path.cwd()),
            "module": module,
            "new_session": new_session,
        }
        try:
            socket.send_fds(self._socket, [json.dumps(request).encode()], [0, out_write, err_write])
        finally:
            os.close(out_write)
            os.close(err_write)
        try:
            return self._receive()["pid"], out_read, err_read
        except BaseException:
            os.close(out_read)
            os.close(err_read)
            raise

    def _run(
        self, args: list[str], env: dict[str, str], timeout: float, module: str
    ) -> subprocess.CompletedProcess[str]:
        pid, out_read, err_read = self._send(args, env, module, False)
        stdout, stderr, timed_out = _read_until_closed(out_read, err_read, timeout)
        if timed_out:
            os.kill(pid, signal.SIGKILL)
        returncode = os.waitstatus_to_exitcode(self._receive()["status"])
        command = [sys.executable, "-m", module, *args]
        if timed_out:
            raise subprocess.TimeoutExpired(command, timeout, output=stdout, stderr=stderr)
        return subprocess.CompletedProcess(command, returncode, _text(stdout), _text(stderr))


class StartedChild:
    """A command `CliZygote.start` forked, as much of a `subprocess.Popen` as the tests use:
    `pid` (also its process group), `stdout.readline()` / iterating `stdout` while it runs,
    then `communicate(timeout)` or `wait(timeout)` and `returncode`."""

    def __init__(self, zygote: CliZygote, pid: int, out_fd: int, err_fd: int) -> None:
        self._zygote = zygote
        self.pid = pid
        self.stdout = _Lines(out_fd)
        self._err_fd = err_fd
        self.returncode: int | None = None

    def communicate(self, timeout: float) -> tuple[str, str]:
        """The rest of stdout and all of stderr, once the command has ended."""
        if self.returncode is not None:
            raise ValueError("the command was already waited for")
        try:
            stdout, stderr, timed_out = _read_until_closed(self.stdout.fd, self._err_fd, timeout)
            if timed_out:
                os.killpg(self.pid, signal.SIGKILL)
            self.returncode = os.waitstatus_to_exitcode(self._zygote._receive()["status"])
        finally:
            self._zygote._lock.release()
        command = [sys.executable, "-m", MODULE]
        if timed_out:
            raise subprocess.TimeoutExpired(command, timeout)
        return self.stdout.rest + _text(stdout), _text(stderr)

    def wait(self, timeout: float) -> int:
        if self.returncode is None:
            self.communicate(timeout)
        assert self.returncode is not None
        return self.returncode


class _Lines:
    """The lines of a child's stdout as `Popen(text=True).stdout` gives them, read straight
    from the pipe, so that what is not read yet stays in the pipe or in `rest`."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._buffer = b""

    def readline(self) -> str:
        while b"\n" not in self._buffer:
            data = os.read(self.fd, 32768)
            if not data:
                line, self._buffer = self._buffer, b""
                return _text(line)
            self._buffer += data
        line, self._buffer = self._buffer.split(b"\n", 1)
        return _text(line + b"\n")

    def __iter__(self) -> Iterator[str]:
        return iter(self.readline, "")

    @property
    def rest(self) -> str:
        rest, self._buffer = self._buffer, b""
        return _text(rest)


def _read_until_closed(out_fd: int, err_fd: int, timeout: float) -> tuple[bytes, bytes, bool]:
    """Both pipes read to their end (every writer closed them), as `communicate` does; stops
    at the deadline. Closes both."""
    chunks: dict[int, list[bytes]] = {out_fd: [], err_fd: []}
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        for fd in chunks:
            selector.register(fd, selectors.EVENT_READ)
        while selector.get_map():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            for key, _ in selector.select(remaining):
                data = os.read(key.fd, 32768)
                if data:
                    chunks[key.fd].append(data)
                else:
                    selector.unregister(key.fd)
        timed_out = bool(selector.get_map())
    os.close(out_fd)
    os.close(err_fd)
    return b"".join(chunks[out_fd]), b"".join(chunks[err_fd]), timed_out


def _text(data: bytes) -> str:
    """As `subprocess.run(text=True)` decodes: the locale's encoding, universal newlines."""
    text = data.decode(locale.getpreferredencoding(False))
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --- the zygote ----------------------------------------------------------------------------


def serve(connection: socket.socket, parses: Path | None, vectors: Path | None) -> None:
    """Import PRELOAD, then fork a child per request until the caller closes the socket.
    Each child starts with the session's embeddings and hands in its own when it exits."""
    from tests import session_vectors
    from tests.cli_zygote_warm import warm_up_dbt, warm_up_gates

    before = _process_state()
    for name in PRELOAD:
        importlib.import_module(name)
    _warm_up()
    warm_up_gates()  # dbt's warm-up waits for the session's first parse (below)
    dbt_warm = False
    _fork_once()  # OpenBLAS's fork handler stops the worker threads its import started
    undo = _state_changes(before, _process_state())
    gc.freeze()  # the preloaded objects stay shared with the children, not scanned by them
    connection.send(json.dumps({"ready": True}).encode())
    while True:
        message, fds, _, _ = socket.recv_fds(connection, _MESSAGE_SIZE, 3)
        if not message:
            return
        if not dbt_warm and warm_up_dbt(parses):  # once the session's first run parsed
            dbt_warm = True
            _fork_once()  # the build's numpy restarted OpenBLAS's threads
            undo = _state_changes(before, _process_state())
            gc.freeze()
        if vectors is not None:
            session_vectors.take(vectors)
        _check_single_thread()
        pid = os.fork()
        if pid == 0:
            connection.close()
            if vectors is not None:
                atexit.register(_hand_in_quietly, vectors)
            _become_cli(json.loads(message), fds, undo)
        for fd in fds:
            os.close(fd)
        connection.send(json.dumps({"pid": pid}).encode())
        _, status = os.waitpid(pid, 0)
        connection.send(json.dumps({"status": status}).encode())


def _hand_in_quietly(vectors: Path) -> None:
    """At a child's exit: a cache that cannot be written must not add to the command's
    output, which the tests compare line by line."""
    from tests import session_vectors

    with contextlib.suppress(Exception):
        session_vectors.hand_in(vectors)


def _warm_up() -> None:
    """simplemma's German and English dictionaries, which every run's `int_topic_lemmas`
    loads on its first word (about 0.8 CPU-seconds): a cache of data, the same lemmas."""
    from learnloop.topics import lemma

    lemma("Räder", "de")
    lemma("wheels", "en")


def _fork_once() -> None:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)


def _check_single_thread() -> None:
    threads = list(Path("/proc/self/task").iterdir())
    if threading.active_count() != 1 or len(threads) != 1:
        raise RuntimeError(f"the zygote runs {len(threads)} threads; it forks only with one")


def _process_state() -> dict:
    root = logging.getLogger()
    return {"handlers": list(root.handlers), "showwarning": warnings.showwarning}


def _state_changes(before: dict, after: dict) -> dict:
    """What the preloaded imports changed that a process of its own changes only later."""
    return {
        "handlers": [h for h in after["handlers"] if h not in before["handlers"]],
        "showwarning": before["showwarning"]
        if after["showwarning"] is not before["showwarning"]
        else None,
    }


def _become_cli(request: dict, fds: list[int], undo: dict) -> None:
    """In the forked child: set up as `python -m learnloop.cli` would be, run it, exit."""
    code = 1
    try:
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        if request["new_session"]:
            os.setsid()
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        _fresh_standard_streams()
        for handler in undo["handlers"]:
            logging.getLogger().removeHandler(handler)
        if undo["showwarning"] is not None:
            logging.captureWarnings(False)
            warnings.showwarning = undo["showwarning"]
        main = types.ModuleType("__main__")
        main.__dict__["__builtins__"] = builtins
        sys.modules["__main__"] = main
        module = request["module"]
        sys.argv = [module, *request["args"]]  # runpy puts the module's path first
        sys.orig_argv = [sys.executable, "-m", module, *request["args"]]
        sys.path[0] = str(Path.cwd())  # as `-m` has it
        code = _run_as_main(module)
        exit_without_teardown(code)  # as the CLI's own entry point ends (learnloop.cli)
    except BaseException:  # a fault of this module, not of the CLI: say so, as a crash would
        traceback.print_exc()
    finally:
        os._exit(code)


def _run_as_main(module: str) -> int:
    try:
        runpy._run_module_as_main(module)  # type: ignore[attr-defined]  # what `-m` calls
    except SystemExit as exit_:
        if exit_.code is None:
            return 0
        if isinstance(exit_.code, int):
            return exit_.code
        print(exit_.code, file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # Python dies of the signal
        sys.stderr.flush()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    except BaseException:
        sys.excepthook(*sys.exc_info())
        return 1
    return 0


def _fresh_standard_streams() -> None:
    """sys.stdin/stdout/stderr made from fds 0-2 as the interpreter makes them at start: the
    zygote's own streams are other files (and line buffering depends on the file)."""
    for name, fd, mode in (("stdin", 0, "r"), ("stdout", 1, "w"), ("stderr", 2, "w")):
        old = getattr(sys, name)
        write_through = getattr(old, "write_through", False)
        unbuffered = write_through and mode == "w"
        buffering = 0 if unbuffered else -1
        binary = open(fd, mode + "b", buffering=buffering, closefd=False)  # noqa: SIM115
        raw = binary if unbuffered else binary.raw
        raw.name = f"<{name}>"
        stream = io.TextIOWrapper(
            binary,
            encoding=old.encoding,
            errors=old.errors,
            newline="\n",
            line_buffering=not write_through and (name == "stderr" or os.isatty(fd)),
            write_through=write_through,
        )
        stream.mode = mode
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)


if __name__ == "__main__":
    sys.path[0] = str(Path.cwd())  # not this file's folder: as `python -m` has it
    parses, vectors = (Path(folder) if folder else None for folder in sys.argv[2:4])
    serve(socket.socket(fileno=int(sys.argv[1])), parses, vectors)
