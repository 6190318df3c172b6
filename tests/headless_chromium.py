"""Headless Chromium (Debian package `chromium`; `make test` installs it) for report tests."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

# Flags that run here as root in a container, with nothing reaching the network.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
)
WINDOW = (1280, 2400)
# Chromium logs every console message of the page as `...:INFO:CONSOLE:<line>] "<text>"`.
CONSOLE_LINE = re.compile(r":CONSOLE(?::\d+)?\]\s*(.*)")


def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.fail("Chromium is missing: `make test` installs the Debian package `chromium`")
    return path


def _run(profile: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [chromium(), *FLAGS, f"--user-data-dir={profile}", *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def dump_dom(page: Path, profile: Path) -> tuple[str, list[str]]:
    """The DOM after the page loaded and its scripts ran, and its console messages."""
    result = _run(profile, "--dump-dom", page.as_uri())
    return result.stdout, CONSOLE_LINE.findall(result.stderr)


def screenshot(page: Path, target: Path, profile: Path) -> list[str]:
    """A PNG of the page at WINDOW size; returns the console messages."""
    width, height = WINDOW
    result = _run(
        profile, f"--screenshot={target}", f"--window-size={width},{height}", page.as_uri()
    )
    assert target.exists(), result.stderr
    return CONSOLE_LINE.findall(result.stderr)


def root_attributes(dom: str) -> dict[str, str]:
    """The attributes of the <html> element in a dumped DOM."""
    match = re.search(r"<html([^>]*)>", dom)
    assert match, "no <html> element in the dumped DOM"
    return dict(re.findall(r'([\w-]+)="([^"]*)"', match[1]))
