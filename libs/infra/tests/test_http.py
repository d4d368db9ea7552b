"""The shared HTTP edge: ops routes, every error as an ErrorBody, OpenAPI without 422."""

from __future__ import annotations

import logging

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from suivi_infra.http import (
    StrictJSONRoute,
    answer_unavailable,
    document_400_not_422,
    install_error_handlers,
    ops_router,
)


class Item(BaseModel):
    name: str
    quantity: int


def _app(ready: bool = True) -> FastAPI:
    async def is_ready() -> bool:
        return ready

    app = FastAPI()
    app.router.route_class = StrictJSONRoute
    app.include_router(ops_router(is_ready, not_ready="Kafka does not answer", retry_after=30))
    install_error_handlers(app, logging.getLogger("test"), unexpected="nothing was stored")
    document_400_not_422(app)

    @app.post("/items", status_code=201)
    async def create(item: Item) -> dict[str, str]:
        return {"name": item.name}

    @app.get("/boom")
    async def boom() -> dict[str, str]:
        raise RuntimeError("secret payload 1Z999")

    return app


def _client(app: FastAPI) -> httpx.AsyncClient:
    # raise_app_exceptions=False: answer as a server would (the 500 body), not re-raise.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://edge")


async def test_healthz_and_readyz_when_ready() -> None:
    async with _client(_app()) as client:
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        ready = await client.get("/readyz")
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})


async def test_not_ready_is_a_503_error_body_with_retry_after() -> None:
    async with _client(_app(ready=False)) as client:
        answer = await client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json() == {"error": "not_ready", "detail": "Kafka does not answer"}
    assert answer.headers["retry-after"] == "30"


@pytest.mark.parametrize(
    ("method", "path", "status", "error"),
    [("GET", "/nowhere", 404, "not_found"), ("GET", "/items", 405, "method_not_allowed")],
)
async def test_http_errors_keep_their_status_in_an_error_body(
    method: str, path: str, status: int, error: str
) -> None:
    async with _client(_app()) as client:
        answer = await client.request(method, path)
    assert (answer.status_code, answer.json()["error"]) == (status, error)


async def test_an_invalid_request_is_400_naming_fields_never_values() -> None:
    async with _client(_app()) as client:
        answer = await client.post("/items", json={"name": "Bésançon-7731", "quantity": "many"})
        nan = await client.post("/items", content=b'{"name": "a", "quantity": NaN}')
    assert answer.status_code == 400
    assert answer.json() == {
        "error": "invalid_request",
        "detail": "invalid or missing: body.quantity",
    }
    assert "many" not in answer.text
    assert (nan.status_code, nan.json()["error"]) == (400, "invalid_request")


async def test_unexpected_errors_are_500_and_logged_by_type_and_place_only(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR, logger="test"):
        async with _client(_app()) as client:
            answer = await client.get("/boom")
    assert answer.status_code == 500
    assert answer.json() == {"error": "internal_error", "detail": "nothing was stored"}
    assert "RuntimeError at" in caplog.text and "test_http.py" in caplog.text
    assert "1Z999" not in caplog.text + answer.text


def test_openapi_says_400_never_422_and_documents_the_503() -> None:
    paths = _app().openapi()["paths"]
    assert "422" not in paths["/items"]["post"]["responses"]
    assert "400" in paths["/items"]["post"]["responses"]
    ready = paths["/readyz"]["get"]["responses"]["503"]
    assert ready["description"] == "Kafka does not answer."
    assert ready["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody")


async def test_a_dependency_gone_mid_request_is_503_with_retry_after() -> None:
    app = FastAPI()
    install_error_handlers(app, logging.getLogger("test"))
    answer_unavailable(app, detail="PostgreSQL does not answer", headers={"Cache-Control": "x"})

    @app.get("/cut")
    async def cut() -> None:
        raise asyncpg.ConnectionDoesNotExistError("connection was closed in the middle")

    @app.get("/refused")
    async def refused() -> None:
        raise ConnectionRefusedError(111, "refused")

    async with _client(app) as client:
        answers = [await client.get("/cut"), await client.get("/refused")]
    for answer in answers:
        assert answer.status_code == 503
        assert answer.json() == {"error": "unavailable", "detail": "PostgreSQL does not answer"}
        assert (answer.headers["Retry-After"], answer.headers["Cache-Control"]) == ("5", "x")
