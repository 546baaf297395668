"""Live notes on the session page: a browser and another participant type at the same moment."""

from __future__ import annotations

import asyncio
import base64
import json
import re

from aiohttp import ClientSession
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, expect
from pycrdt import Doc, Text

from tests.e2e.conftest import PASSWORD, api_post, new_page, sign_up


async def test_browser_and_python_client_type_together(
    browser: Browser, live_server: TestServer
) -> None:
    nora = await sign_up(live_server, "np@example.org", "Nora", "mentee")
    mentor = await sign_up(live_server, "nm@example.org", "Max", "mentor")
    created = await api_post(
        live_server,
        mentor,
        "/api/v1/sessions",
        {
            "title": "Notes",
            "starts_at": "2031-01-01T10:00:00Z",
            "duration_minutes": 30,
            "participant_ids": [nora.user_id],
        },
    )
    session_id = created["session"]["id"]
    await api_post(live_server, nora, f"/api/v1/sessions/{session_id}/accept", {})

    base = str(live_server.make_url("/"))
    async with ClientSession(base, cookies={"tandem_session": nora.cookie}) as mentee:
        context, page = await new_page(browser, live_server)
        await page.goto(f"/login?next=/sessions/{session_id}")
        await page.get_by_label("E-mail").fill("nm@example.org")
        await page.get_by_label("Password").fill(PASSWORD)
        await page.get_by_role("button", name="Log in").click()
        await expect(page.locator("[data-notes-status]")).to_contain_text("Live")

        ws = await mentee.ws_connect(f"/ws/sessions/{session_id}/notes")
        await ws.send_json({"type": "join"})
        doc: Doc[Text] = Doc(client_id=77)
        text = doc.get("notes", type=Text)

        async def python_types() -> None:
            text.insert(0, "From Nora. ")
            await ws.send_json(
                {
                    "type": "notes-update",
                    "doc": "shared",
                    "seq": 1,
                    "update": base64.b64encode(doc.get_update()).decode(),
                }
            )

        shared = page.get_by_label("Shared notes")
        await asyncio.gather(
            shared.press_sequentially("From Max <script>x</script>. "), python_types()
        )
        # The browser shows both texts...
        await expect(shared).to_have_value(
            re.compile(r"(?=.*From Nora\. )(?=.*From Max <script>x</script>\. )")
        )
        # ...and the Python client converges to the very same text.
        async with asyncio.timeout(10):
            while True:
                msg = json.loads((await ws.receive()).data)
                if msg["type"] == "notes-update":
                    doc.apply_update(base64.b64decode(msg["update"]))
                if msg["type"] == "ping":
                    await ws.send_json({"type": "pong"})
                if str(text) == await shared.input_value():
                    break
        await expect(page.locator("[data-notes-typing]")).to_have_text("")

        # A line of the notes becomes an action item on the dashboard.
        await shared.press("End")
        await shared.press_sequentially("\nSend the CV to Nora")
        await page.get_by_role("button", name="Make the current line an action item").click()
        await expect(page.locator("#action-due")).to_be_focused()
        await page.keyboard.type("01052031")
        await page.locator("[data-actions-add]").get_by_role("button", name="Add").click()
        await expect(page.locator("[data-actions-status]")).to_contain_text("Action item added")
        await page.goto("/dashboard")
        await expect(page.get_by_text("Send the CV to Nora")).to_be_visible()
        await ws.close()
        await context.close()
