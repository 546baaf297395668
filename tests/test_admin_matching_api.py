"""Programme-wide matching: only admins run and send it; it respects capacities; the CLI grants."""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import select

from models.users import User
from server import keys
from server.app import create_app
from server.settings import Settings
from tests.conftest import JSON, Client, ClientFactory, MakeClient, signup

ROOT = Path(__file__).resolve().parent.parent


async def _make_admin(client: Client, email: str) -> None:
    async with client.app[keys.DB]() as db:
        user = (await db.execute(select(User).where(User.email == email))).scalar_one()
        user.roles = [*user.roles, "admin"]
        await db.commit()


async def _programme(client: Client, make_client: MakeClient) -> dict[str, Any]:
    """An admin, two mentors (one place each) and three mentees."""
    await signup(client, "admin@example.org", roles=["mentor"], name="Admin")
    await client.patch("/api/v1/me", json={"mentor_capacity": 0})
    await _make_admin(client, "admin@example.org")
    ids: dict[str, Any] = {}
    for name, skills in (("Py Mentor", ["Python"]), ("Design Mentor", ["Design"])):
        browser = await make_client()
        ids[name] = (await signup(browser, f"{name[:2]}@example.org", roles=["mentor"], name=name))[
            "id"
        ]
        await browser.patch("/api/v1/me", json={"skills": skills, "mentor_capacity": 1})
    for name, skills in (("Pia", ["Python"]), ("Dan", ["Design"]), ("Extra", ["Python"])):
        browser = await make_client()
        ids[name] = (await signup(browser, f"{name}@example.org", name=name))["id"]
        await browser.patch("/api/v1/me", json={"skills": skills})
        ids[name + "_client"] = browser
    return ids


async def test_admin_runs_and_sends_within_capacity(
    client: Client, make_client: MakeClient
) -> None:
    ids = await _programme(client, make_client)
    ran = await client.post("/api/v1/admin/matching/run", headers=JSON)
    assert ran.status == 200, await ran.text()
    body = await ran.json()
    pairs = {(p["mentee"]["name"], p["mentor"]["name"]) for p in body["proposals"]}
    assert pairs == {("Pia", "Py Mentor"), ("Dan", "Design Mentor")}
    assert [u["name"] for u in body["unmatched"]] == ["Extra"]
    assert body["total"] >= body["greedy_total"] > 0
    assert "1 shared skill: Python" in next(
        p["reasons"] for p in body["proposals"] if p["mentee"]["name"] == "Pia"
    )
    # The admin edits: Extra instead of Pia, and one pair too many for Py Mentor's single place.
    sent = await client.post(
        "/api/v1/admin/matching/send",
        json={
            "pairs": [
                {"mentee_id": ids["Extra"], "mentor_id": ids["Py Mentor"]},
                {"mentee_id": ids["Dan"], "mentor_id": ids["Design Mentor"]},
                {"mentee_id": ids["Pia"], "mentor_id": ids["Py Mentor"]},
            ]
        },
    )
    assert sent.status == 200, await sent.text()
    result = await sent.json()
    assert {(m["mentee_id"], m["mentor_id"]) for m in result["sent"]} == {
        (ids["Extra"], ids["Py Mentor"]),
        (ids["Dan"], ids["Design Mentor"]),
    }
    assert [r["code"] for r in result["refused"]] == ["no_open_place"]
    theirs = await (await ids["Extra_client"].get("/api/v1/mentorships")).json()
    assert theirs["mentorships"][0]["status"] == "requested"
    # Run again: the two now waiting are not matched twice, and no mentor has a place left.
    again = await (await client.post("/api/v1/admin/matching/run", headers=JSON)).json()
    assert again["proposals"] == [] and [u["name"] for u in again["unmatched"]] == ["Pia"]


async def test_only_admins(client: Client, make_client: MakeClient) -> None:
    ids = await _programme(client, make_client)
    mentee = ids["Pia_client"]
    for path in ("/api/v1/admin/matching/run", "/api/v1/admin/matching/send"):
        refused = await mentee.post(path, json={"pairs": [{"mentee_id": 1, "mentor_id": 2}]})
        assert refused.status == 403
        assert (await refused.json())["error"]["code"] == "not_an_admin"
        stranger = await make_client()
        assert (await stranger.post(path, headers=JSON)).status == 401
    bad = await client.post("/api/v1/admin/matching/send", json={"pairs": []})
    assert bad.status == 422
    # Sign-up cannot make anyone an admin.
    sneaky = await make_client()
    response = await sneaky.post(
        "/api/v1/auth/signup",
        json={
            "email": "sneaky@example.org",
            "password": "correct horse battery",
            "name": "Sneaky",
            "roles": ["admin"],
        },
    )
    assert response.status == 422


async def test_cli_grants_admin(
    aiohttp_client: ClientFactory, settings: Settings, tmp_path: Path
) -> None:
    if not settings.database_url.startswith("sqlite"):
        return  # the command is the same on PostgreSQL; one backend is enough for the CLI
    client = await aiohttp_client(create_app(settings))
    await signup(client, "future-admin@example.org")
    env = {"TANDEM_DATABASE_URL": settings.database_url, "TANDEM_VAR_DIR": str(tmp_path)}
    code, _ = await _grant(env, "Future-Admin@example.org")
    assert code == 0
    assert (await client.post("/api/v1/admin/matching/run", headers=JSON)).status == 200
    code, errors = await _grant(env, "nobody@example.org")
    assert code == 1 and "account with that e-mail address" in errors


async def _grant(env: dict[str, str], email: str) -> tuple[int, str]:
    """Run `tandem admin grant EMAIL`: (exit code, what it wrote to stderr)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "server",
        "admin",
        "grant",
        email,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, errors = await process.communicate()
    return int(process.returncode or 0), errors.decode()


async def test_admin_page_reviews_and_sends_ticked_pairs(
    client: Client, make_client: MakeClient
) -> None:
    ids = await _programme(client, make_client)
    page = await (await client.get("/admin/matching")).text()
    assert "Pia" in page and "Py Mentor" in page and "1 shared skill: Python" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    # The admin unticks Dan's pair: only Pia's is sent.
    sent = await client.post(
        "/admin/matching/send",
        data={"csrf_token": token.group(1), "pair": f"{ids['Pia']}:{ids['Py Mentor']}"},
        allow_redirects=False,
    )
    assert sent.status == 303 and sent.headers["Location"].endswith("sent=1&refused=0")
    mine = await (await ids["Pia_client"].get("/api/v1/mentorships")).json()
    assert mine["mentorships"][0]["mentor_id"] == ids["Py Mentor"]
    dan = await (await ids["Dan_client"].get("/api/v1/mentorships")).json()
    assert dan["mentorships"] == []
    refused = await ids["Pia_client"].get("/admin/matching")
    assert refused.status == 403 and "Only programme admins" in await refused.text()
    forged = await client.post(
        "/admin/matching/send", data={"pair": f"{ids['Dan']}:{ids['Design Mentor']}"}
    )
    assert forged.status == 403
