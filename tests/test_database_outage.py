"""Dependencies going away: a real server talks to PostgreSQL and Redis through a TCP proxy on
127.0.0.1 that refuses, resets or black-holes connections. Every answer is a prompt 503, and
everything works again once the proxy passes traffic."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import ClientResponse
from sqlalchemy.engine import make_url

from server.app import create_app
from server.settings import Settings, SettingsError, settings_from_env
from tests.conftest import POSTGRES_URL, Client, ClientFactory, _postgres_database, signup
from tests.tcp_proxy import Mode, TcpProxy

REDIS_URL = os.environ.get("TANDEM_TEST_REDIS_URL")
# Short timeouts keep the test fast; the default ones are documented in README.md.
TIMEOUT = 1.0
# Worst case while packets vanish: the pooled connection's ping, a new connection, one statement.
PROMPT = 2 * TIMEOUT + TIMEOUT + 1.0


async def _proxy_to(url: str) -> AsyncIterator[TcpProxy]:
    target = make_url(url)
    proxy = TcpProxy(target.host or "127.0.0.1", target.port or 5432)
    await proxy.start()
    yield proxy
    await proxy.close()


def _settings(tmp_path: Path, database_url: str, redis_url: str | None = None) -> Settings:
    return Settings(
        database_url=database_url,
        redis_url=redis_url,
        secret_key="test-secret-key",
        var_dir=tmp_path,
        db_connect_timeout=TIMEOUT,
        db_statement_timeout=TIMEOUT,
    )


async def _timed(request: asyncio.Future[ClientResponse]) -> tuple[ClientResponse, float]:
    started = time.perf_counter()
    response = await request
    await response.read()
    return response, time.perf_counter() - started


async def _assert_busy_everywhere(browser: Client, limit: float) -> None:
    """The API (reads, writes), a page and /healthz all answer 503 within `limit` seconds."""
    calls = [
        browser.get("/api/v1/me"),
        browser.patch("/api/v1/me", json={"headline": "Still here"}),
        browser.get("/api/v1/sessions"),
        browser.get("/"),
        browser.get("/profile"),
        browser.get("/healthz"),
    ]
    results = await asyncio.gather(*(_timed(asyncio.ensure_future(c)) for c in calls))
    for response, took in results:
        where = f"{response.method} {response.url.path}"
        assert response.status == 503, (where, await response.text())
        assert took < limit, f"{where} took {took:.1f}s"
        assert response.headers["Retry-After"] == "5", where
    api, write, listing, home, profile, health = (r for r, _ in results)
    for response in (api, write, listing):
        assert (await response.json())["error"]["code"] == "busy"
    for page in (home, profile):
        assert page.content_type == "text/html"
        assert "very busy right now" in await page.text()
    report = await health.json()
    assert report["dependencies"]["database"] == "unavailable"
    assert "database" in report["error"]["message"]


@pytest.mark.postgres
@pytest.mark.skipif(POSTGRES_URL is None, reason="needs TANDEM_TEST_POSTGRES_URL")
async def test_postgres_outage_gives_prompt_503s_and_recovers(
    aiohttp_client: ClientFactory, tmp_path: Path
) -> None:
    async for real_url in _postgres_database():
        async for proxy in _proxy_to(real_url):
            proxied = make_url(real_url).set(host="127.0.0.1", port=proxy.port)
            url = proxied.render_as_string(hide_password=False)
            browser = await aiohttp_client(create_app(_settings(tmp_path, url)))
            await signup(browser, "outage@example.org")
            for mode in (Mode.REFUSE, Mode.RESET, Mode.BLACKHOLE):
                await proxy.set_mode(mode)
                limit = PROMPT if mode is Mode.BLACKHOLE else 1.0
                await _assert_busy_everywhere(browser, limit)
                await proxy.set_mode(Mode.PASS)
                me = await browser.get("/api/v1/me")
                assert me.status == 200, (mode, await me.text())
                health = await browser.get("/healthz")
                assert (await health.json())["dependencies"] == {"database": "ok"}
            saved = await browser.patch("/api/v1/me", json={"headline": "Back"})
            assert (await saved.json())["user"]["profile"]["headline"] == "Back"


@pytest.mark.skipif(REDIS_URL is None, reason="needs TANDEM_TEST_REDIS_URL")
async def test_healthz_names_redis_when_it_does_not_answer(
    aiohttp_client: ClientFactory, tmp_path: Path
) -> None:
    assert REDIS_URL is not None
    async for proxy in _proxy_to(REDIS_URL):
        redis_url = make_url(REDIS_URL).set(host="127.0.0.1", port=proxy.port)
        settings = _settings(
            tmp_path, f"sqlite+aiosqlite:///{tmp_path}/tandem.db", redis_url.render_as_string()
        )
        browser = await aiohttp_client(create_app(settings))
        healthy = await browser.get("/healthz")
        assert healthy.status == 200
        assert (await healthy.json())["dependencies"] == {"database": "ok", "redis": "ok"}
        for mode in (Mode.REFUSE, Mode.BLACKHOLE):
            await proxy.set_mode(mode)
            response, took = await _timed(asyncio.ensure_future(browser.get("/healthz")))
            assert response.status == 503 and took < PROMPT, (mode, took)
            report = await response.json()
            assert report["dependencies"] == {"database": "ok", "redis": "unavailable"}
            assert report["error"] == {
                "code": "dependency_unavailable",
                "message": "Not answering: redis.",
            }
            await proxy.set_mode(Mode.PASS)
            assert (await browser.get("/healthz")).status == 200


def test_timeouts_are_read_from_the_environment() -> None:
    settings = settings_from_env(
        {"TANDEM_DB_CONNECT_TIMEOUT": "1.5", "TANDEM_DB_STATEMENT_TIMEOUT": "20"}
    )
    assert (settings.db_connect_timeout, settings.db_statement_timeout) == (1.5, 20.0)
    assert settings_from_env({}).db_connect_timeout == 3.0
    for bad in ("0", "-1", "soon", "nan"):
        with pytest.raises(SettingsError, match="TANDEM_DB_STATEMENT_TIMEOUT"):
            settings_from_env({"TANDEM_DB_STATEMENT_TIMEOUT": bad})
