"""Path parameters as the API and the pages both read them."""

from aiohttp import web

from server.errors import not_found


def int_param(request: web.Request, name: str) -> int:
    """A numeric path parameter; anything else is simply not found."""
    raw = request.match_info[name]
    if not raw.isdigit() or len(raw) > 12:
        raise not_found()
    return int(raw)
