"""Path parameters as the API, the pages and the room sockets all read them."""

from aiohttp import web

from server.errors import not_found
from server.schemas import MAX_ID


def parse_id(raw: str) -> int | None:
    """An id from a path segment: ASCII digits only (so not "²" or "٣") and within 64 bits."""
    if not raw.isascii() or not raw.isdigit() or len(raw) > 19:
        return None
    value = int(raw)
    return value if 0 < value <= MAX_ID else None


def int_param(request: web.Request, name: str) -> int:
    """A numeric path parameter; anything else is simply not found."""
    value = parse_id(request.match_info[name])
    if value is None:
        raise not_found()
    return value
