"""Each push source registers at its stand-in, which then POSTs a correctly signed webhook to a
real ingest app (real Kafka): ingest answers 202, and the body is one its provider's
normalizer module reads."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import SecretStr

from suivi_infra.settings import KafkaSettings
from suivi_infra.testing import TopicFactory
from suivi_ingest.bootstrap import build_app
from suivi_ingest.settings import IngestSettings
from suivi_normalizer.providers import parser_for
from suivi_tracker.domain.sources import TrackingRef
from suivi_tracker.testing.standins.app import Credentials
from suivi_tracker.testing.standins.kit import PushStandin
from suivi_tracker.testing.standins.serve import serving
from suivi_tracker.testing.standins.wiring import Peers, running

pytestmark = pytest.mark.integration

CREDS = Credentials(
    easypost_webhook_secret="whsec-easypost-test",
    aftership_webhook_secret="whsec-aftership-test",
    seventeentrack_key="17track-test-key",
    shippo_webhook_secret="whsec-shippo-test",
    shippo_webhook_token="shippo-url-token",
    ups_credential="ups-alert-credential",
)
# source name → (provider slug at ingest, stand-in attribute, tracking)
PUSHED = {
    "easypost": ("easypost", "easypost", TrackingRef("usps", "9400111899223197428490")),
    "aftership": ("aftership", "aftership", TrackingRef("laposte", "6A18987654321")),
    "17track": ("17track", "seventeentrack", TrackingRef("ups", "1Z204W4R0308071865")),
    "shippo": ("shippo", "shippo", TrackingRef("fedex", "270556512744")),
    "ups-alert": ("ups", "ups", TrackingRef("ups", "1Z204W4R0308071866")),
}


@pytest.fixture
async def pushing(kafka_settings: KafkaSettings, kafka_topic: TopicFactory) -> AsyncIterator[Peers]:
    ingest = IngestSettings(
        kafka=kafka_settings,
        raw_topic=await kafka_topic("raw", partitions=1),
        metrics_port=0,  # no metrics server: its fixed port clashes with other tests' ingests
        easypost_secret=SecretStr(CREDS.easypost_webhook_secret),
        aftership_secret=SecretStr(CREDS.aftership_webhook_secret),
        seventeentrack_secret=SecretStr(CREDS.seventeentrack_key),
        shippo_secret=SecretStr(CREDS.shippo_webhook_secret or ""),
        shippo_token=SecretStr(CREDS.shippo_webhook_token or ""),
        ups_credential=SecretStr(CREDS.ups_credential),
    )
    async with serving(build_app(ingest)) as ingest_url:
        async with httpx.AsyncClient(base_url=ingest_url) as http:
            for _ in range(200):  # the producer connects in the background
                if (await http.get("/readyz")).status_code == 200:
                    break
                await asyncio.sleep(0.05)
        creds = Credentials(**{**CREDS.__dict__, "ingest_url": ingest_url})
        async with running(creds, ingest_url=ingest_url) as peers:
            yield peers


async def _delivered(standin: PushStandin, count: int) -> list[int]:
    for _ in range(300):  # up to 15 s
        if len(standin.sender.sent) >= count:
            break
        await asyncio.sleep(0.05)
    return [d.status for d in standin.sender.sent]


@pytest.mark.parametrize("name", sorted(PUSHED))
async def test_a_registration_leads_to_a_signed_webhook_ingest_accepts(
    pushing: Peers, name: str
) -> None:
    provider, attribute, ref = PUSHED[name]
    standin: PushStandin = getattr(pushing.standins, attribute)
    registered = await pushing.sources[name].register(ref)
    assert await _delivered(standin, 1) == [202]
    body = standin.sender.sent[0].body
    checkpoints = parser_for(provider)(json.loads(json.dumps(body)))
    assert [c.meaning.status for c in checkpoints] == ["info_received"]
    assert {c.tracking_number for c in checkpoints} == {ref.tracking_number}

    # The journey moves on: the next tick pushes again (the whole history or the new events).
    pushing.standins.clock.advance(3 * 86400)
    await standin.tick()
    statuses = await _delivered(standin, 2)
    assert statuses[:2] == [202, 202] and set(statuses) == {202}

    await pushing.sources[name].unregister(
        TrackingRef(ref.carrier, ref.tracking_number, source_ref=registered.source_ref)
    )


async def test_registering_twice_is_one_registration(pushing: Peers) -> None:
    ref = PUSHED["17track"][2]
    source = pushing.sources["17track"]
    assert await source.quota_left() == 100
    await source.register(ref)
    await source.register(ref)  # "already registered" is success
    assert pushing.standins.seventeentrack.quota_used == 1
    assert await source.quota_left() == 99  # counted down locally, no getquota call
    assert pushing.standins.seventeentrack.calls["/17track/track/v2.2/getquota"] == 1
    await source.unregister(ref)
    await source.unregister(ref)  # not registered any more: nothing to stop
    assert ref.tracking_number not in pushing.standins.seventeentrack.registered


async def test_aftership_delete_stops_the_pushes(pushing: Peers) -> None:
    ref = PUSHED["aftership"][2]
    source = pushing.sources["aftership"]
    first = await source.register(ref)
    again = await source.register(ref)  # 4003 "already exists" keeps the same tracking
    assert first.source_ref is not None and again.source_ref == first.source_ref
    await source.unregister(
        TrackingRef(ref.carrier, ref.tracking_number, source_ref=first.source_ref)
    )
    assert ref.tracking_number not in pushing.standins.aftership.registered
