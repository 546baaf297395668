"""Layout: whole cards in card lists, a one-line phone header, a compact dashboard."""

from __future__ import annotations

from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, expect

from tests.e2e.conftest import Account, api_post, page_as, sign_up
from tests.e2e.people import api_call, mentor_and_mentee


async def _weekly_office_hours(server: TestServer, host: Account) -> None:
    await api_post(
        server,
        host,
        "/api/v1/office-hours",
        {
            "title": "Career Q&A",
            "starts_at": "2031-03-05T18:00:00+01:00",
            "duration_minutes": 60,
            "capacity": 10,
            "admission": "open",
            "recurrence": {"weekly_until": "2031-03-26"},
        },
    )


async def test_list_cards_keep_their_padding_and_every_border(
    browser: Browser, live_server: TestServer
) -> None:
    for n in range(2):
        await sign_up(live_server, f"m{n}@example.org", f"Mentor {n}", "mentor")
    mentee = await sign_up(live_server, "me@example.org", "Mentee", "mentee")
    context, page = await page_as(browser, live_server, mentee)
    await page.goto("/mentors")
    cards = page.locator("li.card")
    await expect(cards).to_have_count(2)
    style = await cards.last.evaluate(
        "el => { const s = getComputedStyle(el);"
        " return [s.paddingLeft, s.borderBottomWidth, s.borderLeftWidth]; }"
    )
    assert style[0] != "0px" and style[1] == "1px" and style[2] == "1px", style
    await context.close()


async def test_phone_header_keeps_the_nav_on_one_line(
    browser: Browser, live_server: TestServer
) -> None:
    person = await sign_up(live_server, "p@example.org", "Priyanka Raghunathan", "mentee")
    context, page = await page_as(browser, live_server, person)
    await page.set_viewport_size({"width": 390, "height": 844})
    for path in ("/dashboard", "/mentors", "/profile"):
        await page.goto(path)
        links = page.locator(".site-header nav a")
        await expect(links).to_have_count(4)
        tops = {round((await links.nth(i).bounding_box() or {"y": 0})["y"]) for i in range(4)}
        assert len(tops) == 1, f"{path}: nav items on {len(tops)} lines"
        brand = await page.locator(".brand").bounding_box()
        nav = await page.locator(".site-header nav").bounding_box()
        assert brand and nav and nav["y"] >= brand["y"] + brand["height"] - 1
        logout = await page.get_by_role("button", name="Log out").bounding_box()
        assert logout and logout["x"] + logout["width"] <= 390
        assert await page.evaluate("document.documentElement.scrollWidth") <= 390
        nav_fits = "(n => n.scrollWidth <= n.clientWidth)(document.querySelector('header nav'))"
        assert await page.evaluate(nav_fits), f"{path}: the nav does not fit"
    await context.close()


async def test_dashboard_shows_a_weekly_series_once(
    browser: Browser, live_server: TestServer
) -> None:
    mentor = await sign_up(live_server, "host@example.org", "Host", "mentor")
    await _weekly_office_hours(live_server, mentor)
    context, page = await page_as(browser, live_server, mentor)
    await page.goto("/dashboard")
    sessions = page.locator("section[aria-labelledby=upcoming] li")
    await expect(sessions).to_have_count(1)
    await expect(sessions).to_contain_text("weekly: 3 more after this")
    await context.close()


async def test_a_meetup_suggestion_goes_once_a_meetup_is_planned(
    browser: Browser, live_server: TestServer
) -> None:
    mentor, mentee, _ = await mentor_and_mentee(live_server)
    for who, city in ((mentor, "Berlin"), (mentee, "Potsdam")):
        await api_call(
            live_server,
            who,
            "PATCH",
            "/api/v1/me",
            {"city": city, "country": "DE", "open_to_meetups": True, "max_travel_km": 60},
        )
    context, page = await page_as(browser, live_server, mentee)
    await page.goto("/dashboard")
    suggestion = page.locator("#meet li", has_text="Mira Mentor")
    await expect(suggestion.get_by_role("button", name="Propose")).to_be_visible()
    await suggestion.get_by_role("button", name="Propose").click()
    await expect(page.get_by_role("heading", name="Your meetups")).to_be_visible()
    await expect(page.get_by_role("heading", name="Suggestions")).to_have_count(0)
    await expect(page.get_by_role("button", name="Propose")).to_have_count(0)
    await context.close()
