"""DocumentedRoute: declared once, documented by FastAPI, served by the plain endpoint; bodies."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import Message, Receive

from suivi_ingest.http import IngestError, accepted_post, read_body


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


def _messages(*messages: Message) -> Receive:
    queue = list(messages)

    async def receive() -> Message:
        return queue.pop(0)

    return receive


async def test_a_body_in_chunks_is_read_whole_and_bounded_as_it_streams() -> None:
    chunks = ({"type": "http.request", "body": part, "more_body": True} for part in (b"ab", b""))
    last = {"type": "http.request", "body": b"cd", "more_body": False}
    assert await read_body(_messages(*chunks, last), {}, 4) == b"abcd"
    assert await read_body(_messages({"type": "http.request"}), {}, 4) == b""
    too_long = _messages({"type": "http.request", "body": b"abc", "more_body": True}, last)
    with pytest.raises(IngestError) as refused:
        await read_body(too_long, {}, 4)
    assert (refused.value.status, refused.value.error) == (413, "payload_too_large")
    with pytest.raises(IngestError) as declared:
        await read_body(_messages(last), {"content-length": "5"}, 4)
    assert declared.value.status == 413


async def test_a_client_gone_mid_body_is_a_400() -> None:
    gone = _messages(
        {"type": "http.request", "body": b"ab", "more_body": True}, {"type": "http.disconnect"}
    )
    with pytest.raises(IngestError) as refused:
        await read_body(gone, {}, 100)
    assert (refused.value.status, refused.value.error) == (400, "client_disconnected")


async def test_other_routes_are_told_apart_by_their_path_alone() -> None:
    async def serve(request: Request) -> Response:  # pragma: no cover - never reached
        raise NotImplementedError

    route = accepted_post("/things/{name}", documented, serve=serve)
    scope = {"type": "http", "path": "/other", "root_path": "", "method": "POST"}
    assert route.matches(scope) == (Match.NONE, {})
    matched, child = route.matches({**scope, "path": "/things/x"})
    assert (matched, child["path_params"], child["route"]) == (Match.FULL, {"name": "x"}, route)
    route.leaves = frozenset({"/things/special"})  # to a route after it
    assert route.matches({**scope, "path": "/things/special"}) == (Match.NONE, {})
    mounted = {**scope, "root_path": "/api", "path": "/api/things/special"}
    assert route.matches(mounted) == (Match.NONE, {})
    assert route.matches({**mounted, "path": "/api/things/y"})[0] == Match.FULL
    with pytest.raises(TypeError):
        accepted_post("/things", documented)
