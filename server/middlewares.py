"""Cross-cutting request handling: error shapes, API CSRF defence, security headers."""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus

from aiohttp import web
from aiohttp.typedefs import Handler

from models.database import is_busy
from server.errors import ApiError, error_response

log = logging.getLogger(__name__)

# Renders an error as an HTML page: installed by the web package.
ErrorPage = Callable[[web.Request, int, str], Awaitable[web.StreamResponse]]
ERROR_PAGE: web.AppKey[ErrorPage] = web.AppKey("error_page")

_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob: mediastream:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def _is_api(request: web.Request) -> bool:
    return request.path.startswith("/api/")


def _code_for(status: int) -> str:
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        return "error"


def _standalone_page(status: int, message: str) -> web.Response:
    """An error page that needs nothing (the site's layout looks up the user in the database)."""
    title = html.escape(f"{status} {_code_for(status).replace('_', ' ').capitalize()}")
    body = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title} · Tandem</title></head><body><main><h1>{title}</h1>"
        f'<p>{html.escape(message)}</p><p><a href="/">Try again</a></p></main></body></html>'
    )
    return web.Response(status=status, text=body, content_type="text/html")


async def _render(
    request: web.Request,
    status: int,
    code: str,
    message: str,
    headers: dict[str, str] | None = None,
    *,
    database_down: bool = False,
) -> web.StreamResponse:
    page = request.app.get(ERROR_PAGE)
    if _is_api(request) or request.path.startswith("/ws/") or page is None:
        return error_response(status, code, message, headers=headers)
    if database_down:
        response: web.StreamResponse = _standalone_page(status, message)
    else:
        try:
            response = await page(request, status, message)
        except Exception as exc:
            if not is_busy(exc):
                log.exception("the error page failed on %s %s", request.method, request.path)
            response = _standalone_page(status, message)
    response.headers.update(headers or {})
    return response


def _client_gone(request: web.Request) -> bool:
    transport = request.transport
    return transport is None or transport.is_closing()


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every failure becomes a clear 4xx or 503 (JSON on the API, else a page); never a bare 500."""
    try:
        return await handler(request)
    except ApiError as exc:
        if _is_api(request):
            return exc.response()
        # A page has no form field to point at, so it names the bad fields in the message.
        details = "; ".join(f"{name}: {why}" for name, why in (exc.fields or {}).items())
        message = f"{exc.message} {details}".strip()
        return await _render(request, exc.status, exc.code, message, exc.headers)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        message = exc.text if exc.text and not exc.text.startswith(str(exc.status)) else exc.reason
        if exc.status == 413:
            message = "The request body is too large."
        return await _render(request, exc.status, _code_for(exc.status), message)
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        if isinstance(exc, ConnectionResetError) and _client_gone(request):
            raise  # the browser left; there is no one to answer
        if is_busy(exc):
            log.warning(
                "database busy or unreachable for %s %s: %r", request.method, request.path, exc
            )
            message = "We are very busy right now. Please try again in a few seconds."
            headers = {"Retry-After": "5"}
            return await _render(request, 503, "busy", message, headers, database_down=True)
        log.exception("unhandled error on %s %s", request.method, request.path)
        return await _render(request, 500, "internal_error", "Something went wrong on our side.")


@web.middleware
async def api_csrf_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Cookie-authenticated API writes must be JSON, which a cross-site form cannot send."""
    is_write = _is_api(request) and request.method in _UNSAFE
    if is_write and request.content_type != "application/json":
        raise ApiError(
            415, "json_required", "Send API requests with Content-Type: application/json."
        )
    return await handler(request)


async def add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """Headers every response carries (an `on_response_prepare` signal, so static files too)."""
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault(
        "Permissions-Policy", "camera=(self), microphone=(self), display-capture=(self)"
    )
