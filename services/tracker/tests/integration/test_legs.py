"""Hand-offs on PostgreSQL (issue 17): the tracker starts the next leg itself, for the same
merchants, whether the link comes after the first leg is followed or before (then at that
leg's next status event); once only. The legs API: precise 4xx, merchant-scoped, published."""

from __future__ import annotations

import random
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta

import asyncpg
import httpx
import pytest
from prometheus_client import CollectorRegistry

from suivi_infra.dlq import DeadLetterQueue
from suivi_infra.merchant_keys import MerchantKeys
from suivi_infra.testing import RecordingSink
from suivi_schemas.events import ShipmentStatusEvent
from suivi_schemas.legs import LegLinkEvent, LinkSource
from suivi_schemas.status import ShipmentStatus
from suivi_tracker.adapters.legs_out import LegPublisher
from suivi_tracker.api.deps import ApiContext
from suivi_tracker.app import create_api
from suivi_tracker.db.migrate import migrate
from suivi_tracker.domain.schedule import SchedulePolicy
from suivi_tracker.domain.sources import Mode
from suivi_tracker.handlers.intake import Topics
from suivi_tracker.handlers.legs import LegIntake
from suivi_tracker.handlers.start import StartRequest, StartTracking
from suivi_tracker.metrics import TrackerMetrics
from suivi_tracker.testing.fakes import FakeSource
from suivi_tracker.testing.harness import T0, SettableClock

pytestmark = pytest.mark.integration
TOPICS = Topics(orders="orders", status="status")
CAINIAO, LAPOSTE = ("cainiao", "LP00598765432101"), ("laposte", "6A18987654321")
KEY = "k" * 24
AUTH = {"Authorization": f"Bearer {KEY}"}


@dataclass
class Record:
    topic: str
    value: bytes
    key: bytes | None = None
    partition: int = 0
    offset: int = 0
    headers: list[tuple[str, bytes]] = field(default_factory=list)


def _link() -> Record:
    link = LegLinkEvent.of(CAINIAO, LAPOSTE, source=LinkSource.LAST_MILE, provider="aftership",
                           linked_at=T0)  # fmt: skip
    return Record("legs", link.model_dump_json().encode(), link.key.encode())


def _status() -> Record:
    event = ShipmentStatusEvent(
        event_id=uuid.uuid4(), provider="aftership", carrier=CAINIAO[0],
        tracking_number=CAINIAO[1], status=ShipmentStatus.IN_TRANSIT,
        occurred_at=T0 + timedelta(hours=1), received_at=T0, raw_event_id=uuid.uuid4(),
    )  # fmt: skip
    return Record("status", event.model_dump_json().encode(), f"{CAINIAO[0]}:{CAINIAO[1]}".encode())


def _starter() -> StartTracking:
    source = FakeSource("aftership", Mode.PUSH, frozenset({"cainiao", "laposte"}))
    return StartTracking([source], ("aftership",), {})


async def _intake(pool: asyncpg.Pool) -> LegIntake:
    async with pool.acquire() as conn:
        await migrate(conn)
    return LegIntake(
        pool, _starter(), TOPICS, TrackerMetrics(CollectorRegistry()), SchedulePolicy(),
        DeadLetterQueue(RecordingSink(), "dlq"), clock=SettableClock(T0), rng=random.Random(1),
        legs_topic="legs",
    )  # fmt: skip


async def _followed(pool: asyncpg.Pool) -> list[tuple[str, ...]]:
    rows = await pool.fetch(
        "SELECT t.carrier, t.tracking_number, l.merchant_id, l.order_number FROM trackings t"
        " JOIN tracking_links l ON l.tracking_id = t.id ORDER BY 1, 2"
    )
    return [tuple(r) for r in rows]


async def _follow_first_leg(intake: LegIntake, pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        await intake.starter.start(
            conn, StartRequest(CAINIAO[1], CAINIAO[0], merchant_id="shop-a", order_number="1001"),
            T0,
        )  # fmt: skip


EXPECTED = [("cainiao", CAINIAO[1], "shop-a", "1001"), ("laposte", LAPOSTE[1], "shop-a", "1001")]


async def test_a_link_after_the_first_leg_is_followed_starts_the_next_once(
    pg_pool: asyncpg.Pool,
) -> None:
    intake = await _intake(pg_pool)
    await _follow_first_leg(intake, pg_pool)
    await intake.process([_link(), _link()])
    await intake.process([_link(), _status()])
    assert await _followed(pg_pool) == EXPECTED


async def test_a_link_before_the_first_leg_is_followed_waits_for_its_events(
    pg_pool: asyncpg.Pool,
) -> None:
    intake = await _intake(pg_pool)
    await intake.process([_link()])
    assert await _followed(pg_pool) == []
    await _follow_first_leg(intake, pg_pool)
    await intake.process([_status()])
    assert await _followed(pg_pool) == EXPECTED


@pytest.fixture
async def api(pg_pool: asyncpg.Pool) -> AsyncIterator[tuple[httpx.AsyncClient, RecordingSink]]:
    async with pg_pool.acquire() as conn:
        await migrate(conn)
    sink = RecordingSink()
    starter = _starter()
    context = ApiContext(
        pool=pg_pool, starter=starter,
        merchants=MerchantKeys((("shop-a", KEY), ("shop-b", "o" * 24))),
        metrics=TrackerMetrics(CollectorRegistry()), sources={}, clock=SettableClock(T0),
        legs_out=LegPublisher(sink, "legs"),
    )  # fmt: skip

    async def ready() -> bool:
        return True

    transport = httpx.ASGITransport(app=create_api(context, ready), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://tracker") as http:
        body = {"tracking_number": CAINIAO[1], "carrier": "cainiao", "order_number": "1001"}
        assert (await http.post("/v1/trackings", json=body, headers=AUTH)).status_code == 201
        yield http, sink


async def test_the_legs_api_tracks_and_publishes_the_next_leg(
    api: tuple[httpx.AsyncClient, RecordingSink],
) -> None:
    http, sink = api
    path = f"/v1/trackings/cainiao/{CAINIAO[1]}/legs"
    body = {"carrier": "La Poste", "tracking_number": "6a 1898 7654 321"}
    first = await http.post(path, json=body, headers=AUTH)
    assert first.status_code == 201, first.text
    leg = first.json()
    assert (leg["carrier"], leg["tracking_number"]) == LAPOSTE
    assert leg["orders"] == [{"order_number": "1001", "title": None}]
    again = await http.post(path, json=body, headers=AUTH)
    assert again.status_code == 200
    published = [LegLinkEvent.model_validate_json(r.value) for r in sink.on("legs")]
    assert {(p.from_key, p.to_key, p.source, p.merchant_id) for p in published} == {
        ("cainiao:LP00598765432101", "laposte:6A18987654321", LinkSource.API, "shop-a")
    }


@pytest.mark.parametrize(
    ("path", "body", "headers", "status", "error"),
    [
        ("cainiao/LP00598765432101", {"carrier": "laposte", "tracking_number": "6A1"}, {}, 401,
         "unauthorized"),
        ("cainiao/LP00598765432101", {"carrier": "laposte", "tracking_number": "6A18987654321"},
         {"Authorization": "Bearer " + "o" * 24}, 404, "not_found"),  # another merchant's
        ("cainiao/LP000", {"carrier": "laposte", "tracking_number": "6A18987654321"}, AUTH, 404,
         "not_found"),
        ("cainiao/LP00598765432101", {"carrier": "nowhere-post", "tracking_number": "6A1898"},
         AUTH, 422, "unknown_carrier"),
        ("cainiao/LP00598765432101", {"carrier": "cainiao", "tracking_number": "lp00598765432101"},
         AUTH, 422, "same_leg"),
        ("cainiao/LP00598765432101", {"carrier": "laposte", "tracking_number": "6" * 60}, AUTH,
         422, "tracking_number_too_long"),
        ("cainiao/LP00598765432101", {"carrier": "laposte"}, AUTH, 422, "invalid_request"),
    ],
)  # fmt: skip
async def test_the_legs_api_refuses_precisely(
    api: tuple[httpx.AsyncClient, RecordingSink],
    path: str, body: dict[str, str], headers: dict[str, str], status: int, error: str,
) -> None:  # fmt: skip
    http, sink = api
    answer = await http.post(f"/v1/trackings/{path}/legs", json=body, headers=headers)
    assert (answer.status_code, answer.json()["error"]) == (status, error), answer.text
    assert sink.on("legs") == []
