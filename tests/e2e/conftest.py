"""Browser fixtures: a live Tandem on a real port and headless Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
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


async def new_page(
    browser: Browser, server: TestServer, **options: Any
) -> tuple[BrowserContext, Page]:
    """A fresh browser profile (own cookies) with camera and microphone allowed; `options` go
    to Playwright's new_context (viewport, timezone_id, ...)."""
    base = str(server.make_url("/")).rstrip("/")
    context = await browser.new_context(
        base_url=base, permissions=["camera", "microphone"], **options
    )
    page = await context.new_page()
    page.set_default_timeout(15_000)
    return context, page


PASSWORD = "correct horse battery"


@dataclass
class Account:
    """A user signed up through the API, and their login cookie."""

    user_id: int
    cookie: str


async def sign_up(server: TestServer, email: str, name: str, role: str) -> Account:
    """A new user with `PASSWORD`, logged in."""
    async with aiohttp.ClientSession() as http:
        response = await http.post(
            server.make_url("/api/v1/auth/signup"),
            json={"email": email, "password": PASSWORD, "name": name, "roles": [role]},
        )
        assert response.status == 201, await response.text()
        user = (await response.json())["user"]
        return Account(user["id"], response.cookies["tandem_session"].value)


async def api_post(
    server: TestServer,
    who: Account,
    path: str,
    body: dict[str, Any],
    expected: tuple[int, ...] = (200, 201),
) -> Any:
    """POST `body` to the JSON API as `who`; the answer's JSON."""
    async with aiohttp.ClientSession(cookies={"tandem_session": who.cookie}) as http:
        response = await http.post(server.make_url(path), json=body)
        assert response.status in expected, await response.text()
        return await response.json()


async def page_as(
    browser: Browser,
    server: TestServer,
    who: Account,
    errors: list[str] | None = None,
    **options: Any,
) -> tuple[BrowserContext, Page]:
    """A fresh browser profile logged in as `who`; uncaught page errors go to `errors`."""
    context, page = await new_page(browser, server, **options)
    if errors is not None:
        page.on("pageerror", lambda error: errors.append(str(error)))
    await context.add_cookies(
        [{"name": "tandem_session", "value": who.cookie, "url": str(server.make_url("/"))}]
    )
    return context, page
