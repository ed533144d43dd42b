"""Headless Chromium from the system's packages, driven by Playwright for Python.

Playwright's own browser download cannot work here, so it launches the `chromium` found on PATH
(`make test` installs Debian's through .ci/system-deps) with a fresh user data directory.  Every
page records its console errors; a test fails on any.  Screenshots are kept as test artifacts in
`var/artifacts/console/` to be looked at.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, sync_playwright

ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "artifacts" / "console"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def chromium_path() -> str:
    found = shutil.which("chromium")
    if found is None:
        pytest.fail(
            "chromium is not on PATH: the browser tests need Debian's chromium "
            "(`make system-deps`, or apt-get install chromium)"
        )
    return found


@contextmanager
def browser(viewport: tuple[int, int] = (1400, 900)) -> Iterator[BrowserContext]:
    with (
        tempfile.TemporaryDirectory(prefix="console-browser-") as profile,
        sync_playwright() as playwright,
    ):
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=chromium_path(),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": viewport[0], "height": viewport[1]},
        )
        try:
            yield context
        finally:
            context.close()


class WatchedPage:
    """A page whose console errors and uncaught exceptions are collected."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.errors: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.evaluate("window.scrollTo(0, 0)")  # a sticky header stays at the top
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def assert_no_errors(self) -> None:
        assert not self.errors, f"browser console errors: {self.errors}"
