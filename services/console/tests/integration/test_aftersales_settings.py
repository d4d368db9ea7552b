"""What after-sales needs from the console (issues 18-20), through the real broker: webhook
endpoints subscribed to the notifier's `return.*` / `claim.*` families, and the branding's
return policy (https only) and the status pages' language (one of the six), each refused
precisely when wrong and read by another service's MerchantDirectory when right."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Callable
from html import unescape

import httpx
import pytest

from suivi_console.bootstrap import ConsoleService
from suivi_console.testing.desk import console_client
from suivi_console.testing.harness import Clock, form_value, onboard, sign_in
from suivi_infra.merchants import MerchantDirectory
from suivi_infra.settings import KafkaSettings
from suivi_schemas.merchants import MerchantRecord


@pytest.fixture
async def owner(service: ConsoleService, clock: Clock) -> AsyncIterator[httpx.AsyncClient]:
    await onboard(service, "atelier", "owner@atelier.test")
    async with console_client(service) as client:
        await sign_in(client, "owner@atelier.test", clock)
        yield client


def refusal(html: str) -> str:
    found = re.search(r'class="error" role="alert">([^<]*)<', html)
    assert found is not None, "no refusal on the page"
    return unescape(found.group(1))


async def record_where(
    kafka: KafkaSettings, topic: str, done: Callable[[MerchantRecord], bool], seconds: float = 20
) -> MerchantRecord:
    """Atelier's record as another service learns it, once `done(record)` holds."""
    directory = MerchantDirectory()
    directory.start(kafka, topic, retry_seconds=0.2)
    try:
        for _ in range(int(seconds / 0.05)):
            found = directory.record("atelier")
            if found is not None and done(found):
                return found
            await asyncio.sleep(0.05)
        raise AssertionError(f"atelier's record as expected not seen in {seconds} s")
    finally:
        with contextlib.suppress(Exception):
            await directory.stop()


async def test_webhooks_for_returns_and_claims(
    owner: httpx.AsyncClient, kafka_settings: KafkaSettings, merchants_topic: str
) -> None:
    page = await owner.get("/keys")
    for family in ("alerts", "returns", "claims"):
        assert f'name="events" value="{family}"' in page.text
    assert "Returns" in page.text and "Claims" in page.text
    csrf = form_value(page.text, "csrf")
    unknown = await owner.post("/webhooks", data={
        "csrf": csrf, "url": "https://atelier.test/hook", "events": ["returns", "refunds"],
    })  # fmt: skip
    assert unknown.status_code == 400
    assert refusal(unknown.text) == "Choose only among the events offered."
    assert "whsec_" not in unknown.text
    created = await owner.post("/webhooks", data={
        "csrf": csrf, "url": "https://atelier.test/after-sales", "events": ["returns", "claims"],
    })  # fmt: skip
    assert created.status_code == 201

    record = await record_where(kafka_settings, merchants_topic, lambda r: bool(r.webhooks))
    (endpoint,) = record.webhooks
    assert endpoint.url == "https://atelier.test/after-sales"
    assert endpoint.events == ("returns", "claims")


POLICY = "The return policy address must start with https://."
LANGUAGE = "Choose one of the offered languages."


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("return_policy_url", "http://atelier.test/returns", POLICY),
        ("return_policy_url", "javascript:alert(1)", POLICY),
        ("return_policy_url", "https://", POLICY),
        ("return_policy_url", "https://atelier.test/re turns", POLICY),
        ("language", "pt", LANGUAGE),
        ("language", "fr-x-anything-else", LANGUAGE),
    ],
)
async def test_wrong_return_policy_or_language_refused(
    owner: httpx.AsyncClient, field: str, value: str, message: str
) -> None:
    csrf = form_value((await owner.get("/settings")).text, "csrf")
    answer = await owner.post("/settings/branding", data={
        "csrf": csrf, "display_name": "Atelier", "colour": "#aa3300", field: value,
    })  # fmt: skip
    assert answer.status_code == 400
    assert refusal(answer.text) == message


async def test_return_policy_and_language_reach_merchants_v1(
    owner: httpx.AsyncClient, kafka_settings: KafkaSettings, merchants_topic: str
) -> None:
    csrf = form_value((await owner.get("/settings")).text, "csrf")
    saved = await owner.post("/settings/branding", data={
        "csrf": csrf, "display_name": "Atelier", "colour": "#aa3300",
        "return_policy_url": " https://atelier.test/retours ", "language": "nl",
    })  # fmt: skip
    assert saved.status_code == 200
    assert 'value="https://atelier.test/retours"' in saved.text
    assert '<option value="nl" lang="nl" selected>Nederlands</option>' in saved.text
    assert 'id="preview-policy" href="https://atelier.test/retours"' in saved.text

    record = await record_where(
        kafka_settings, merchants_topic, lambda r: r.branding.language is not None
    )
    assert record.branding.return_policy_url == "https://atelier.test/retours"
    assert record.branding.language == "nl"

    cleared = await owner.post("/settings/branding", data={
        "csrf": csrf, "display_name": "Atelier", "colour": "#aa3300",
    })  # fmt: skip
    assert cleared.status_code == 200
    record = await record_where(
        kafka_settings, merchants_topic, lambda r: r.branding.language is None
    )
    assert record.branding.return_policy_url is None
