"""The Source port's contract, run against the in-memory fake and every real client (over
loopback HTTP against its stand-in): what the scheduler relies on, whoever implements it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from suivi_tracker.domain.changes import body_hash
from suivi_tracker.domain.sources import Mode, Source, TrackingRef
from suivi_tracker.testing.fakes import FakeSource
from suivi_tracker.testing.standins.app import Credentials
from suivi_tracker.testing.standins.wiring import Peers, running

pytestmark = pytest.mark.integration

POLLED = {
    "fake-poll": TrackingRef("laposte", "6A18987654321"),
    "laposte": TrackingRef("laposte", "6A18987654321"),
    "usps": TrackingRef("usps", "9405511899223197428490"),
    "ups": TrackingRef("ups", "1Z204W4R0308071865"),
    "fedex": TrackingRef("fedex", "270556512744"),
    "dhl": TrackingRef("dhl", "1234567890"),
}
PUSHED = {
    "fake-push": TrackingRef("usps", "9400111899223197428490"),
    "easypost": TrackingRef("usps", "9400111899223197428490"),
    "aftership": TrackingRef("laposte", "6A18987654321"),
    "17track": TrackingRef("ups", "1Z204W4R0308071865"),
    "shippo": TrackingRef("fedex", "270556512744"),
}


@pytest.fixture
async def peers() -> AsyncIterator[Peers]:
    async with running(Credentials(ingest_url=None)) as peers:
        yield peers


def source_named(peers: Peers, name: str) -> Source:
    if name == "fake-poll":
        return FakeSource("fake-poll", Mode.POLL, frozenset({"laposte"}))
    if name == "fake-push":
        return FakeSource("fake-push", Mode.PUSH, frozenset({"usps"}))
    return peers.sources[name]


@pytest.mark.parametrize("name", sorted(POLLED))
async def test_a_poll_source_answers_the_same_body_until_the_parcel_moves(
    peers: Peers, name: str
) -> None:
    source, ref = source_named(peers, name), POLLED[name]
    assert source.mode is Mode.POLL and source.serves(ref.carrier)
    assert source.missing(ref) == ()
    first, again = await source.poll(ref), await source.poll(ref)
    assert first.found and first.provider and first.body
    assert body_hash(first.body) == body_hash(again.body)  # nothing published twice
    unknown = await source.poll(TrackingRef(ref.carrier, "NOTFOUND12345"))
    assert not unknown.found


@pytest.mark.parametrize("name", sorted(PUSHED))
async def test_a_push_source_registers_and_unregisters_idempotently(
    peers: Peers, name: str
) -> None:
    source, ref = source_named(peers, name), PUSHED[name]
    assert source.mode is Mode.PUSH and source.serves(ref.carrier)
    first = await source.register(ref)
    await source.register(ref)  # asked twice (a retried round): still one registration
    registered = TrackingRef(ref.carrier, ref.tracking_number, source_ref=first.source_ref)
    await source.unregister(registered)
    await source.unregister(registered)  # already stopped: nothing to do, no error
