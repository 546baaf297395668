"""Online geocoding through geopy's Nominatim, against a Nominatim-speaking server on loopback."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from server.app import create_app
from server.settings import Settings
from tests.conftest import ClientFactory, signup


def _nominatim(calls: list[tuple[float, str]]) -> web.Application:
    """Answers /search like Nominatim: Lyon is known, 'Broken' fails, anything else is empty."""

    async def search(request: web.Request) -> web.Response:
        query = request.query["q"]
        calls.append((time.monotonic(), query))
        assert "Tandem" in request.headers["User-Agent"]
        if query.startswith("Broken"):
            return web.Response(status=500, text="upstream trouble")
        if query.startswith("Lyon"):
            return web.json_response(
                [
                    {
                        "lat": "45.7640",
                        "lon": "4.8357",
                        "name": "Lyon",
                        "display_name": "Lyon, France",
                        "address": {"city": "Lyon", "country": "France"},
                        "place_id": 1,
                    }
                ]
            )
        return web.json_response([])

    app = web.Application()
    app.router.add_get("/search", search)
    return app


async def test_nominatim_is_rate_limited_cached_and_errors_surface(
    aiohttp_server: Callable[..., Any], aiohttp_client: ClientFactory, settings: Settings
) -> None:
    calls: list[tuple[float, str]] = []
    upstream: TestServer = await aiohttp_server(_nominatim(calls))
    configured = settings.with_overrides(
        nominatim_domain=f"127.0.0.1:{upstream.port}", nominatim_scheme="http"
    )
    client = await aiohttp_client(create_app(configured))
    await signup(client, "online@example.org")

    moved = await client.patch("/api/v1/me", json={"city": "Lyon", "country": "France"})
    assert moved.status == 200, await moved.text()
    assert (await moved.json())["user"]["profile"]["has_location"] is True

    unknown = await client.patch("/api/v1/me", json={"city": "Nowhereville", "country": ""})
    assert unknown.status == 422
    assert (await unknown.json())["error"]["code"] == "unknown_place"
    # At most one request per second reaches the geocoder.
    assert calls[1][0] - calls[0][0] >= 0.95

    broken = await client.patch("/api/v1/me", json={"city": "Broken", "country": ""})
    assert broken.status == 502
    assert (await broken.json())["error"]["code"] == "geocoder_unavailable"

    # Someone else moving to Lyon is answered from the cache: no new request.
    before = len(calls)
    neighbour = await aiohttp_client(client.server)
    await signup(neighbour, "neighbour@example.org")
    again = await neighbour.patch("/api/v1/me", json={"city": "lyon", "country": "France"})
    assert again.status == 200
    assert (await again.json())["user"]["profile"]["has_location"] is True
    assert len(calls) == before
