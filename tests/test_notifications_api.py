"""Notifications: stored with the change, counted live, and mailed over real SMTP."""

from __future__ import annotations

import asyncio
import email
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage, Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, Envelope
from icalendar import Calendar

from server import keys
from server.app import create_app
from server.settings import Settings
from tests.conftest import JSON, Client, ClientFactory, MakeClient, signup
from tests.test_bookings_api import active_mentee, book, open_mentor, slots_of


@dataclass
class Inbox:
    """What a real SMTP server on loopback received."""

    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        message = email.message_from_bytes(content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for rcpt, m in self.messages if address in rcpt]


@pytest.fixture
async def inbox() -> AsyncIterator[tuple[Inbox, int]]:
    """An aiosmtpd server on 127.0.0.1 and an ephemeral port."""
    handler = Inbox()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(handler), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield handler, port
    server.close()
    await server.wait_closed()


@pytest.fixture
async def client(
    aiohttp_client: ClientFactory, settings: Settings, inbox: tuple[Inbox, int]
) -> Client:
    """The app sending its mail to the loopback SMTP server."""
    smtp = Settings(**{**settings.__dict__, "smtp_url": f"smtp://127.0.0.1:{inbox[1]}"})
    return await aiohttp_client(create_app(smtp))


def invitation(message: Message) -> tuple[str, Any]:
    """The calendar attachment's METHOD and its single event."""
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    body = part.get_payload(decode=True)
    assert isinstance(body, bytes) and b"@example.org" not in body
    calendar = Calendar.from_ical(body)
    (event,) = calendar.walk("VEVENT")
    return str(calendar["method"]), event


async def test_booking_changes_are_mailed_with_invitations(
    client: Client, make_client: MakeClient, inbox: tuple[Inbox, int]
) -> None:
    received, _ = inbox
    notifier = client.app[keys.NOTIFIER]
    mentor = await open_mentor(client, min_notice_hours=30)
    mentee_client, _ = await active_mentee(client, make_client, mentor["id"])
    slots = await slots_of(mentee_client, mentor["id"])
    session = (await (await book(mentee_client, mentor["id"], slots[0]["starts_at"])).json())[
        "session"
    ]
    await notifier.drain()
    (booked,) = received.to("mentor@example.org")
    assert "booked a session" in booked["Subject"]
    text = booked.get_body(("plain",))
    html = booked.get_body(("html",))
    assert text is not None and html is not None
    assert f"/sessions/{session['id']}" in text.get_content()
    method, event = invitation(booked)
    assert method == "REQUEST" and event["sequence"] == 0
    uid = str(event["uid"])
    assert len(received.to("mentee0@example.org")) == 1

    moved = await mentee_client.post(
        f"/api/v1/sessions/{session['id']}/reschedule",
        json={"starts_at": slots[1]["starts_at"], "reason": "Clash at work"},
    )
    assert moved.status == 200
    await notifier.drain()
    rescheduled = received.to("mentor@example.org")[-1]
    plain = rescheduled.get_body(("plain",))
    assert plain is not None and "Clash at work" in plain.get_content()
    method, event = invitation(rescheduled)
    assert (method, str(event["uid"]), event["sequence"]) == ("REQUEST", uid, 1)

    # The mentee wants cancellations in the app only.
    chosen = await mentee_client.put(
        "/api/v1/me/notification-preferences", json={"email": {"session_cancelled": False}}
    )
    assert (await chosen.json())["email"]["session_cancelled"] is False
    await client.post(f"/api/v1/sessions/{session['id']}/cancel", json={"reason": "Flu"})
    await notifier.drain()
    method, event = invitation(received.to("mentor@example.org")[-1])
    assert (method, str(event["uid"]), event["sequence"]) == ("CANCEL", uid, 2)
    assert str(event["status"]) == "CANCELLED"
    assert len(received.to("mentee0@example.org")) == 2  # booked and moved, not cancelled
    listed = await (await mentee_client.get("/api/v1/notifications")).json()
    assert [n["kind"] for n in listed["notifications"]] == [
        "session_cancelled",
        "session_rescheduled",
        "session_booked",
        "mentorship_answered",
    ]


async def test_without_smtp_mails_go_to_the_outbox(
    aiohttp_client: ClientFactory, settings: Settings, tmp_path: Path
) -> None:
    app_client = await aiohttp_client(create_app(settings))
    mentor = await open_mentor(app_client)
    mentee_client, _ = await active_mentee(
        app_client, lambda: aiohttp_client(app_client.server), mentor["id"]
    )
    slot = (await slots_of(mentee_client, mentor["id"]))[0]["starts_at"]
    assert (await book(mentee_client, mentor["id"], slot)).status == 201
    await app_client.app[keys.NOTIFIER].drain()
    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 2
    message = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert invitation(message)[0] == "REQUEST"


async def test_unread_count_and_live_stream(client: Client, make_client: MakeClient) -> None:
    mentor = await open_mentor(client)
    mentee_client, _ = await active_mentee(client, make_client, mentor["id"])
    await client.post("/api/v1/notifications/read", headers=JSON)  # the mentee's request
    stream = await client.get("/api/v1/notifications/stream")
    assert stream.headers["Content-Type"] == "text/event-stream"

    async def next_event() -> dict[str, Any]:
        while True:
            line = await asyncio.wait_for(stream.content.readline(), 10)
            if line.startswith(b"data: "):
                data: dict[str, Any] = json.loads(line[6:])
                return data

    assert (await next_event())["unread"] == 0
    slot = (await slots_of(mentee_client, mentor["id"]))[0]["starts_at"]
    await book(mentee_client, mentor["id"], slot)
    news = await next_event()
    assert news["unread"] == 1 and "booked a session" in news["latest"]["title"]
    marked = await client.post("/api/v1/notifications/read", headers=JSON)
    assert (await marked.json())["unread"] == 0
    assert (await next_event())["unread"] == 0
    stream.close()

    stranger = await make_client()
    assert (await stranger.get("/api/v1/notifications")).status == 401
    bad = await client.put(
        "/api/v1/me/notification-preferences", json={"email": {"not_a_kind": True}}
    )
    assert bad.status == 422


async def test_requests_answers_and_action_items_are_notified(
    client: Client, make_client: MakeClient
) -> None:
    mentor = await open_mentor(client)
    mentee_client, mentee = await active_mentee(client, make_client, mentor["id"])
    mentor_news = (await (await client.get("/api/v1/notifications")).json())["notifications"]
    assert [n["kind"] for n in mentor_news] == ["mentorship_requested"]
    assert mentor_news[0]["title"] == "Mentee 0 asks you to mentor them"
    mentee_news = (await (await mentee_client.get("/api/v1/notifications")).json())["notifications"]
    assert [n["title"] for n in mentee_news] == ["Mona Mentor accepted your request"]

    slot = (await slots_of(mentee_client, mentor["id"]))[0]["starts_at"]
    session = (await (await book(mentee_client, mentor["id"], slot)).json())["session"]
    given = await client.post(
        f"/api/v1/sessions/{session['id']}/action-items",
        json={"title": "Draft the CV", "owner_id": mentee["id"]},
    )
    assert given.status == 201
    own = await client.post(
        f"/api/v1/sessions/{session['id']}/action-items",
        json={"title": "Send links", "owner_id": mentor["id"]},
    )
    assert own.status == 201
    kinds = [
        n["title"]
        for n in (await (await mentee_client.get("/api/v1/notifications")).json())["notifications"]
        if n["kind"] == "action_item_assigned"
    ]
    assert kinds == ["Mona Mentor gave you an action item: Draft the CV"]


async def test_open_streams_per_user_are_capped(client: Client) -> None:
    await signup(client, "tabs@example.org")
    streams = [await client.get("/api/v1/notifications/stream") for _ in range(10)]
    assert all(s.status == 200 for s in streams)
    refused = await client.get("/api/v1/notifications/stream")
    assert refused.status == 429
    assert (await refused.json())["error"]["code"] == "too_many_streams"
    for stream in streams:
        stream.close()


async def test_a_line_break_in_a_name_cannot_add_mail_headers(
    client: Client, make_client: MakeClient, inbox: tuple[Inbox, int]
) -> None:
    received, _ = inbox
    mentor = await open_mentor(client)
    sneaky = await make_client()
    await signup(sneaky, "eve@example.org", name="Eve\r\nBcc: victim@example.org")
    asked = await sneaky.post("/api/v1/mentorships", json={"mentor_id": mentor["id"]})
    assert asked.status == 201
    await client.put(
        "/api/v1/me/notification-preferences", json={"email": {"mentorship_requested": True}}
    )
    await sneaky.post("/api/v1/auth/logout", headers=JSON)
    again = await make_client()
    await signup(again, "eve2@example.org", name="Eve\nBcc: victim@example.org")
    await again.post("/api/v1/mentorships", json={"mentor_id": mentor["id"]})
    await client.app[keys.NOTIFIER].drain()
    (mail,) = received.to("mentor@example.org")
    assert [rcpt for rcpt, _ in received.messages] == [["mentor@example.org"]]
    assert mail["Bcc"] is None and "\n" not in mail["Subject"]
