"""Headless Chromium driven over the DevTools protocol, for pages that need a login and scripts.

`headless_chromium.py` covers static pages (`--dump-dom`, `--screenshot`). Superset and
Airflow's UI are single-page apps behind a login: a test types into the login form, waits
until the app has rendered what it asserts on, reads the DOM with JavaScript and takes
screenshots. That needs a live page, so this module starts Debian's `chromium` with a
debugging port on loopback and speaks the protocol over a WebSocket (`websockets`, already
in the lock through Airflow's API server). No browser download, no extra package.
"""

from __future__ import annotations

import base64
import itertools
import json
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

from tests.headless_chromium import FLAGS, chromium


class BrowserError(AssertionError):
    """The page did not do what the test waited for; carries what the page logged."""


class Page:
    """One tab: navigate, evaluate JavaScript, wait for a condition, type, screenshot."""

    def __init__(self, socket: ClientConnection, session: str) -> None:
        self._socket = socket
        self._session = session
        self._ids = itertools.count(1)
        self.console: list[str] = []  # console.error/warn messages and uncaught exceptions

    def send(self, method: str, **params: Any) -> dict:
        message_id = next(self._ids)
        message = {"id": message_id, "method": method, "params": params}
        if self._session:  # commands to the browser itself go without a session
            message["sessionId"] = self._session
        self._socket.send(json.dumps(message))
        while True:
            message = json.loads(self._socket.recv(timeout=120))
            if message.get("id") == message_id:
                if "error" in message:
                    raise BrowserError(f"{method}: {message['error']}")
                return message.get("result", {})
            self._record(message)

    def _record(self, event: dict) -> None:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning"):
            texts = [str(arg.get("value", arg.get("description", ""))) for arg in params["args"]]
            self.console.append(" ".join(texts))
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            self.console.append(details.get("exception", {}).get("description", details["text"]))

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression (awaited when it is a promise)."""
        result = self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression!r} threw: {result['exceptionDetails']}")
        return result["result"].get("value")

    def goto(self, url: str) -> None:
        self.send("Page.navigate", url=url)
        self.wait_for("document.readyState === 'complete'", what=f"{url} to load")

    def wait_for(self, condition: str, what: str, timeout: float = 60) -> Any:
        """Poll a JavaScript expression until it is truthy; returns its value."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                value = self.evaluate(condition)
            except BrowserError:
                value = None  # the page is navigating: its context is being replaced
            if value:
                return value
            if time.monotonic() > deadline:
                raise BrowserError(
                    f"waited {timeout:.0f} s for {what}; page {self.evaluate('location.href')!r}, "
                    f"console: {self.console}"
                )
            time.sleep(0.2)

    def type_into(self, selector: str, text: str) -> None:
        """Focus a field and type as a user would (React forms see real input events)."""
        self.wait_for(f"!!document.querySelector({json.dumps(selector)})", what=selector)
        self.evaluate(f"document.querySelector({json.dumps(selector)}).focus()")
        self.send("Input.insertText", text=text)

    def press_enter(self) -> None:
        for kind in ("keyDown", "keyUp"):
            self.send(
                "Input.dispatchKeyEvent",
                type=kind,
                key="Enter",
                code="Enter",
                windowsVirtualKeyCode=13,
                text="\r" if kind == "keyDown" else "",
            )

    def fonts_used(self, selector: str) -> list[tuple[str, list[str]]]:
        """(text, font families Chromium drew its glyphs with) per element matching
        `selector`: a glyph missing from every font is drawn from the first one as a box."""
        self.send("DOM.enable")
        self.send("CSS.enable")
        root = self.send("DOM.getDocument", depth=0)["root"]["nodeId"]
        found = self.send("DOM.querySelectorAll", nodeId=root, selector=selector)["nodeIds"]
        used = []
        for node in found:
            fonts = self.send("CSS.getPlatformFontsForNode", nodeId=node)["fonts"]
            text = self.send("DOM.resolveNode", nodeId=node)["object"]["objectId"]
            inner = self.send(
                "Runtime.callFunctionOn",
                objectId=text,
                functionDeclaration="function () { return this.innerText; }",
                returnByValue=True,
            )["result"]["value"]
            used.append((inner, sorted(f["familyName"] for f in fonts)))
        return used

    def resize(self, width: int, height: int) -> None:
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )

    def screenshot(self, target: Path) -> Path:
        """A PNG of the viewport."""
        data = self.send("Page.captureScreenshot", format="png")["data"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(base64.b64decode(data))
        return target


@contextmanager
def browser_page(profile: Path, width: int = 1400, height: int = 1000) -> Iterator[Page]:
    """A fresh headless Chromium (its own profile) with one open tab; closed afterwards."""
    profile.mkdir(parents=True, exist_ok=True)
    port_file = profile / "DevToolsActivePort"
    port_file.unlink(missing_ok=True)
    process = subprocess.Popen(
        [
            chromium(),
            *FLAGS,
            f"--user-data-dir={profile}",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",  # Chromium picks a free port and writes it down
            f"--window-size={width},{height}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port, path = _debugging_endpoint(port_file, process)
        with connect(f"ws://127.0.0.1:{port}{path}", max_size=None) as socket:
            page = _open_tab(socket)
            page.resize(width, height)
            yield page
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _debugging_endpoint(port_file: Path, process: subprocess.Popen) -> tuple[str, str]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if port_file.exists():
            lines = port_file.read_text(encoding="utf-8").split()
            if len(lines) == 2:
                return lines[0], lines[1]
        if process.poll() is not None:
            raise BrowserError(f"chromium exited with {process.returncode} before it listened")
        time.sleep(0.1)
    raise BrowserError("chromium wrote no DevToolsActivePort within 30 s")


def _open_tab(socket: ClientConnection) -> Page:
    browser = Page(socket, session="")
    target = browser.send("Target.createTarget", url="about:blank")["targetId"]
    session = browser.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
    page = Page(socket, session)
    page.send("Page.enable")
    page.send("Runtime.enable")
    return page
