"""The access log: one line per request, paths only, so a join token never reaches a log file."""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger


class RequestLog(AbstractAccessLogger):
    """One line per request, except static files (a page load fetches a dozen); paths only,
    never query strings, which may carry join tokens."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        if request.path.startswith("/static/") or not self.logger.isEnabledFor(logging.INFO):
            return
        self.logger.info(
            "%s %s %s %s %.0f ms",
            request.remote,
            request.method,
            request.path,
            response.status,
            time * 1000,
        )
