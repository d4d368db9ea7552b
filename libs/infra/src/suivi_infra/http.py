"""FastAPI routes whose JSON request bodies are parsed as RFC 8259 JSON only."""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.routing import APIRoute

from suivi_schemas import strict_json


class StrictJSONRequest(Request):
    """`json()` by `suivi_schemas.strict_json`: NaN, Infinity and 1e999 are malformed."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            try:
                self._json = strict_json.loads(body)
            except ValueError as exc:
                # FastAPI turns JSONDecodeError into a RequestValidationError: the app's 400.
                text = body.decode("utf-8", "replace")
                raise json.JSONDecodeError(str(exc), text, 0) from None
        return self._json


class StrictJSONRoute(APIRoute):
    """Set as `app.router.route_class` before declaring routes; Starlette's `json.loads`
    would take NaN, Infinity and numbers that overflow a float."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict(request: Request) -> Response:
            return await handler(StrictJSONRequest(request.scope, request.receive))

        return strict


def document_400_not_422(app: FastAPI) -> None:
    """The app answers invalid requests 400 (its RequestValidationError handler): its OpenAPI
    document says so instead of FastAPI's default 422."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            for operations in schema["paths"].values():
                for operation in operations.values():
                    responses = operation.setdefault("responses", {})
                    if responses.pop("422", None) is not None:
                        responses.setdefault("400", {"description": "Invalid request."})
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
