"""Programme admins: granted from the command line only; the programme figures and CSV; ending a
mentorship; a suspended account is out everywhere at once."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import sys
from pathlib import Path

from models.goals import SessionFeedback
from models.mentorships import Mentorship
from server import keys
from server.connections import SIGNED_OUT
from server.settings import Settings
from tests.conftest import JSON, Client, MakeClient, signup
from tests.signaling.conftest import receive
from tests.test_credentials import _closed_with
from tests.test_goals_api import pair
from tests.test_progress import past_session

ROOT = Path(__file__).resolve().parent.parent


async def tandem(settings: Settings, *args: str) -> tuple[int, str]:
    """Run the `tandem` command against the test database."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "server",
        *args,
        cwd=ROOT,
        env={**os.environ, "TANDEM_DATABASE_URL": settings.database_url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await process.communicate()
    return int(process.returncode or 0), out.decode()


async def make_admin(client: Client, settings: Settings, email: str) -> None:
    code, out = await tandem(settings, "admin", "grant", email)
    assert code == 0, out
    assert "is now a programme admin" in out


async def test_admin_role_comes_from_the_command_line_only(
    client: Client, make_client: MakeClient, settings: Settings
) -> None:
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
    await signup(client, "boss@example.org", roles=["mentor"])
    assert (await client.get("/api/v1/admin/programme")).status == 403
    assert (await client.get("/admin/programme")).status == 403
    code, out = await tandem(settings, "admin", "grant", "nobody@example.org")
    assert code == 1 and "No such account" in out
    await make_admin(client, settings, "BOSS@example.org")
    assert (await client.get("/api/v1/admin/programme")).status == 200
    page = await client.get("/admin/programme")
    assert page.status == 200 and "Active mentorships" in await page.text()


async def test_programme_figures_and_csv(
    client: Client, make_client: MakeClient, settings: Settings
) -> None:
    mentee, mentorship_id = await pair(client, make_client)
    for days in (1, 2, 9):
        await past_session(client, mentorship_id, days)
    await past_session(client, mentorship_id, 3, cancelled=True)
    async with client.app[keys.DB]() as db:
        mentorship = await db.get(Mentorship, mentorship_id)
        assert mentorship is not None
        for n in range(2):
            db.add(SessionFeedback(session_id=1 + n, user_id=mentorship.mentee_id, rating=4))
        await db.commit()
    await make_admin(client, settings, "mentor@example.org")
    figures = await (await client.get("/api/v1/admin/programme")).json()
    assert figures["summary"]["sessions_held"] == 3
    assert figures["summary"]["active_mentorships"] == 1
    assert figures["summary"]["average_rating"] is None  # two ratings: below the threshold
    assert sum(w["sessions_held"] for w in figures["weeks"]) == 3
    narrow = await client.get(
        "/api/v1/admin/programme", params={"from": "2001-01-01", "to": "2001-02-01"}
    )
    assert (await narrow.json())["summary"]["sessions_held"] == 0
    bad = await client.get("/api/v1/admin/programme", params={"from": "yesterday"})
    assert bad.status == 400 and (await bad.json())["error"]["code"] == "bad_date"
    exported = await client.get("/api/v1/admin/programme.csv", params={"table": "weeks"})
    assert exported.status == 200 and exported.content_type == "text/csv"
    rows = list(csv.DictReader(io.StringIO(await exported.text())))
    assert sum(int(r["sessions_held"]) for r in rows) == 3
    assert (await client.get("/api/v1/admin/programme.csv?table=users")).status == 400
    assert (await mentee.get("/api/v1/admin/programme.csv?table=weeks")).status == 403
    page = await (await client.get("/admin/programme")).text()
    assert "mentee0@example.org" not in page and "mentor@example.org" not in page


async def test_a_suspended_user_is_out_everywhere_at_once(
    client: Client, make_client: MakeClient, settings: Settings
) -> None:
    mentee, mentorship_id = await pair(client, make_client)
    made = await client.post(
        "/api/v1/sessions",
        json={
            "title": "Soon",
            "starts_at": "2099-01-01T10:00:00Z",
            "duration_minutes": 30,
            "mentorship_id": mentorship_id,
        },
    )
    session_id = (await made.json())["session"]["id"]
    notes = await mentee.ws_connect(f"/ws/sessions/{session_id}/notes")
    await notes.send_json({"type": "join"})
    await receive(notes, "welcome")
    stream = await mentee.get("/api/v1/notifications/stream")
    assert stream.status == 200
    await stream.content.readuntil(b"\n\n")
    me = await (await mentee.get("/api/v1/me")).json()

    admin = await make_client()
    await signup(admin, "admin@example.org", roles=["mentor"])
    await make_admin(admin, settings, "admin@example.org")
    assert (
        await mentee.post(f"/api/v1/admin/users/{me['user']['id']}/suspend", headers=JSON)
    ).status == 403
    suspended = await admin.post(f"/api/v1/admin/users/{me['user']['id']}/suspend", headers=JSON)
    assert suspended.status == 200, await suspended.text()

    assert await _closed_with(notes) == SIGNED_OUT
    assert await asyncio.wait_for(stream.content.read(), 5) is not None
    assert stream.content.at_eof()
    assert (await mentee.get("/api/v1/me")).status == 401
    login = await mentee.post(
        "/api/v1/auth/login",
        json={"email": "mentee0@example.org", "password": "correct horse battery"},
    )
    assert login.status == 403 and (await login.json())["error"]["code"] == "account_suspended"

    ended = await admin.post(
        f"/api/v1/admin/mentorships/{mentorship_id}/end", json={"reason": "Code of conduct"}
    )
    assert ended.status == 200
    notices = (await (await client.get("/api/v1/notifications")).json())["notifications"]
    assert any(n["kind"] == "mentorship_ended" for n in notices)
