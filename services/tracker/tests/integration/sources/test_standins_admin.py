"""The stand-ins' admin routes: a scripted journey, fast-forwarded, read through a source."""

from __future__ import annotations

import json

import httpx
import pytest

from suivi_normalizer.providers import parser_for
from suivi_tracker.domain.sources import TrackingRef
from suivi_tracker.testing.standins.wiring import Peers

pytestmark = pytest.mark.integration


async def test_a_scripted_journey_moves_when_the_clock_is_advanced(peers: Peers) -> None:
    number = "6A11111111111"
    steps = [
        {"after": 0, "stage": "info_received"},
        {"after": 3600, "stage": "failed_attempt", "city": "Lyon"},
        {"after": 7200, "stage": "available_for_pickup", "city": "Lyon", "label": "Au bureau"},
    ]
    async with httpx.AsyncClient(base_url=peers.url) as admin:
        await admin.post("/_admin/journeys", json={"number": number, "steps": steps})
        before = await peers.sources["laposte"].poll(TrackingRef("laposte", number))
        await admin.post("/_admin/clock", json={"advance": 7200})
        after = await peers.sources["laposte"].poll(TrackingRef("laposte", number))
        gone = "6A22222222222"
        await admin.post("/_admin/journeys", json={"number": gone, "not_found": True})
        missing = await peers.sources["laposte"].poll(TrackingRef("laposte", gone))
    parse = parser_for("laposte")
    assert len(parse(json.loads(before.body))) == 1
    latest = max(parse(json.loads(after.body)), key=lambda c: c.occurred_at)
    assert (latest.meaning.status, latest.message) == ("available_for_pickup", "Au bureau")
    assert not missing.found
