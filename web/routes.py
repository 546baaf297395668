"""The pages' routes, templates and static files."""

from __future__ import annotations

from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from server.middlewares import ERROR_PAGE
from web.rendering import error_page
from web.template_filters import FILTERS
from web.views import (
    accounts,
    admin_matching,
    availability,
    booking,
    dashboard,
    export,
    meetups,
    mentoring,
    notifications,
    office_hours,
    programme,
    progress,
    room,
    sessions,
)

WEB_DIR = Path(__file__).parent


def setup_web(app: web.Application) -> None:
    """Templates (autoescaped), page routes and /static."""
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(WEB_DIR / "templates"),
        autoescape=jinja2.select_autoescape(default=True),
    )
    env.filters.update(FILTERS)
    app[ERROR_PAGE] = error_page
    r = app.router
    r.add_get("/", dashboard.landing)
    r.add_get("/signup", accounts.signup_page)
    r.add_post("/signup", accounts.signup_submit)
    r.add_get("/login", accounts.login_page)
    r.add_post("/login", accounts.login_submit)
    r.add_post("/logout", accounts.logout_submit)
    r.add_get("/dashboard", dashboard.dashboard)
    r.add_get("/profile", accounts.profile_page)
    r.add_post("/profile", accounts.profile_submit)
    r.add_get("/settings/password", accounts.password_page)
    r.add_post("/settings/password", accounts.password_submit)
    r.add_get("/users/{user_id}", dashboard.public_profile)
    r.add_get("/mentors", mentoring.mentors_page)
    r.add_get("/mentors/{mentor_id}/book", booking.booking_page)
    r.add_post("/mentors/{mentor_id}/book", booking.booking_submit)
    r.add_get("/availability", availability.availability_page)
    r.add_post("/availability", availability.availability_submit)
    r.add_get("/notifications", notifications.notifications_page)
    r.add_post("/notifications/read", notifications.read_submit)
    r.add_post("/notifications/preferences", notifications.preferences_submit)
    r.add_post("/notifications/calendar-feed/rotate", notifications.rotate_feed_submit)
    r.add_get("/admin/matching", admin_matching.matching_page)
    r.add_post("/admin/matching/send", admin_matching.send_submit)
    r.add_post("/meetups/propose", meetups.propose_submit)
    r.add_post("/meetups/{meetup_id}/answer", meetups.answer_submit)
    r.add_get("/meetups/{meetup_id}", meetups.meetup_page)
    r.add_post("/meetups/{meetup_id}/reschedule", meetups.reschedule_submit)
    r.add_post("/meetups/{meetup_id}/rsvp", meetups.rsvp_submit)
    r.add_post("/meetups/{meetup_id}/check-in", meetups.check_in_submit)
    r.add_get("/office-hours", office_hours.office_hours_page)
    r.add_post("/office-hours", office_hours.create_submit)
    r.add_post("/office-hours/{office_hours_id}/registration", office_hours.register_submit)
    r.add_post("/users/{user_id}/mentorship", mentoring.ask_mentor_submit)
    r.add_post("/mentorships/{mentorship_id}/decision", mentoring.decide_submit)
    r.add_post("/sessions/new", mentoring.schedule_submit)
    r.add_get("/sessions/{session_id}", sessions.session_page)
    r.add_post("/sessions/{session_id}/reschedule", booking.reschedule_submit)
    r.add_post("/sessions/{session_id}/cancel", booking.cancel_submit)
    r.add_get("/sessions/{session_id}/export", export.printable_page)
    r.add_get("/sessions/{session_id}/room", room.room_page)
    r.add_post("/sessions/{session_id}/answer", sessions.answer_request_submit)
    r.add_get("/mentorships/{mentorship_id}/progress", progress.progress_page)
    r.add_post("/mentorships/{mentorship_id}/goals", progress.goal_submit)
    r.add_post("/milestones/{milestone_id}", progress.milestone_submit)
    r.add_post("/sessions/{session_id}/feedback", progress.check_in_submit)
    r.add_get("/admin/programme", programme.programme_page)
    r.add_post("/admin/mentorships/{mentorship_id}/end", programme.end_submit)
    r.add_post("/admin/users/{user_id}/suspend", programme.suspend_submit)
    static = r.add_static("/static", WEB_DIR / "static", name="static", append_version=True)
    # Versioned URLs: browsers may cache static files for as long as they like.
    env.globals["static"] = lambda path: str(static.url_for(filename=path))
