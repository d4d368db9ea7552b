"""The demo without servers: its webhooks are what the normalizer expects of each fixture, with
fresh tracking numbers that meet their orders and times relative to now; ingest's own code
(in-process, fake publishers) accepts every order and signed webhook it sends."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from demo.__main__ import Driver, Urls, read_env_file, share_link, status_link
from demo.plan import Clock, Plan, build_plan
from demo.scenarios import SPAN, STORIES
from demo.webhooks import Template, normalized
from prometheus_client import CollectorRegistry
from pydantic import SecretStr

from suivi_infra.tokens import status_token
from suivi_ingest.app import create_app
from suivi_ingest.settings import IngestSettings
from suivi_ingest.testing.fakes import FakeOrderPublisher, FakePublisher
from suivi_schemas import ShipmentStatus
from suivi_schemas.carriers import canonical_carrier
from suivi_schemas.ids import shipment_key
from suivi_schemas.status import TERMINAL_STATUSES

ENV_FILE = Path(__file__).resolve().parents[2] / "deploy" / "run" / "dev.env"
KEY = SecretStr("test-token-key")


def plan(speed: float = 1.0) -> Plan:
    return build_plan(KEY, Clock(datetime.now(UTC), speed), seed=7)


def test_twenty_orders_several_providers_and_every_story_kind() -> None:
    built = plan()
    assert len(built.orders) == 26
    assert len({o.order_number for o in built.orders}) == 26
    providers = {a.provider for a in built.webhooks()}
    assert len(providers) >= 8, providers
    features = {f for story in STORIES for f in story.features}
    for wanted in (
        "multi-shipment", "exception", "failed-attempt", "return", "duplicate", "out-of-order",
        "stalled", "tracked",
    ):  # fmt: skip
        assert wanted in features
    kinds = Counter(a.kind for a in built.actions)
    assert kinds["poison"] == 1 and kinds["bad_signature"] == 1
    assert all(0 <= a.at <= SPAN for a in built.actions)


def test_links_are_the_status_tokens_of_the_orders() -> None:
    for order in plan().orders:
        assert order.status_token == status_token(KEY, order.merchant, order.order_number)


@pytest.mark.parametrize("speed", [1.0, 15.0])
def test_webhooks_normalize_to_fresh_parcels_of_their_orders(speed: float) -> None:
    built = plan(speed)
    for action in built.webhooks():
        order = action.order
        assert order is not None
        events = normalized(action.provider, action.body)
        assert [e.status.value for e in events] == list(action.statuses), order.story.slug
        shipments = {
            shipment_key(canonical_carrier(s["carrier"]), s["tracking_number"])
            for s in order.body["shipments"]
        }
        for event in events:
            assert shipment_key(event.carrier, event.tracking_number) in shipments, (
                order.story.slug,
                event.carrier,
            )
        latest = max(e.occurred_at for e in events)
        sent = built.clock.start + timedelta(seconds=built.clock.offset_seconds(action.at))
        if order.story.slug == "stalled":  # old on purpose: silent for longer than 7 days
            assert latest < sent - timedelta(days=7)
            continue
        # Never after the webhook is sent; recent enough to notify (horizon: 48 h).
        assert sent - timedelta(hours=1) < latest <= sent, (order.story.slug, latest)


def test_fresh_tracking_numbers_differ_from_the_fixtures_and_between_orders() -> None:
    built = plan()
    numbers = [n for o in built.orders for n in o.numbers.values()]
    assert len(numbers) == len(set(numbers))
    samples = {p.sample for story in STORIES for p in story.parcels}
    assert not samples & set(numbers)


def test_story_parcels_match_their_fixtures() -> None:
    for story in STORIES:
        carriers = {p.label: p.carrier for p in story.parcels}
        for send in story.sends:
            if send.template is None:
                continue
            parcels = Template(send.template.provider, send.template.name).parcels()
            assert [c for c, _ in parcels] == [carriers[label] for label in send.parcels], (
                story.slug
            )


def test_stories_end_in_a_terminal_status_or_say_why_not() -> None:
    """Most stories are complete journeys; the open-ended ones are listed by name."""
    newest: dict[str, tuple[datetime, ShipmentStatus]] = {}
    for action in plan().webhooks():
        assert action.order is not None
        slug = action.order.story.slug
        for event in normalized(action.provider, action.body):
            if slug not in newest or event.occurred_at >= newest[slug][0]:
                newest[slug] = (event.occurred_at, event.status)
    open_ended = {slug for slug, (_, s) in newest.items() if s not in TERMINAL_STATUSES}
    # Still travelling: a failed attempt, an order arriving after the scans, a short history.
    assert open_ended == {
        "shippo-attempted", "suivi-before-order", "easypost-out-of-order", "stalled"
    }  # fmt: skip


async def test_ingest_accepts_every_order_and_signed_webhook(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = read_env_file(ENV_FILE)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    raw, orders = FakePublisher(), FakeOrderPublisher()
    app = create_app(IngestSettings(), raw, registry=CollectorRegistry(), orders=orders)
    built = build_plan(SecretStr(env["SUIVI_TOKEN_KEY"]), Clock(datetime.now(UTC), 1000.0))
    urls = Urls.from_env(env)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, timeout=10) as http:
        driver = Driver(built, env, urls, http, quiet=True)
        await driver.play()
    assert driver.problems == []
    assert driver.outcomes["order 202"] == 26
    assert driver.outcomes["webhook 202"] == len(built.webhooks())
    assert driver.outcomes["bad_signature 401"] == 1
    assert len(orders.published) == 26
    assert len(raw.published) == len(built.webhooks()) + 1  # and the poison body


async def test_status_and_share_links_are_printed_as_soon_as_each_order_exists(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = read_env_file(ENV_FILE)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    app = create_app(
        IngestSettings(), FakePublisher(), registry=CollectorRegistry(), orders=FakeOrderPublisher()
    )
    built = build_plan(SecretStr(env["SUIVI_TOKEN_KEY"]), Clock(datetime.now(UTC), 1000.0))
    urls = Urls.from_env(env)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), timeout=10) as http:
        await Driver(built, env, urls, http).play()
    lines = capsys.readouterr().out.splitlines()
    for order in built.orders:
        accepted = next(
            i for i, line in enumerate(lines) if f"order API → 202  {order.order_number} " in line
        )
        # The next two lines, before any carrier webhook of that order is sent.
        assert lines[accepted + 1].endswith(
            f"{order.order_number} status page: {status_link(urls, order)}"
        )
        assert lines[accepted + 2].endswith(
            f"{order.order_number} share link:  {share_link(urls, order)}"
        )
        assert f"/s/{order.share_token}" in lines[accepted + 2]
