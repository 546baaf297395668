"""API route tables that also describe themselves for the OpenAPI document."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import web
from pydantic import BaseModel

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

PREFIX = "/api/v1"


@dataclass(frozen=True)
class Operation:
    """One API route and what the OpenAPI document says about it."""

    method: str
    path: str
    handler: Handler
    summary: str
    body: type[BaseModel] | None
    status: int
    tag: str
    auth: bool


@dataclass
class ApiRoutes:
    """The routes of one API area, registered with a decorator."""

    tag: str
    operations: list[Operation] = field(default_factory=list)

    def route(
        self,
        method: str,
        path: str,
        summary: str,
        *,
        body: type[BaseModel] | None = None,
        status: int = 200,
        auth: bool = True,
    ) -> Callable[[Handler], Handler]:
        """Register `handler` at PREFIX + path."""

        def register(handler: Handler) -> Handler:
            self.operations.append(
                Operation(method, PREFIX + path, handler, summary, body, status, self.tag, auth)
            )
            return handler

        return register

    def add_to(self, app: web.Application) -> None:
        """Add every route to the app's router."""
        for op in self.operations:
            app.router.add_route(op.method, op.path, op.handler)
