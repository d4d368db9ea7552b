"""The HTTP edge every service shares: ops routes, the error body and its handlers, RFC 8259
JSON bodies, and OpenAPI documents that say 400 where FastAPI would say 422."""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from suivi_infra.startup import TRANSIENT
from suivi_schemas import strict_json

JSON = "application/json"
Ready = Callable[[], Awaitable[bool]]
_HTTP_ERRORS = {404: "not_found", 405: "method_not_allowed"}


class ErrorBody(BaseModel):
    """Every refusal's body: a stable code to branch on, and a detail for people."""

    error: str
    detail: str


def error_response(
    status: int, error: str, detail: str, headers: Mapping[str, str] | None = None
) -> Response:
    """An `ErrorBody` answer (non-ASCII kept as is: a detail may quote a name in any script)."""
    body = json.dumps({"error": error, "detail": detail}, ensure_ascii=False).encode()
    return Response(body, status_code=status, media_type=JSON, headers=headers)


def documented(answers: Mapping[int, str]) -> dict[int | str, dict[str, Any]]:
    """`responses=` of a route: {status: description}, each answered with an `ErrorBody`."""
    return {code: {"model": ErrorBody, "description": text} for code, text in answers.items()}


def ops_router(
    ready: Ready,
    *,
    not_ready: str,
    ready_summary: str = "Ready to serve",
    retry_after: int | None = None,
    include_in_schema: bool = True,
) -> APIRouter:
    """`/healthz` (the process answers) and `/readyz` (200 when `ready()`, else 503 `not_ready`
    saying what does not answer, with Retry-After when given). /metrics is not among them: it
    is served off the public port (`suivi_infra.metrics.metrics_server`)."""
    router = APIRouter(tags=["operations"], include_in_schema=include_in_schema)
    retry = {"Retry-After": str(retry_after)} if retry_after is not None else None

    @router.get("/healthz", summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary=ready_summary, responses=documented({503: f"{not_ready}."}))
    async def readyz() -> Response:
        if await ready():
            return Response(b'{"status":"ready"}', media_type=JSON)
        return error_response(503, "not_ready", not_ready, retry)

    return router


def invalid_places(exc: RequestValidationError) -> str:
    """Which fields or parameters are wrong, never their values (they may be personal data)."""
    places = sorted({".".join(str(p) for p in e.get("loc", ())) for e in exc.errors()})
    return "invalid or missing: " + ", ".join(places)


def install_error_handlers(
    app: FastAPI, log: logging.Logger, *, unexpected: str = "unexpected error"
) -> None:
    """Every error as an `ErrorBody`: an invalid request is 400 (see `document_400_not_422`),
    HTTP errors keep their status (404 `not_found`, 405 `method_not_allowed`), anything else is
    a 500 `internal_error` logged by type and place only (messages may quote payloads)."""

    async def invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return error_response(400, "invalid_request", invalid_places(exc))

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        error = _HTTP_ERRORS.get(exc.status_code, "http_error")
        return error_response(exc.status_code, error, str(exc.detail), exc.headers)

    async def internal(request: Request, exc: Exception) -> Response:
        where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
        place = f"{where.filename}:{where.lineno}" if where else "?"
        log.error("unexpected %s at %s on %s", type(exc).__name__, place, request.url.path)
        return error_response(500, "internal_error", unexpected)

    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, internal)


def answer_unavailable(
    app: FastAPI,
    *,
    detail: str = "a dependency is not answering; retry later",
    retry_after: int = 5,
    headers: Mapping[str, str] | None = None,
    failures: tuple[type[Exception], ...] = TRANSIENT,
    page: Callable[[Request], Response | None] | None = None,
) -> None:
    """What a dependency that went away raises mid-request (PostgreSQL restarting, a connection
    cut: `suivi_infra.startup.TRANSIENT`) is answered 503 `unavailable` with Retry-After, never
    500: the same request succeeds once it is back. `page(request)`: the 503 a person's HTML
    page answers instead of the JSON body (None: not such a page); it gets the same headers."""
    answer = {"Retry-After": str(retry_after), **(headers or {})}

    async def unavailable(request: Request, exc: Exception) -> Response:
        shown = page(request) if page is not None else None
        if shown is None:
            return error_response(503, "unavailable", detail, answer)
        shown.headers.update(answer)
        return shown

    for failure in failures:
        app.add_exception_handler(failure, unavailable)


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


def offline_api(**kwargs: Any) -> FastAPI:
    """A FastAPI app whose /docs (Swagger UI) and /redoc (ReDoc) load their scripts and styles
    from the files the fastapi-offline package ships, served by the app under /docs-assets: no
    CDN, so the docs open without the Internet and tell no third party who reads them."""
    return FastAPIOffline(static_url="/docs-assets", **kwargs)
