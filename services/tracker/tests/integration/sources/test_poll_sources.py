"""Each polled source against its stand-in over loopback HTTP: a journey, not found, 429,
5xx, an expired OAuth token, a postal code asked for; bodies the normalizer reads."""

from __future__ import annotations

import json

import httpx
import pytest

from suivi_normalizer.providers import parser_for
from suivi_tracker.adapters.sources.oauth import ClientCredentials
from suivi_tracker.domain.sources import NeedsInfo, RateLimited, Rejected, TrackingRef, Unavailable
from suivi_tracker.testing.standins.wiring import Peers

pytestmark = pytest.mark.integration

POLLED = {
    "laposte": TrackingRef("laposte", "6A18987654321"),
    "usps": TrackingRef("usps", "9405511899223197428490"),
    "ups": TrackingRef("ups", "1Z204W4R0308071865"),
    "fedex": TrackingRef("fedex", "270556512744"),
    "dhl": TrackingRef("dhl", "1234567890"),
}
OAUTH = ("usps", "ups", "fedex")


async def _admin(peers: Peers, path: str, body: object) -> None:
    async with httpx.AsyncClient(base_url=peers.url) as http:
        (await http.post(path, json=body)).raise_for_status()


@pytest.mark.parametrize("name", sorted(POLLED))
async def test_a_journey_is_polled_until_delivered(peers: Peers, name: str) -> None:
    source, ref = peers.sources[name], POLLED[name]
    parse = parser_for(name)
    first = await source.poll(ref)
    assert first.found and first.provider == name
    checkpoints = parse(json.loads(first.body))
    assert [c.meaning.status for c in checkpoints] == ["info_received"]

    await _admin(peers, "/_admin/clock", {"advance": 3 * 86400})
    last = await source.poll(ref)
    checkpoints = sorted(parse(json.loads(last.body)), key=lambda c: c.occurred_at)
    # DHL's unified statusCode has no "out for delivery": the courier run reads `transit`.
    out = "in_transit" if name == "dhl" else "out_for_delivery"
    assert [c.meaning.status for c in checkpoints] == [
        "info_received", "in_transit", "in_transit", out, "delivered"
    ]  # fmt: skip
    assert all(c.known for c in checkpoints), [c.code for c in checkpoints if not c.known]


@pytest.mark.parametrize("name", sorted(POLLED))
async def test_an_unknown_number_is_not_found(peers: Peers, name: str) -> None:
    ref = POLLED[name]
    polled = await peers.sources[name].poll(TrackingRef(ref.carrier, "NOTFOUND12345"))
    assert not polled.found


@pytest.mark.parametrize("name", sorted(POLLED))
async def test_429_with_retry_after_is_rate_limited(peers: Peers, name: str) -> None:
    await _admin(peers, f"/{name}/_admin/faults", {"status": 429, "retry_after": 17})
    with pytest.raises(RateLimited) as raised:
        await peers.sources[name].poll(POLLED[name])
    assert raised.value.retry_after == 17
    assert (await peers.sources[name].poll(POLLED[name])).found  # the next call passes


@pytest.mark.parametrize("name", sorted(POLLED))
async def test_5xx_is_unavailable(peers: Peers, name: str) -> None:
    await _admin(peers, f"/{name}/_admin/faults", {"status": 503})
    with pytest.raises(Unavailable):
        await peers.sources[name].poll(POLLED[name])


async def test_the_stand_in_rate_limit_answers_429(peers: Peers) -> None:
    await _admin(peers, "/laposte/_admin/faults", {"limit": [1, 2]})
    source, ref = peers.sources["laposte"], POLLED["laposte"]
    await source.poll(ref)
    await source.poll(ref)
    with pytest.raises(RateLimited) as raised:
        await source.poll(ref)
    assert raised.value.retry_after is not None and raised.value.retry_after >= 1


@pytest.mark.parametrize("name", OAUTH)
async def test_an_expired_token_is_refreshed_exactly_once(peers: Peers, name: str) -> None:
    source = peers.sources[name]
    auth = source.http.auth  # type: ignore[attr-defined]
    assert isinstance(auth, ClientCredentials)
    await source.poll(POLLED[name])
    assert auth.fetches == 1
    await _admin(peers, f"/{name}/_admin/faults", {"expire_tokens": True})
    await source.poll(POLLED[name])  # 401 → one refresh → the retry passes
    await source.poll(POLLED[name])
    assert auth.fetches == 2
    issuer = getattr(peers.standins, name).issuer
    assert issuer.issued == 2


async def test_dhl_asks_for_the_postal_code_when_the_service_needs_it(peers: Peers) -> None:
    source = peers.sources["dhl"]
    with pytest.raises(NeedsInfo) as raised:
        await source.poll(TrackingRef("dhl", "NEEDZIP12345"))
    assert raised.value.fields == ("postal_code",)
    polled = await source.poll(TrackingRef("dhl", "NEEDZIP12345", postal_code="53113"))
    assert polled.found


async def test_la_poste_refuses_a_malformed_number(peers: Peers) -> None:
    with pytest.raises(Rejected):
        await peers.sources["laposte"].poll(TrackingRef("laposte", "12"))


@pytest.mark.parametrize("name", sorted(POLLED))
async def test_an_unchanged_parcel_gives_the_same_body(peers: Peers, name: str) -> None:
    """The tracker publishes only changed bodies: nothing in a body may vary call to call."""
    source, ref = peers.sources[name], POLLED[name]
    assert (await source.poll(ref)).body == (await source.poll(ref)).body
