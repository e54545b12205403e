"""Debian's chromium through Playwright, launched once per browser-test module.

Each module names the fixture as it reads best (`browser`, `chromium`); they all come from `chromium_browser`, so
a launch flag changes in one place.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")


def chromium_browser() -> Iterator[Any]:
    """Generator for a module-scoped fixture: skip where chromium is missing, else one headless browser."""
    if not CHROMIUM.exists():
        pytest.skip("chromium not installed (apt-get install -y chromium)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield b
        b.close()
