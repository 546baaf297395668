"""Rendering pages: every template gets the user, a CSRF token and the flash message."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import aiohttp_jinja2
from aiohttp import web

from models.users import User
from server.auth import current_user
from web.forms import csrf_token, set_csrf_cookie


async def render(
    request: web.Request, template: str, context: dict[str, Any] | None = None, *, status: int = 200
) -> web.Response:
    """A page from `template`, with what every page needs in its context."""
    page = {
        "user": await current_user(request),
        "csrf_token": csrf_token(request),
        "path": request.path,
        **(context or {}),
    }
    response = aiohttp_jinja2.render_template(template, request, page, status=status)
    set_csrf_cookie(request, response)
    return response


async def error_page(request: web.Request, status: int, message: str) -> web.StreamResponse:
    """A readable error page in the site's layout."""
    return await render(
        request, "error.html", {"status": status, "message": message}, status=status
    )


def redirect(location: str) -> web.HTTPSeeOther:
    """A See Other after a successful form post."""
    return web.HTTPSeeOther(location)


async def page_user(request: web.Request) -> User:
    """The logged-in user; anyone else is sent to the log-in page and brought back after."""
    user = await current_user(request)
    if user is None:
        raise web.HTTPSeeOther(f"/login?next={quote(request.path_qs, safe='/')}")
    return user
