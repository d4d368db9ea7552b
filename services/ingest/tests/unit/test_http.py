"""DocumentedRoute: declared once, documented by FastAPI, served by the plain endpoint."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from suivi_ingest.http import accepted_post


class Thing(BaseModel):
    name: str


async def documented(thing: Thing) -> Thing:  # pragma: no cover - documentation only
    raise NotImplementedError


async def test_served_by_the_plain_endpoint_without_fastapi_validation() -> None:
    seen: list[bytes] = []

    async def serve(request: Request) -> Response:
        seen.append(await request.body())
        return Response(b"{}", status_code=202, media_type="application/json")

    app = FastAPI()
    app.router.routes.append(accepted_post("/things", documented, serve=serve, tags=["things"]))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        # Not a Thing: FastAPI would answer 422; the plain endpoint reads it as it is.
        answer = await client.post("/things", content=b"not json")
    assert (answer.status_code, seen) == (202, [b"not json"])
    operation = app.openapi()["paths"]["/things"]["post"]
    assert "202" in operation["responses"] and operation["tags"] == ["things"]
    assert operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/Thing"
    )
