"""Property-based fuzzing of every route in the OpenAPI document: whatever schemathesis sends, a
logged-in client gets a documented answer (never a 500), in the documented shape."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import schemathesis
from aiohttp import web
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from server.api import AREAS
from server.api.openapi import build_openapi
from server.app import create_app
from server.settings import Settings

schema = schemathesis.openapi.from_dict(
    build_openapi([op for area in AREAS for op in area.operations])
)
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@dataclass
class LiveServer:
    base_url: str
    cookies: dict[str, str | None]


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A real server on 127.0.0.1 in its own thread (schemathesis calls it synchronously)."""
    var: Path = tmp_path_factory.mktemp("fuzz")
    app = create_app(
        Settings(database_url=f"sqlite+aiosqlite:///{var}/t.db", secret_key="k", var_dir=var)
    )
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app)
    ready = threading.Event()
    port: list[int] = []

    async def start() -> None:
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port.append(runner.addresses[0][1])
        ready.set()

    def serve() -> None:
        loop.run_until_complete(start())
        loop.run_forever()
        loop.run_until_complete(runner.cleanup())
        loop.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert ready.wait(30)
    base = f"http://127.0.0.1:{port[0]}"
    signed_up = requests.post(
        f"{base}/api/v1/auth/signup",
        json={
            "email": "fuzz@example.org",
            "password": "correct horse battery",
            "name": "Fuzz",
            "roles": ["mentor", "mentee"],
        },
        timeout=30,
    )
    assert signed_up.status_code == 201, signed_up.text
    yield LiveServer(base, signed_up.cookies.get_dict())
    loop.call_soon_threadsafe(loop.stop)
    thread.join(30)


# Logging out would end the fuzzing session; the notifications stream never ends by design
# (tests/test_notifications_api.py drives it).
@schema.exclude(path=["/api/v1/auth/logout", "/api/v1/notifications/stream"]).parametrize()
@settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_no_route_answers_a_server_error(case: schemathesis.Case, live_server: LiveServer) -> None:
    response = case.call(
        base_url=live_server.base_url,
        cookies=live_server.cookies,
        timeout=30,
    )
    case.validate_response(response, checks=CHECKS)
