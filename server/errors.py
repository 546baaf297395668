"""The one error shape of the JSON API: {"error": {"code", "message", "fields"?}}."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound=BaseModel)


class ApiError(Exception):
    """An error a client caused, carried up to the middleware that renders it."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        fields: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields
        self.headers = headers or {}

    def response(self) -> web.Response:
        """The error as a JSON response."""
        return error_response(self.status, self.code, self.message, self.fields, self.headers)


def error_response(
    status: int,
    code: str,
    message: str,
    fields: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> web.Response:
    """A JSON error response in the API's one shape."""
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return web.json_response({"error": body}, status=status, headers=headers)


def not_found(what: str = "resource") -> ApiError:
    """A 404 that says what was not found and nothing else."""
    return ApiError(404, "not_found", f"No such {what}.")


def field_errors(exc: ValidationError) -> dict[str, str]:
    """Pydantic's errors as {"field.path": "message"}, first message per field."""
    fields: dict[str, str] = {}
    for err in exc.errors():
        name = ".".join(str(p) for p in err["loc"]) or "body"
        message = err["msg"].removeprefix("Value error, ")
        fields.setdefault(name, message)
    return fields


def validate(model: type[Model], data: Any) -> Model:
    """`data` validated into `model`, or a 422 naming every bad field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ApiError(
            422, "validation_error", "Some fields are not valid.", fields=field_errors(exc)
        ) from None


async def read_json(request: web.Request, model: type[Model]) -> Model:
    """The request body parsed as JSON and validated into `model`."""
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise ApiError(413, "body_too_large", "The request body is too large.") from None
    try:
        data = json.loads(raw or b"{}")
    except (ValueError, RecursionError):
        # ValueError covers bad syntax, bad UTF-8 and integers past Python's 4,300-digit limit;
        # RecursionError, nesting deeper than the parser goes.
        raise ApiError(400, "invalid_json", "The request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json", "The request body must be a JSON object.")
    return validate(model, data)


def refuse_if_over(starts_at: datetime, duration_minutes: int, now: datetime) -> None:
    """Refuse a time that is already over: it is almost always a mistyped date or AM/PM, and
    booking it would only show "this session has ended" later."""
    if starts_at + timedelta(minutes=duration_minutes) <= now:
        raise ApiError(
            422,
            "validation_error",
            "That time is already over.",
            fields={"starts_at": "Pick a time that has not passed yet."},
        )
