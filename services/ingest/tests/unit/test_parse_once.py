"""The webhook body is checked by one orjson pass: same verdicts and ids as strict_json."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from suivi_ingest.app import create_app
from suivi_ingest.http import loads_for_ids
from suivi_ingest.settings import IngestSettings
from suivi_ingest.testing.fakes import FakePublisher
from suivi_ingest.testing.signers import suivi_headers
from suivi_schemas import strict_json

SECRET = "whsec_parse"
LONG = 12345678901234567890123456789  # beyond 64 bits: orjson reads it as a float


def _client(publisher: FakePublisher) -> httpx.AsyncClient:
    app = create_app(IngestSettings.model_validate({"suivi_secret": SECRET}), publisher)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ingest")


async def _post(publisher: FakePublisher, body: bytes) -> httpx.Response:
    headers = {"content-type": "application/json", **suivi_headers(body, SECRET, int(time.time()))}
    async with _client(publisher) as client:
        return await client.post("/v1/webhooks/suivi", content=body, headers=headers)


@pytest.mark.parametrize(
    "body",
    [
        b'{"a": [1, 2.5, "x", null, true]}',
        b'{"a": 1e999}',
        b'{"a": NaN}',
        b'{"a": "\\ud800"}',
        b'{"a": 1,}',
        b"[" * 200 + b"]" * 200,
        b"[" * 201 + b"]" * 201,
        b"[" * 200 + b" " + b"]" * 200,
        b"[" * 1024 + b"]" * 1024,
    ],
)
def test_same_verdict_as_strict_json(body: bytes) -> None:
    def verdict(loads: Callable[[bytes], Any]) -> str:
        try:
            return json.dumps(loads(body))
        except ValueError:
            return "refused"

    assert verdict(loads_for_ids) == verdict(strict_json.loads)


async def test_deeper_than_strict_json_reads_is_still_malformed() -> None:
    publisher = FakePublisher()
    body = b'{"tracking_number": "LA1FR", "x": ' + b"[" * 300 + b"]" * 300 + b"}"
    answer = await _post(publisher, body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == "malformed_json"
    assert publisher.published == []


async def test_a_long_integer_number_is_keyed_exactly() -> None:
    publisher = FakePublisher()
    body = b'{"tracking_number": %d, "delivery_id": %d}' % (LONG, LONG)
    assert (await _post(publisher, body)).status_code == 202
    [(event, key)] = publisher.published
    assert key == f"suivi:{LONG}"
    assert event.delivery_id == str(LONG)
