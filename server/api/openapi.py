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


def build_openapi(operations: list[Operation]) -> dict[str, Any]:
    """An OpenAPI 3.1 document describing `operations`."""
    paths: dict[str, dict[str, Any]] = {}
    schemas: dict[str, Any] = {"Error": _ERROR_SCHEMA}
    for op in operations:
        spec: dict[str, Any] = {
            "summary": op.summary,
            "tags": [op.tag],
            "operationId": f"{op.tag}_{op.handler.__name__}",
            "responses": {
                str(op.status): {"description": "Success"},
                "4XX": {
                    "description": "Client error",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                },
            },
        }
        params = re.findall(r"{(\w+)}", op.path)
        if params:
            spec["parameters"] = [
                {"name": p, "in": "path", "required": True, "schema": {"type": "integer"}}
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
