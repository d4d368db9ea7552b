"""Hostile bodies, validly signed, on the real ingest process: a precise 4xx or a 202, never a
5xx, and ingest still answers afterwards."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from chaos.stack import Stack

from suivi_ingest.testing.signers import suivi_headers

pytestmark = pytest.mark.integration

EVENT = {
    "carrier": "ups",
    "tracking_number": "1Z999AA10123456784",
    "events": [
        {"code": "OFD", "status": "out_for_delivery", "occurred_at": "2026-11-23T08:01:00Z"}
    ],
}


def _event(**changes: object) -> bytes:
    return json.dumps({**EVENT, **changes}).encode()


# (body, the answers it may get): 400 where JSON itself is broken, else 202 (the normalizer
# judges the content, and dead-letters what it cannot read).
HOSTILE: dict[str, tuple[bytes, set[int]]] = {
    "deep nesting": (b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", {400, 413}),
    "nesting within bounds": (_event(extra=json.loads("[" * 200 + "]" * 200)), {202}),
    "huge exponent": (_event(weight=1.0).replace(b"1.0", b"1e999"), {400}),
    "huge integer": (_event(weight=0).replace(b'"weight": 0', b'"weight": ' + b"9" * 5000), {400}),
    "NaN": (_event(weight=0).replace(b'"weight": 0', b'"weight": NaN'), {400}),
    "duplicate keys": (_event()[:-1] + b', "carrier": "fedex"}', {202, 400}),
    "invalid UTF-8": (_event(note="x").replace(b'"x"', b'"\xff\xfe\xc0\xaf"'), {400}),
    "NUL byte raw": (_event(note="x").replace(b'"x"', b'"a\x00b"'), {400}),
    "NUL escaped": (_event(note="a\u0000b"), {202}),
    "lone surrogate": (_event(note="x").replace(b'"x"', b'"\\ud800"'), {202, 400}),
    "not an object": (b'"just a string"', {202, 400}),
    "empty": (b"", {400}),
    "BOM": (b"\xef\xbb\xbf" + _event(), {202, 400}),
}


@pytest.fixture
async def ingest(stack: Stack) -> tuple[str, str]:
    stack.start("ingest")
    assert await asyncio.to_thread(stack.ready, "ingest")
    return stack.url("ingest"), stack.env["SUIVI_INGEST_SUIVI_SECRET"]


def _signed(body: bytes, secret: str) -> dict[str, str]:
    return {"content-type": "application/json", **suivi_headers(body, secret, int(time.time()))}


async def test_hostile_bodies_get_a_precise_answer_never_a_5xx(ingest: tuple[str, str]) -> None:
    base, secret = ingest
    answers: dict[str, int] = {}
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        for name, (body, _) in HOSTILE.items():
            answer = await http.post(
                "/v1/webhooks/suivi", content=body, headers=_signed(body, secret)
            )
            answers[name] = answer.status_code
            if answer.status_code >= 400:
                assert answer.headers["content-type"].startswith("application/json"), name
        assert (await http.get("/readyz")).status_code == 200
    assert {n: a for n, a in answers.items() if a not in HOSTILE[n][1]} == {}


async def test_a_slow_body_within_bounds_is_accepted(ingest: tuple[str, str]) -> None:
    base, secret = ingest
    body = _event(note="s" * 4000)

    async def trickle() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 512):  # ~10 chunks, 0.2 s apart
            yield body[start : start + 512]
            await asyncio.sleep(0.2)

    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        headers = {**_signed(body, secret), "content-length": str(len(body))}
        answer = await http.post("/v1/webhooks/suivi", content=trickle(), headers=headers)
    assert answer.status_code == 202, answer.text


async def test_a_body_over_the_bound_is_413_even_when_it_trickles(ingest: tuple[str, str]) -> None:
    base, secret = ingest
    body = _event(note="s" * (1024 * 1024 + 10))

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 256 * 1024):
            yield body[start : start + 256 * 1024]

    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        answer = await http.post(
            "/v1/webhooks/suivi", content=chunks(), headers=_signed(body, secret)
        )
    assert answer.status_code == 413, answer.text
