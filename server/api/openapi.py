"""The OpenAPI 3 document, built from the route tables and their pydantic models."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from server.api.routing import Handler, Operation

_ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        }
    },
}


_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
# Media types of the few routes that answer something other than JSON, by path suffix.
_NOT_JSON = {
    ".ics": "text/calendar",
    "export.md": "text/markdown",
    "/stream": "text/event-stream",
}


def _responses(op: Operation) -> dict[str, Any]:
    """What `op` may answer: its success, client errors and 503 busy, each with its body."""
    success: dict[str, Any] = {"description": "Success"}
    if op.status != 204:
        media = next((m for end, m in _NOT_JSON.items() if op.path.endswith(end)), None)
        # A stream's schema describes each server-sent event; other non-JSON bodies are text.
        textual = media is not None and media != "text/event-stream"
        schema = {"type": "string"} if textual else {"type": "object"}
        success["content"] = {media or "application/json": {"schema": schema}}
    return {
        str(op.status): success,
        "4XX": {"description": "Client error", "content": _ERROR},
        "503": {
            "description": "Busy: the database had no connection free in time or is unreachable",
            "headers": {"Retry-After": {"schema": {"type": "string"}}},
            "content": _ERROR,
        },
    }


def build_openapi(operations: list[Operation]) -> dict[str, Any]:
    """An OpenAPI 3.1 document describing `operations`."""
    paths: dict[str, dict[str, Any]] = {}
    schemas: dict[str, Any] = {"Error": _ERROR_SCHEMA}
    for op in operations:
        spec: dict[str, Any] = {
            "summary": op.summary,
            "tags": [op.tag],
            "operationId": f"{op.tag}_{op.handler.__name__}",
            "responses": _responses(op),
        }
        params = re.findall(r"{(\w+)}", op.path)
        if params:
            spec["parameters"] = [
                {
                    "name": p,
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
                }
                for p in params
            ]
        if op.body is not None:
            schema = op.body.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas.update(schema.pop("$defs", {}))
            schemas[op.body.__name__] = schema
            spec["requestBody"] = {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {"$ref": f"#/components/schemas/{op.body.__name__}"}
                    }
                },
            }
        if op.auth:
            spec["security"] = [{"cookie": []}]
        paths.setdefault(op.path, {})[op.method.lower()] = spec
    return {
        "openapi": "3.1.0",
        "info": {"title": "Tandem API", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "cookie": {"type": "apiKey", "in": "cookie", "name": "tandem_session"}
            },
        },
    }


def openapi_handler(operations: list[Operation]) -> Handler:
    """A handler serving the document, built once."""
    document = build_openapi(operations)

    async def handler(request: web.Request) -> web.Response:
        return web.json_response(document)

    return handler
