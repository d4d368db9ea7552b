"""The merchant API on PostgreSQL: created / existing, detection and uncertainty, needs_info
resolved by a postal code, re-routing, stop, keyset pages scoped to the merchant, and precise
4xx for bad input (never a 500)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from prometheus_client import CollectorRegistry

from suivi_infra.merchant_keys import MerchantKeys
from suivi_infra.openapi_probe import JSON, Probe, undocumented_answers
from suivi_tracker.api.deps import ApiContext
from suivi_tracker.app import create_api
from suivi_tracker.db.migrate import migrate
from suivi_tracker.domain.sources import Mode
from suivi_tracker.handlers.start import StartTracking
from suivi_tracker.metrics import TrackerMetrics
from suivi_tracker.testing.fakes import FakeSource
from suivi_tracker.testing.harness import T0, SettableClock

pytestmark = pytest.mark.integration
KEY_A, KEY_B = "a" * 24, "b" * 24
AUTH_A = {"Authorization": f"Bearer {KEY_A}"}
AUTH_B = {"Authorization": f"Bearer {KEY_B}"}
UPS = "1Z999AA10123456784"  # valid check digit: ups at 0.95
AMBIGUOUS = "9261292700768711948021"  # 92… IMpb: usps 0.65, fedex 0.35 …


@pytest.fixture
def laposte() -> FakeSource:
    return FakeSource("laposte", Mode.POLL, frozenset({"laposte"}), requires=("postal_code",))


@pytest.fixture
def easypost() -> FakeSource:
    return FakeSource("easypost", Mode.PUSH, frozenset({"ups", "usps", "fedex"}))


@pytest.fixture
async def client(
    pg_pool: asyncpg.Pool, laposte: FakeSource, easypost: FakeSource
) -> AsyncIterator[httpx.AsyncClient]:
    async with pg_pool.acquire() as conn:
        await migrate(conn)
    sources = [laposte, easypost]
    context = ApiContext(
        pool=pg_pool,
        starter=StartTracking(sources, ("easypost",), {}),
        merchants=MerchantKeys((("shop-a", KEY_A), ("shop-b", KEY_B))),
        metrics=TrackerMetrics(CollectorRegistry()),
        sources={s.name: s for s in sources},
        clock=SettableClock(),
    )

    async def ready() -> bool:
        return True

    api = create_api(context, ready)
    transport = httpx.ASGITransport(app=api, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://tracker") as http:
        yield http


async def test_created_then_existing_with_detection(client: httpx.AsyncClient) -> None:
    body = {"tracking_number": "1z 999 aa1 0123 4567 84", "order_number": "1001"}
    first = await client.post("/v1/trackings", json=body, headers=AUTH_A)
    assert first.status_code == 201, first.text
    created = first.json()
    assert (created["carrier"], created["tracking_number"]) == ("ups", UPS)
    assert (created["source"], created["mode"], created["state"]) == ("easypost", "push", "pending")
    assert created["candidates"][0]["carrier"] == "ups"
    assert created["orders"] == [{"order_number": "1001", "title": None}]
    again = await client.post("/v1/trackings", json=body, headers=AUTH_B)
    assert again.status_code == 200
    read = await client.get(f"/v1/trackings/ups/{UPS}", headers=AUTH_B)
    assert read.status_code == 200 and read.json()["orders"][0]["order_number"] == "1001"


async def test_ambiguous_number_is_tracked_as_carrier_uncertain(client: httpx.AsyncClient) -> None:
    answer = await client.post("/v1/trackings", json={"tracking_number": AMBIGUOUS}, headers=AUTH_A)
    assert answer.status_code == 201
    tracking = answer.json()
    assert tracking["state"] == "carrier_uncertain" and tracking["carrier"] == "usps"
    assert [c["carrier"] for c in tracking["candidates"]][:2] == ["usps", "fedex"]
    assert tracking["source"] == "easypost"


async def test_needs_info_then_resolved_by_a_postal_code(client: httpx.AsyncClient) -> None:
    body = {"tracking_number": "6A12345678901", "carrier": "La Poste"}
    answer = await client.post("/v1/trackings", json=body, headers=AUTH_A)
    assert answer.status_code == 201
    assert (answer.json()["state"], answer.json()["needs"]) == ("needs_info", ["postal_code"])
    patch = {"destination": {"postal_code": "75001", "country": "FR"}}
    fixed = await client.patch("/v1/trackings/laposte/6A12345678901", json=patch, headers=AUTH_A)
    assert fixed.status_code == 200, fixed.text
    assert (fixed.json()["state"], fixed.json()["needs"]) == ("pending", [])


async def test_carrier_correction_reroutes_and_stops_the_old_one(
    client: httpx.AsyncClient,
) -> None:
    body = {"tracking_number": AMBIGUOUS, "order_number": "7"}
    await client.post("/v1/trackings", json=body, headers=AUTH_A)
    fixed = await client.patch(
        f"/v1/trackings/usps/{AMBIGUOUS}", json={"carrier": "fedex"}, headers=AUTH_A
    )
    assert fixed.status_code == 200, fixed.text
    assert (fixed.json()["carrier"], fixed.json()["state"]) == ("fedex", "pending")
    assert fixed.json()["orders"] == [{"order_number": "7", "title": None}]
    gone = await client.get(f"/v1/trackings/usps/{AMBIGUOUS}", headers=AUTH_A)
    assert gone.status_code == 404


async def test_delete_stops_when_the_last_follower_leaves(
    client: httpx.AsyncClient, pg_pool: asyncpg.Pool
) -> None:
    for auth in (AUTH_A, AUTH_B):
        await client.post("/v1/trackings", json={"tracking_number": UPS}, headers=auth)
    assert (await client.delete(f"/v1/trackings/ups/{UPS}", headers=AUTH_A)).status_code == 204
    assert (await client.get(f"/v1/trackings/ups/{UPS}", headers=AUTH_A)).status_code == 404
    assert (await client.get(f"/v1/trackings/ups/{UPS}", headers=AUTH_B)).json()[
        "state"
    ] == "pending"
    assert (await client.delete(f"/v1/trackings/ups/{UPS}", headers=AUTH_B)).status_code == 204
    async with pg_pool.acquire() as conn:
        row = await conn.fetchrow("SELECT state, next_due_at FROM trackings")
    assert (row["state"], row["next_due_at"]) == ("stopped", None)
    assert (await client.delete(f"/v1/trackings/ups/{UPS}", headers=AUTH_B)).status_code == 404
    again = await client.post("/v1/trackings", json={"tracking_number": UPS}, headers=AUTH_B)
    assert (again.status_code, again.json()["state"]) == (200, "pending")  # followed again


async def test_pages_are_keyset_and_scoped_to_the_merchant(client: httpx.AsyncClient) -> None:
    lines = "\n".join(f'{{"tracking_number": "1Z999AA1012345{i:04d}"}}' for i in range(7))
    batch = await client.post(
        "/v1/trackings/batch", content=lines,
        headers={**AUTH_A, "Content-Type": "application/x-ndjson"},
    )  # fmt: skip
    assert batch.status_code == 200 and batch.json()["created"] == 7
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": "3", **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/v1/trackings", params=params, headers=AUTH_A)).json()
        seen += [t["tracking_number"] for t in page["trackings"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 7 == len(set(seen))
    other = await client.get("/v1/trackings", headers=AUTH_B)
    assert other.json()["trackings"] == []
    filtered = await client.get("/v1/trackings", params={"state": "active"}, headers=AUTH_A)
    assert filtered.json()["trackings"] == []


async def test_batch_csv_answers_per_line(client: httpx.AsyncClient) -> None:
    csv = (
        "tracking_number,carrier,postal_code,order_number\n"
        f"{UPS},ups,,1\n"
        "HELLO!,,,2\n"
        f"{UPS},nosuchcarrier,,3\n"
        "6A12345678901,laposte,75001,4\n"
    )
    answer = await client.post(
        "/v1/trackings/batch", content=csv, headers={**AUTH_A, "Content-Type": "text/csv"}
    )
    assert answer.status_code == 200, answer.text
    lines = answer.json()["lines"]
    assert [x["status"] for x in lines] == [201, 422, 422, 201]
    assert [x["error"]["error"] for x in lines if x["error"]] == [
        "tracking_number_invalid", "unknown_carrier",
    ]  # fmt: skip
    assert lines[3]["tracking"]["state"] == "pending"  # the postal code was given


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        (
            {"tracking_number": "1Z999AA10123456784", "carrier": "pigeon-post"},
            422,
            "unknown_carrier",
        ),
        ({"tracking_number": "9" * 41}, 422, "tracking_number_too_long"),
        ({"tracking_number": "12$4567890"}, 422, "tracking_number_invalid"),
        ({"tracking_number": "ZZZZZZZZZZ"}, 422, "carrier_not_detected"),
        ({"tracking_number": UPS, "destination": {"country": "France"}}, 422, "invalid_request"),
        ({"number": UPS}, 422, "invalid_request"),
    ],
)
async def test_bad_input_gets_a_precise_4xx(
    client: httpx.AsyncClient, body: dict[str, object], status: int, error: str
) -> None:
    answer = await client.post("/v1/trackings", json=body, headers=AUTH_A)
    assert (answer.status_code, answer.json()["error"]) == (status, error), answer.text


async def test_auth_not_found_too_large_and_not_json(client: httpx.AsyncClient) -> None:
    body = {"tracking_number": UPS}
    for headers in ({}, {"Authorization": "Bearer wrong-key-wrong-key"}, {"Authorization": KEY_A}):
        answer = await client.post("/v1/trackings", json=body, headers=headers)
        assert answer.status_code == 401 and answer.headers["www-authenticate"] == "Bearer"
    assert (await client.get("/v1/trackings/ups/1Z1", headers=AUTH_A)).status_code == 404
    assert (await client.get("/v1/trackings/pigeon/ABC12345", headers=AUTH_A)).status_code == 404
    lines = "\n".join(f'{{"tracking_number": "{UPS}"}}' for _ in range(1001))
    big = await client.post(
        "/v1/trackings/batch", content=lines,
        headers={**AUTH_A, "Content-Type": "application/x-ndjson"},
    )  # fmt: skip
    assert (big.status_code, big.json()["error"]) == (413, "batch_too_large")
    xml = await client.post(
        "/v1/trackings/batch", content="<a/>", headers={**AUTH_A, "Content-Type": "text/xml"}
    )
    assert xml.status_code == 415
    broken = await client.post(
        "/v1/trackings", content="{", headers={**AUTH_A, "Content-Type": "application/json"}
    )
    assert (broken.status_code, broken.json()["error"]) == (400, "invalid_json")
    cursor = await client.get("/v1/trackings", params={"cursor": "%%%"}, headers=AUTH_A)
    assert cursor.status_code == 422


async def test_openapi_documents_every_answer(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    paths = spec["paths"]
    assert set(paths["/v1/trackings"]["post"]["responses"]) >= {"200", "201", "401", "422", "400"}
    assert set(paths["/v1/trackings/batch"]["post"]["responses"]) >= {"200", "401", "413", "415"}
    item = paths["/v1/trackings/{carrier}/{number}"]
    assert set(item["get"]["responses"]) >= {"200", "401", "404"}
    assert set(item["patch"]["responses"]) >= {"200", "401", "404", "422"}
    assert set(item["delete"]["responses"]) >= {"204", "401", "404"}


async def test_every_answer_is_in_the_openapi_document(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    extra = {
        "POST /v1/trackings/batch": [
            Probe({**AUTH_A, "content-type": "text/csv"}, b"nope\n1"),
            Probe({**AUTH_A, "content-type": "application/x-ndjson"}, b"\xff"),
        ]
    }
    assert await undocumented_answers(client, spec, auth=AUTH_A, extra=extra) == {}


@pytest.mark.parametrize("number", ["NaN", "Infinity", "1e999"])
async def test_numbers_json_does_not_have_are_malformed(
    client: httpx.AsyncClient, number: str
) -> None:
    body = b'{"tracking_number": "%s", "title": %s}' % (UPS.encode(), number.encode())
    answer = await client.post("/v1/trackings", content=body, headers={**AUTH_A, **JSON})
    assert (answer.status_code, answer.json()["error"]) == (400, "invalid_json")


async def test_unsupported_trackings_are_routed_once_a_source_serves_them(
    client: httpx.AsyncClient, pg_pool: asyncpg.Pool
) -> None:
    body = {"tracking_number": "1234567890", "carrier": "dhl"}
    answer = await client.post("/v1/trackings", json=body, headers=AUTH_A)
    assert (answer.json()["state"], answer.json()["source"]) == ("unsupported", None)
    dhl = FakeSource("dhl", Mode.POLL, frozenset({"dhl"}))
    async with pg_pool.acquire() as conn:
        assert await StartTracking([dhl], (), {}).reroute_unsupported(conn, T0) == 1
    again = (await client.get("/v1/trackings/dhl/1234567890", headers=AUTH_A)).json()
    assert (again["state"], again["source"], again["mode"]) == ("pending", "dhl", "poll")
