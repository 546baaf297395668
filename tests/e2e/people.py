"""Setting up people for page tests through the JSON API: profiles, mentorships, sessions."""

from __future__ import annotations

from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer

from tests.e2e.conftest import Account, api_post, sign_up


async def api_call(
    server: TestServer, who: Account, method: str, path: str, body: dict[str, Any] | None = None
) -> Any:
    """Any JSON API call as `who`; the answer's JSON (None for 204)."""
    async with aiohttp.ClientSession(cookies={"tandem_session": who.cookie}) as http:
        response = await http.request(
            method, server.make_url(path), json=body if body is not None else {}
        )
        assert response.status < 300, await response.text()
        return None if response.status == 204 else await response.json()


async def mentor_and_mentee(
    server: TestServer, *, active: bool = True, zone: str = "Europe/Berlin"
) -> tuple[Account, Account, int]:
    """A mentor and a mentee (both in `zone`) and their mentorship, accepted if `active`."""
    mentor = await sign_up(server, "mentor@example.org", "Mira Mentor", "mentor")
    mentee = await sign_up(server, "mentee@example.org", "Noor Mentee", "mentee")
    for who in (mentor, mentee):
        await api_call(server, who, "PATCH", "/api/v1/me", {"timezone": zone})
    asked = await api_post(server, mentee, "/api/v1/mentorships", {"mentor_id": mentor.user_id})
    mentorship_id: int = asked["mentorship"]["id"]
    if active:
        await api_post(server, mentor, f"/api/v1/mentorships/{mentorship_id}/accept", {})
    return mentor, mentee, mentorship_id
