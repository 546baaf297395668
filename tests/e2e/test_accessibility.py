"""Every page passes axe-core's checks with no serious or critical violation: logged out and
logged in (a mentee and a mentor of the demo data), on a laptop and on a phone, including the
call screens before joining, in the call, in the lobby and after leaving."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, Page, ViewportSize, expect

from server.demo import DEMO_PASSWORD, load_demo
from server.settings import Settings
from tests.e2e.conftest import Account, api_post, new_page

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
SIZES = {
    "desktop": ViewportSize(width=1280, height=800),
    "phone": ViewportSize(width=390, height=844),
}
# The serious and critical violations on the page, with a few of the elements at fault.
AXE_RUN = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} -> ${v.nodes.slice(0, 4)
      .map((n) => n.target.join(" ")).join(" | ")}`);
}"""


async def _log_in(server: TestServer, email: str) -> Account:
    async with aiohttp.ClientSession() as http:
        response = await http.post(
            server.make_url("/api/v1/auth/login"),
            json={"email": email, "password": DEMO_PASSWORD},
        )
        assert response.status == 200, await response.text()
        user = (await response.json())["user"]
        return Account(user["id"], response.cookies["tandem_session"].value)


async def _get(server: TestServer, who: Account, path: str) -> Any:
    async with aiohttp.ClientSession(cookies={"tandem_session": who.cookie}) as http:
        response = await http.get(server.make_url(path))
        assert response.status == 200, await response.text()
        return await response.json()


class Audit:
    """Visits pages in one browser profile and collects what axe finds on each."""

    def __init__(self, page: Page, label: str) -> None:
        self.page = page
        self.label = label
        self.found: list[str] = []

    async def check(self, what: str) -> None:
        await self.page.add_script_tag(path=AXE)
        for violation in await self.page.evaluate(AXE_RUN):
            self.found.append(f"{self.label} {what}: {violation}")

    async def visit(
        self, path: str, ready: Callable[[Page], Awaitable[None]] | None = None
    ) -> None:
        await self.page.goto(path)
        if ready is not None:
            await ready(self.page)
        await self.check(path)


async def _prejoin_ready(page: Page) -> None:
    await expect(page.locator("#join-button")).to_be_enabled()


@pytest.mark.parametrize("size", SIZES)
async def test_no_serious_accessibility_violations(
    browser: Browser, live_server: TestServer, settings: Settings, size: str
) -> None:
    await load_demo(settings)
    leo = await _log_in(live_server, "leo@demo.tandem")  # a mentee
    maya = await _log_in(live_server, "maya@demo.tandem")  # his mentor, hosting office hours
    sessions = {
        s["title"]: s["id"] for s in (await _get(live_server, leo, "/api/v1/sessions"))["sessions"]
    }
    meetup = await api_post(
        live_server,
        leo,
        "/api/v1/meetups",
        {
            "participant_ids": [maya.user_id],
            "place": {"name": "Potsdam", "country": "DE"},
            "starts_at": (datetime.now(UTC) + timedelta(days=3)).isoformat(),
        },
        expected=(201,),
    )
    found: list[str] = []

    context, page = await new_page(browser, live_server, viewport=SIZES[size], bypass_csp=True)
    audit = Audit(page, f"[{size}, logged out]")
    for path in ("/", "/login", "/signup", "/no-such-page"):
        await audit.visit(path)
    found += audit.found
    await context.close()

    for who, name in ((leo, "mentee"), (maya, "mentor")):
        context, page = await new_page(browser, live_server, viewport=SIZES[size], bypass_csp=True)
        await context.add_cookies(
            [{"name": "tandem_session", "value": who.cookie, "url": str(live_server.make_url("/"))}]
        )
        audit = Audit(page, f"[{size}, {name}]")
        for path in (
            "/dashboard",
            "/mentors",
            "/office-hours",
            "/profile",
            "/settings/password",
            f"/users/{maya.user_id if who is leo else leo.user_id}",
            f"/sessions/{sessions['Weekly session']}",
            f"/sessions/{sessions['Weekly session']}/export",
            f"/sessions/{sessions['Goal review']}/room",  # not open yet
            f"/meetups/{meetup['meetup']['id']}",
        ):
            await audit.visit(path)
        found += audit.found
        await context.close()
    found += await _call_screens(browser, live_server, size, leo, maya, sessions)
    assert not found, "\n".join(found)


async def _call_screens(
    browser: Browser,
    server: TestServer,
    size: str,
    leo: Account,
    maya: Account,
    sessions: dict[str, int],
) -> list[str]:
    """The 1:1 call (pre-join, in the call, after leaving) and office hours (the mentee in the
    lobby, then in the call; the host before and after letting them in)."""
    office_hours = next(
        s["id"]
        for s in (await _get(server, maya, "/api/v1/sessions"))["sessions"]
        if s["title"] == "Backend career Q&A"
    )
    pages = []
    for who, name in ((leo, "mentee"), (maya, "mentor")):
        context, page = await new_page(browser, server, viewport=SIZES[size], bypass_csp=True)
        await context.add_cookies(
            [{"name": "tandem_session", "value": who.cookie, "url": str(server.make_url("/"))}]
        )
        pages.append((context, Audit(page, f"[{size}, {name}]")))
    (leo_ctx, leo_audit), (maya_ctx, maya_audit) = pages

    await leo_audit.visit(f"/sessions/{sessions['Weekly session']}/room", _prejoin_ready)
    await leo_audit.page.get_by_role("button", name="Join the call").click()
    await expect(leo_audit.page.locator("#call-waiting")).to_be_visible()
    await leo_audit.check("1:1 call, alone")
    await leo_audit.page.get_by_role("button", name="Leave").click()
    await expect(leo_audit.page.get_by_role("button", name="Join again")).to_be_visible()
    await leo_audit.check("1:1 call, after leaving")

    await maya_audit.visit(f"/sessions/{office_hours}/room", _prejoin_ready)
    await maya_audit.page.get_by_role("button", name="Join office hours").click()
    await expect(maya_audit.page.locator("#call-waiting")).to_be_visible()
    await leo_audit.visit(f"/sessions/{office_hours}/room", _prejoin_ready)
    await leo_audit.page.get_by_role("button", name="Join office hours").click()
    await expect(leo_audit.page.locator("#lobby-status")).to_contain_text("in line")
    await leo_audit.check("office hours, in the lobby")
    await expect(maya_audit.page.locator("#lobby-list li")).to_have_count(1)
    await maya_audit.check("office hours, hosting with someone in the lobby")
    await maya_audit.page.get_by_role("button", name="Admit everyone").click()
    await expect(leo_audit.page.locator("#call")).to_be_visible()
    await expect(maya_audit.page.locator("#grid .tile")).to_have_count(1)
    await leo_audit.page.get_by_role("button", name="Raise hand").click()
    await leo_audit.check("office hours, attending")
    await expect(maya_audit.page.locator("#people button", has_text="Lower hand")).to_be_visible()
    await maya_audit.check("office hours, hosting")
    found = leo_audit.found + maya_audit.found
    await leo_ctx.close()
    await maya_ctx.close()
    return found
