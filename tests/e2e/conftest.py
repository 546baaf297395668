"""Browser fixtures: a live Tandem on a real port and headless Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from server.app import create_app
from server.settings import Settings

CHROMIUM = os.environ.get("TANDEM_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--autoplay-policy=no-user-gesture-required",
]

if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
    pytest.exit(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)", 3)


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """Browser tests exercise pages, not databases: SQLite is enough."""
    return f"sqlite+aiosqlite:///{tmp_path}/tandem.db"


@pytest.fixture
async def live_server(aiohttp_server, settings: Settings) -> TestServer:  # type: ignore[no-untyped-def]
    """Tandem listening on a real loopback port."""
    server: TestServer = await aiohttp_server(create_app(settings), host="127.0.0.1")
    return server


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Headless Debian Chromium with fake camera and microphone."""
    async with async_playwright() as playwright:
        instance = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        yield instance
        await instance.close()


async def new_page(browser: Browser, server: TestServer) -> tuple[BrowserContext, Page]:
    """A fresh browser profile (own cookies) with camera and microphone allowed."""
    base = str(server.make_url("/")).rstrip("/")
    context = await browser.new_context(base_url=base, permissions=["camera", "microphone"])
    page = await context.new_page()
    page.set_default_timeout(15_000)
    return context, page
