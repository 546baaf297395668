"""The demo data a first-time visitor logs in to."""

from __future__ import annotations

from server.demo import DEMO_PASSWORD, load_demo
from server.settings import Settings
from tests.conftest import ClientFactory


async def test_demo_data_gives_a_lively_dashboard(
    settings: Settings, aiohttp_client: ClientFactory
) -> None:
    from server.app import create_app

    await load_demo(settings)
    await load_demo(settings)  # running it twice changes nothing
    client = await aiohttp_client(create_app(settings))
    login = await client.post(
        "/api/v1/auth/login", json={"email": "leo@demo.tandem", "password": DEMO_PASSWORD}
    )
    assert login.status == 200
    sessions = (await (await client.get("/api/v1/sessions")).json())["sessions"]
    assert any(s["kind"] == "one_on_one" for s in sessions)
    assert any(s["kind"] == "office_hours" for s in sessions)
    mentorships = (await (await client.get("/api/v1/mentorships")).json())["mentorships"]
    assert [m["status"] for m in mentorships] == ["active"]
    suggestions = (await (await client.get("/api/v1/meetups/suggestions")).json())["suggestions"]
    assert suggestions and suggestions[0]["kind"] == "mentorship"
    page = await (await client.get("/dashboard")).text()
    assert "Join" in page and "Draft a learning plan" in page
