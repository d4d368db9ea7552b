"""Merchant analytics against PostgreSQL: every figure checked against a hand computation."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime

import asyncpg
import pytest
from pydantic import SecretStr

from suivi_projections.db.migrate import migrate
from suivi_projections.query.analytics import (
    CarrierRates,
    CarrierTimes,
    DailyPoint,
    MerchantAnalytics,
    PostgresAnalytics,
    RegionTimes,
    StallPlace,
    StallStatus,
    merchant_analytics,
)
from suivi_projections.query.live import LiveHub
from suivi_projections.testing.browser import asgi_client
from suivi_projections.testing.fakes import FakeReadModel
from suivi_projections.testing.samples import order_event, status_event
from suivi_projections.web.app import create_api
from suivi_projections.web.settings import ApiSettings
from suivi_projections.write.batch import apply_batch
from suivi_schemas import OrderEvent, ShipmentStatus, ShipmentStatusEvent
from suivi_schemas.orders import Address

S = ShipmentStatus
MARCH_1, MARCH_31 = date(2025, 3, 1), date(2025, 3, 31)


def t(month: int, day: int, hour: int = 0, minute: int = 0, year: int = 2025) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def parcel(
    carrier: str, number: str, *steps: tuple[datetime, ShipmentStatus]
) -> list[ShipmentStatusEvent]:
    return [status_event(carrier, number, at, status) for at, status in steps]


def order(
    merchant: str,
    number: str,
    placed_at: datetime,
    parcels: Sequence[tuple[str, str]],
    *,
    country: str = "FR",
    region: str | None = None,
    shipped_at: datetime | None = None,
    cancelled: Sequence[str] = (),
) -> OrderEvent:
    event = order_event(
        merchant,
        number,
        placed_at=placed_at,
        shipments=[(carrier, tn, [("li-1", 1)]) for carrier, tn in parcels],
        shipped_at=shipped_at,
        cancelled_shipments=cancelled,
    )
    address = Address(name="Camille Martin", line1="1 rue X", country=country, region=region)
    return event.model_copy(update={"shipping_address": address})


# Merchant A, range March 2025 (UTC). Days = delivered_at - start; start = insight pickup_at,
# else the order's shipped_at, else the first event.
#   A1 ups       FR/IDF  03-02 10:00 → 03-04 10:00  2 d   promised 03-04   on time
#   A2 ups       FR/IDF  shipped 03-05 12:00 → 03-09 12:00  4 d (not 4.125 from its first
#                        event at 09:00)  no estimate; a failed attempt
#   A3 ups       DE      pickup 03-10 00:00 → 03-11  1 d (not 1.25 from 03-09 18:00)
#                        predicted 03-10 only: late; generation 2 (generation 1, 2024, had
#                        an exception that is not A3's)
#   A4 dhl       FR/ARA  03-12 → 03-17  5 d   promised 03-18   on time; an exception
#   A5 dhl       DE      03-20 → 03-23  3 d   promised 03-21 (predicted 03-25 ignored): late
#   A6 colissimo FR      03-25 23:30 → 03-31 23:30  6 d  predicted 03-31: on time (last day)
#   A7 colissimo FR/IDF  03-29 → 04-01 00:00: delivered after the range; a failed attempt
#   A8 ups       FR/IDF  02-26 → 03-01 00:00  3 d: delivered on the first instant; started
#                        before the range; an exception (not counted: not started in range)
#   A9 dhl       FR      03-15, still in transit; an exception and a failed attempt
#   A10 ups      FR      02-25 23:59 → 02-28 23:59: outside both populations
#   A11 ups      FR      cancelled link, delivered in range: never counted
#   A1 is linked by two orders of A: counted once, with the newer order's address (IDF).
# Merchant B: B1 ups FR 03-01 → 03-11 (10 d), an exception and a failed attempt.
def data_set() -> tuple[list[ShipmentStatusEvent], list[OrderEvent]]:
    tr, dl, ex, fa = S.IN_TRANSIT, S.DELIVERED, S.EXCEPTION, S.DELIVERY_ATTEMPT_FAILED
    events = [
        *parcel("ups", "A1", (t(3, 2, 10), tr), (t(3, 4, 10), dl)),
        *parcel("ups", "A2", (t(3, 5, 9), S.INFO_RECEIVED), (t(3, 8, 12), fa),
                (t(3, 9, 12), dl)),
        *parcel("ups", "A3", (t(9, 28, year=2024), tr), (t(9, 29, year=2024), ex),
                (t(10, 1, year=2024), dl)),
        *parcel("ups", "A3", (t(3, 9, 18), S.INFO_RECEIVED), (t(3, 10), tr), (t(3, 11), dl)),
        *parcel("dhl", "A4", (t(3, 12), tr), (t(3, 13), ex), (t(3, 17), dl)),
        *parcel("dhl", "A5", (t(3, 20), tr), (t(3, 23), dl)),
        *parcel("colissimo", "A6", (t(3, 25, 23, 30), tr), (t(3, 31, 23, 30), dl)),
        *parcel("colissimo", "A7", (t(3, 29), tr), (t(3, 31), fa), (t(4, 1), dl)),
        *parcel("ups", "A8", (t(2, 26), tr), (t(2, 27), ex), (t(3, 1), dl)),
        *parcel("dhl", "A9", (t(3, 15), tr), (t(3, 16), ex), (t(3, 17), fa)),
        *parcel("ups", "A10", (t(2, 25, 23, 59), tr), (t(2, 28, 23, 59), dl)),
        *parcel("ups", "A11", (t(3, 3), tr), (t(3, 4), dl)),
        *parcel("ups", "B1", (t(3, 1), tr), (t(3, 2), ex), (t(3, 5), fa), (t(3, 11), dl)),
    ]  # fmt: skip
    orders = [
        order("shop-a", "1", t(3, 2), [("ups", "A1")], region="ARA"),  # the newer order's wins
        order("shop-a", "1b", t(3, 2, 1), [("ups", "A1")], region="IDF"),
        order("shop-a", "2", t(3, 5), [("ups", "A2")], region="IDF", shipped_at=t(3, 5, 12)),
        order("shop-a", "3", t(3, 9, 12), [("ups", "A3")], country="DE"),
        order("shop-a", "4", t(3, 11), [("dhl", "A4")], region="ARA"),
        order("shop-a", "5", t(3, 19), [("dhl", "A5")], country="DE"),
        order("shop-a", "6", t(3, 25), [("colissimo", "A6")]),
        order("shop-a", "7", t(3, 28), [("colissimo", "A7")], region="IDF"),
        order("shop-a", "8", t(2, 25), [("ups", "A8")], region="IDF"),
        order("shop-a", "9", t(3, 14), [("dhl", "A9")]),
        order("shop-a", "10", t(2, 25), [("ups", "A10")]),
        order("shop-a", "11", t(3, 2), [("ups", "A11")], cancelled=["A11"]),
        order("shop-b", "1", t(2, 28), [("ups", "B1")], region="IDF"),
    ]
    return events, orders


INSIGHTS = [  # carrier, number, generation, pickup_at, promised_latest, predicted_latest
    ("ups", "A1", 1, None, date(2025, 3, 4), None),
    ("ups", "A3", 2, t(3, 10), None, date(2025, 3, 10)),
    ("dhl", "A4", 1, None, date(2025, 3, 18), date(2025, 3, 14)),
    ("dhl", "A5", 1, None, date(2025, 3, 21), date(2025, 3, 25)),
    ("colissimo", "A6", 1, None, None, date(2025, 3, 31)),
    ("ups", "A11", 1, None, date(2025, 3, 4), None),
    ("ups", "B1", 1, None, date(2025, 3, 5), None),
]
LEIPZIG = {"city": "Leipzig", "region": "SN", "postal_code": "04103", "country": "DE"}
PARIS = {"city": "Paris", "region": None, "postal_code": None, "country": "FR"}
LYON = {"city": "Lyon", "region": None, "postal_code": None, "country": "FR"}
# Stalled episodes of A in March: e1, e2 (A9, in transit, Leipzig), e3 (A4, exception, Lyon),
# e4 (A2, in transit, no place). Not counted: e1's recovery, A5's late alert, e5 (A7, detected
# 04-01 00:00), e6 (A8, detected in February), e7 (B1's).
ALERTS = [  # episode, kind, episode kind, carrier, number, status, location, detected_at
    ("e1", "stalled", "stalled", "dhl", "A9", "in_transit", LEIPZIG, t(3, 16, 12)),
    ("e1", "recovered", "stalled", "dhl", "A9", "out_for_delivery", PARIS, t(3, 17)),
    ("e2", "stalled", "stalled", "dhl", "A9", "in_transit", LEIPZIG, t(3, 20)),
    ("e3", "stalled", "stalled", "dhl", "A4", "exception", LYON, t(3, 14)),
    ("e4", "stalled", "stalled", "ups", "A2", "in_transit", None, t(3, 7)),
    ("e5", "stalled", "stalled", "colissimo", "A7", "in_transit", LYON, t(4, 1)),
    ("e6", "stalled", "stalled", "ups", "A8", "in_transit", LYON, t(2, 28)),
    ("e8", "late", "late", "dhl", "A5", "in_transit", LEIPZIG, t(3, 22)),
    ("e7", "stalled", "stalled", "ups", "B1", "in_transit", LEIPZIG, t(3, 10)),
]


@pytest.fixture
async def pool(pg_pool: asyncpg.Pool) -> asyncpg.Pool:
    events, orders = data_set()
    async with pg_pool.acquire() as conn:
        await migrate(conn)
        async with conn.transaction():
            await apply_batch(conn, events, orders)
        await conn.executemany(
            # The projector may have created the row (due for the monitor): the monitor's part.
            "INSERT INTO shipment_insights (carrier, tracking_number, generation, pickup_at,"
            " promised_latest, predicted_latest) VALUES ($1, $2, $3, $4, $5, $6)"
            " ON CONFLICT (carrier, tracking_number, generation) DO UPDATE SET"
            " pickup_at = $4, promised_latest = $5, predicted_latest = $6",
            INSIGHTS,
        )
        await conn.executemany(
            "INSERT INTO shipment_alerts (event_id, episode_id, kind, episode_kind, carrier,"
            " tracking_number, generation, status, location, last_event_at, detected_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8::jsonb, $9, $9)",
            [
                (uuid.uuid4(), uuid.uuid5(uuid.NAMESPACE_OID, e), k, ek, c, n, s,
                 None if loc is None else json.dumps(loc), at)
                for e, k, ek, c, n, s, loc, at in ALERTS
            ],
        )  # fmt: skip
    return pg_pool


async def a_in_march(pool: asyncpg.Pool) -> MerchantAnalytics:
    return await merchant_analytics(pool, "shop-a", MARCH_1, MARCH_31)


async def test_the_data_set_is_what_the_hand_computation_assumes(pool: asyncpg.Pool) -> None:
    rows = await pool.fetch(
        "SELECT tracking_number, generation, state FROM order_shipments ORDER BY 1, 2"
    )
    linked = {(r[0], r[1], r[2]) for r in rows}
    assert ("A3", 2, "active") in linked
    assert ("A11", 1, "cancelled") in linked
    delivered = await pool.fetchval(
        "SELECT delivered_at FROM shipments WHERE tracking_number = 'A6'"
    )
    assert delivered == t(3, 31, 23, 30)


async def test_delivery_times_overall(pool: asyncpg.Pool) -> None:
    overall = (await a_in_march(pool)).deliveries
    # A1..A6 and A8: days [1, 2, 3, 3, 4, 5, 6]; median the 4th = 3;
    # p90 at (7 - 1) * 0.9 = 5.4: 5 + 0.4 * (6 - 5) = 5.4.
    assert overall.deliveries == 7
    assert overall.median_days == pytest.approx(3.0)
    assert overall.p90_days == pytest.approx(5.4)
    # Estimates: A1, A3, A4, A5, A6 (A2, A8 none); on time A1, A4, A6 → 3 / 5.
    assert (overall.with_estimate, overall.without_estimate, overall.on_time) == (5, 2, 3)
    assert overall.on_time_rate == pytest.approx(0.6)


async def test_delivery_times_per_carrier(pool: asyncpg.Pool) -> None:
    by_carrier = (await a_in_march(pool)).by_carrier
    # ups: A3 1, A1 2, A8 3, A2 4 → median 2.5, p90 at 2.7: 3 + 0.7 = 3.7; estimates A1 (on
    # time), A3 (late). dhl: A5 3, A4 5 → median 4, p90 3 + 0.9 * 2 = 4.8; A4 on time, A5 late.
    # colissimo: A6 6, on time. Most deliveries first.
    assert by_carrier == (
        CarrierTimes(4, 2.5, 3.7, 2, 2, 1, 0.5, carrier="ups"),
        CarrierTimes(2, 4.0, 4.8, 2, 0, 1, 0.5, carrier="dhl"),
        CarrierTimes(1, 6.0, 6.0, 1, 0, 1, 1.0, carrier="colissimo"),
    )


async def test_delivery_times_per_country_and_region(pool: asyncpg.Pool) -> None:
    by_region = (await a_in_march(pool)).by_region
    # DE: A3 1, A5 3 → median 2, p90 1 + 0.9 * 2 = 2.8; both late. No region in DE addresses.
    # FR: A1 2, A8 3, A2 4, A4 5, A6 6 → median 4, p90 at 3.6: 5 + 0.6 = 5.6; estimates A1,
    # A4, A6, all on time. FR/ARA: A4. FR/IDF: A1 2, A8 3, A2 4 → median 3, p90 3.8; A1 only
    # has an estimate. A6's FR address has no region: in FR only.
    assert by_region == (
        RegionTimes(2, 2.0, 2.8, 2, 0, 0, 0.0, country="DE", region=None),
        RegionTimes(5, 4.0, 5.6, 3, 2, 3, 1.0, country="FR", region=None),
        RegionTimes(1, 5.0, 5.0, 1, 0, 1, 1.0, country="FR", region="ARA"),
        RegionTimes(3, 3.0, 3.8, 1, 2, 1, 1.0, country="FR", region="IDF"),
    )


async def test_exception_and_failed_attempt_rates(pool: asyncpg.Pool) -> None:
    found = await a_in_march(pool)
    # Started in March: A1, A2, A3 (ups), A4, A5, A9 (dhl), A6, A7 (colissimo) = 8; not A8,
    # A10 (February), A11 (cancelled). Exceptions: A4, A9 (A3's is generation 1's, A8's not
    # in range) = 2/8; failed attempts: A2, A7, A9 = 3/8.
    assert (found.rates.shipments, found.rates.with_exception) == (8, 2)
    assert found.rates.with_failed_attempt == 3
    assert found.rates.exception_rate == pytest.approx(0.25)
    assert found.rates.failed_attempt_rate == pytest.approx(0.375)
    # dhl 3 (A4, A9 exceptions; A9 failed), ups 3 (A2 failed), colissimo 2 (A7 failed).
    assert found.rates_by_carrier == (
        CarrierRates(3, 2, 1, 0.6667, 0.3333, carrier="dhl"),
        CarrierRates(3, 0, 1, 0.0, 0.3333, carrier="ups"),
        CarrierRates(2, 0, 1, 0.0, 0.5, carrier="colissimo"),
    )


async def test_stall_hotspots(pool: asyncpg.Pool) -> None:
    found = await a_in_march(pool)
    # e1..e4: in transit 3 (e1, e2, e4), exception 1 (e3); Leipzig 2, Lyon 1, unknown 1.
    assert found.stalled_episodes == 4
    assert found.stall_statuses == (StallStatus("in_transit", 3), StallStatus("exception", 1))
    assert found.stall_places == (
        StallPlace("Leipzig", "DE", 2),
        StallPlace("Lyon", "FR", 1),
        StallPlace(None, None, 1),
    )
    top = await merchant_analytics(pool, "shop-a", MARCH_1, MARCH_31, top=1)
    assert (top.stall_statuses, top.stall_places) == (
        (StallStatus("in_transit", 3),),
        (StallPlace("Leipzig", "DE", 2),),
    )
    assert top.stalled_episodes == 4
    none = await merchant_analytics(pool, "shop-a", MARCH_1, MARCH_31, top=0)
    assert (none.stalled_episodes, none.stall_statuses, none.stall_places) == (4, (), ())


async def test_daily_series_covers_every_day(pool: asyncpg.Pool) -> None:
    daily = (await a_in_march(pool)).daily
    assert [p.day for p in daily][:2] == [MARCH_1, date(2025, 3, 2)]
    assert len(daily) == 31 and daily[-1].day == MARCH_31
    busy = {p.day.day: (p.deliveries, p.median_days) for p in daily if p.deliveries}
    # A8 on the 1st, A1 4th, A2 9th, A3 11th, A4 17th, A5 23rd, A6 31st (23:30 UTC).
    assert busy == {1: (1, 3.0), 4: (1, 2.0), 9: (1, 4.0), 11: (1, 1.0), 17: (1, 5.0),
                    23: (1, 3.0), 31: (1, 6.0)}  # fmt: skip
    assert DailyPoint(date(2025, 3, 2), 0, None) in daily


async def test_range_boundaries_are_whole_utc_days(pool: asyncpg.Pool) -> None:
    first = await merchant_analytics(pool, "shop-a", MARCH_1, MARCH_1)
    # Delivered 03-01 00:00: A8 only (A10 at 02-28 23:59 is the day before).
    assert (first.deliveries.deliveries, first.deliveries.median_days) == (1, 3.0)
    assert first.rates.shipments == 0  # nothing started on the 1st
    last = await merchant_analytics(pool, "shop-a", MARCH_31, MARCH_31)
    # A6 at 23:30 is in; A7 at 04-01 00:00 is not.
    assert (last.deliveries.deliveries, last.deliveries.median_days) == (1, 6.0)
    assert last.stalled_episodes == 0  # e5 was detected at 04-01 00:00
    april = await merchant_analytics(pool, "shop-a", date(2025, 4, 1), date(2025, 4, 1))
    assert (april.deliveries.deliveries, april.stalled_episodes) == (1, 1)
    with pytest.raises(ValueError, match="after"):
        await merchant_analytics(pool, "shop-a", MARCH_31, MARCH_1)


async def test_days_are_utc_whatever_the_session_time_zone(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        await conn.execute("SET TIME ZONE 'America/New_York'")
        first = await merchant_analytics(conn, "shop-a", MARCH_1, MARCH_1)
        last = await merchant_analytics(conn, "shop-a", MARCH_31, MARCH_31)
    # A8 (03-01 00:00 UTC) and A6 (03-31 23:30 UTC), as above.
    assert (first.deliveries.deliveries, first.deliveries.median_days) == (1, 3.0)
    assert (last.deliveries.deliveries, last.deliveries.median_days) == (1, 6.0)
    assert [p.deliveries for p in first.daily] == [p.deliveries for p in last.daily] == [1]


async def test_another_merchants_data_never_leaks(pool: asyncpg.Pool) -> None:
    b = await merchant_analytics(pool, "shop-b", MARCH_1, MARCH_31)
    # B1 only: 10 days, promised 03-05 → late; an exception and a failed attempt; e7 Leipzig.
    assert (b.deliveries.deliveries, b.deliveries.median_days, b.deliveries.on_time) == (1, 10, 0)
    assert [c.carrier for c in b.by_carrier] == ["ups"]
    assert (b.rates.shipments, b.rates.with_exception, b.rates.with_failed_attempt) == (1, 1, 1)
    assert b.stall_places == (StallPlace("Leipzig", "DE", 1),)
    a = await a_in_march(pool)
    assert 10.0 not in {c.p90_days for c in a.by_carrier}
    assert a.deliveries.deliveries == 7 and a.stalled_episodes == 4


async def test_an_unknown_merchant_gets_zeros_not_errors(pool: asyncpg.Pool) -> None:
    found = await PostgresAnalytics(pool).merchant_analytics("shop-z", MARCH_1, MARCH_31)
    assert found.deliveries.deliveries == 0
    assert (found.deliveries.median_days, found.deliveries.on_time_rate) == (None, None)
    assert (found.rates.shipments, found.rates.exception_rate) == (0, None)
    assert (found.by_carrier, found.by_region, found.rates_by_carrier) == ((), (), ())
    assert (found.stalled_episodes, found.stall_statuses, found.stall_places) == (0, (), ())
    assert len(found.daily) == 31 and {p.deliveries for p in found.daily} == {0}


async def test_runs_inside_the_callers_transaction(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn, conn.transaction():
        found = await merchant_analytics(conn, "shop-a", MARCH_1, MARCH_31)
    assert found.deliveries.deliveries == 7


async def test_the_page_over_postgres_shows_aggregates_only(pool: asyncpg.Pool) -> None:
    keys = SecretStr("shop-a:key-a-0123456789abcdef")
    app = create_api(
        ApiSettings(merchant_keys=keys),
        FakeReadModel(),
        LiveHub(),
        analytics=PostgresAnalytics(pool),
    )
    async with asgi_client(app) as client:
        page = await client.get(
            "/merchant/analytics",
            params={"from": "2025-03-01", "to": "2025-03-31"},
            auth=("shop-a", "key-a-0123456789abcdef"),
        )
        body = await client.get(
            "/v1/merchant/analytics",
            params={"from": "2025-03-01", "to": "2025-03-31"},
            headers={"authorization": "Bearer key-a-0123456789abcdef"},
        )
    assert page.status_code == 200
    assert "60 % (3/5)" in page.text and "FR · IDF" in page.text and "Leipzig, DE" in page.text
    for private in ("Camille", "rue X", "shopper@example.com", "A11", "+3361"):
        assert private.lower() not in page.text.lower()
    assert body.json()["deliveries"]["p90_days"] == 5.4
