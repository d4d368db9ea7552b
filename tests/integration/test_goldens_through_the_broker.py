"""Every provider's golden fixtures, POSTed signed to ingest, come out of the normalizer on Kafka
exactly as their `.expected.jsonl` says (all ten provider slugs, through the real broker)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from tests.integration.test_webhook_to_status import serving

from suivi_infra.kafka import make_consumer
from suivi_infra.settings import KafkaSettings
from suivi_infra.testing import TopicFactory
from suivi_ingest.settings import IngestSettings
from suivi_ingest.testing.signers import (
    aftership_headers,
    dhl_headers,
    easypost_headers,
    fedex_headers,
    seventeentrack_headers,
    shippo_headers,
    suivi_headers,
    ups_headers,
)
from suivi_ingest.webhooks.providers import RELAYED_NUMBERS
from suivi_normalizer.bootstrap import bootstrap
from suivi_normalizer.settings import NormalizerSettings
from suivi_schemas.providers import BY_SLUG, SLUGS

pytestmark = pytest.mark.integration

FIXTURES = Path(__file__).resolve().parents[2] / "services" / "normalizer" / "tests" / "fixtures"
KEY = "golden-secret"


def _timestamped(body: bytes, secret: str) -> dict[str, str]:
    return suivi_headers(body, secret, int(time.time()))


SIGNERS: dict[str, Callable[[bytes, str], dict[str, str]]] = {
    "easypost": easypost_headers,
    "aftership": aftership_headers,
    "shippo": lambda body, secret: shippo_headers(body, secret, int(time.time())),
    "suivi": _timestamped,
    "17track": seventeentrack_headers,
    "ups": ups_headers,
    "fedex": fedex_headers,
    "dhl": dhl_headers,
    "usps": _timestamped,
    "laposte": _timestamped,
    # Issue 17's carriers: relayed, signed like `suivi` (ingest's `relayed` specs).
    **dict.fromkeys(RELAYED_NUMBERS, _timestamped),
}
# Fields set by ingest at delivery time, not by the adapter.
_VOLATILE = ("received_at", "raw_event_id")


def _expected() -> dict[str, dict[str, dict[str, object]]]:
    """provider → event id → the golden event (without the delivery-time fields)."""
    out: dict[str, dict[str, dict[str, object]]] = {}
    for provider in sorted(SLUGS):
        events = out.setdefault(provider, {})
        for path in sorted((FIXTURES / provider).glob("*.expected.jsonl")):
            for line in path.read_text(encoding="utf-8").splitlines():
                event = json.loads(line)
                for field in _VOLATILE:
                    event.pop(field)
                events.setdefault(event["event_id"], event)
    return out


async def test_every_golden_fixture_of_every_provider_end_to_end(
    kafka_settings: KafkaSettings, kafka_topic: TopicFactory
) -> None:
    raw_topic = await kafka_topic("raw", partitions=3)
    status_topic = await kafka_topic("status", partitions=3)
    dlq_topic = await kafka_topic("dlq", partitions=1)
    secret = SecretStr(KEY)
    ingest = IngestSettings(
        kafka=kafka_settings, raw_topic=raw_topic,
        easypost_secret=secret, aftership_secret=secret, shippo_secret=secret, suivi_secret=secret,
        seventeentrack_secret=secret, ups_credential=secret, fedex_secret=secret,
        dhl_token=secret, usps_secret=secret, laposte_secret=secret, metrics_port=0,
    )  # fmt: skip
    relayed = {f"{BY_SLUG[slug].ident}_secret": secret for slug in RELAYED_NUMBERS}
    ingest = ingest.model_copy(update=relayed)
    normalizer = NormalizerSettings(
        kafka=kafka_settings, raw_topic=raw_topic, status_topic=status_topic, dlq_topic=dlq_topic,
        group_id=f"goldens-{uuid.uuid4().hex[:8]}", metrics_port=0,
    )  # fmt: skip
    expected = _expected()
    assert set(expected) == set(SIGNERS) == SLUGS
    want = sum(len(ids) for ids in expected.values())

    reader = make_consumer(kafka_settings, f"reader-{uuid.uuid4().hex[:6]}", status_topic)
    await reader.start()
    service = bootstrap(normalizer, serve_metrics=False)
    posted = 0
    try:
        async with serving(ingest) as url, httpx.AsyncClient(base_url=url) as http, service.app:
            for provider in sorted(expected):
                for fixture in sorted((FIXTURES / provider).glob("*.json")):
                    body = fixture.read_bytes()
                    headers = {"Content-Type": "application/json", **SIGNERS[provider](body, KEY)}
                    response = await http.post(
                        f"/v1/webhooks/{provider}", content=body, headers=headers
                    )
                    assert response.status_code == 202, (fixture.name, response.text)
                    posted += 1
            got: list[dict[str, object]] = []
            deadline = time.monotonic() + 60
            while len(got) < want and time.monotonic() < deadline:
                for records in (await reader.getmany(timeout_ms=500)).values():
                    got.extend(json.loads(r.value) for r in records)
    finally:
        await reader.stop()

    assert posted > 100
    for event in got:
        for field in _VOLATILE:
            event.pop(field)
    by_provider: dict[str, dict[str, dict[str, object]]] = {}
    for event in got:
        assert str(event["event_id"]) not in by_provider.get(str(event["provider"]), {}), (
            "duplicate"
        )
        by_provider.setdefault(str(event["provider"]), {})[str(event["event_id"])] = event
    for provider, events in expected.items():
        assert by_provider.get(provider, {}) == events, provider
