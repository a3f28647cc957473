"""Make each API's OpenAPI document tell the truth about its errors.

FastAPI documents a 422 validation error with its own body; foxden answers 400 (and 401, 403,
404, 413, 500) with the API's error body instead. The documents are fuzzed by schemathesis, which
holds every response to the status codes and schemas documented here.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

_DESCRIPTIONS = {
    400: "Bad request: some parameters are missing or their value is not valid.",
    401: "Authentication credentials were not present or are invalid.",
    403: "Access denied with these credentials.",
    404: "Resource not found.",
    405: "Method not allowed.",
    413: "Request body too large.",
    500: "An unexpected error occurred.",
}


def document_errors(app: FastAPI, error: type[BaseModel]) -> None:
    """Replace FastAPI's 422 by the API's own error responses on every operation."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                servers=app.servers,
            )
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            schemas.pop("HTTPValidationError", None)
            schemas.pop("ValidationError", None)
            schemas[error.__name__] = error.model_json_schema()
            for operations in document.get("paths", {}).values():
                for operation in operations.values():
                    _require_together(operation)
                    _add_errors(operation, error.__name__)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _require_together(operation: dict[str, Any]) -> None:
    """One requirement naming every scheme: FastAPI lists each as an alternative, but an
    operation needs all the credentials it depends on (Soracom's API key *and* token)."""
    if operation.get("security"):
        operation["security"] = [
            {
                name: scopes
                for requirement in operation["security"]
                for name, scopes in requirement.items()
            }
        ]


def _add_errors(operation: dict[str, Any], schema_name: str) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    responses.pop("422", None)
    statuses = [400, 404, 405, 500]
    if operation.get("security"):
        statuses += [401, 403]
    if "requestBody" in operation:
        statuses.append(413)
    body = {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}}
    for status in sorted(statuses):
        responses.setdefault(str(status), {"description": _DESCRIPTIONS[status]})
        responses[str(status)].setdefault("content", body)
