"""The merchant API and the shopper's tracking form on PostgreSQL (the app in-process, nothing
consumed): policy validation, filters and pages, precise refusals (400, 401, 404, 409), the
deposit receipt's number entered by the shopper, and the shareable token opening nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import asyncpg
import pytest
from pydantic import SecretStr

from suivi_aftersales.adapters import pg_orders
from suivi_aftersales.bootstrap import AftersalesService, bootstrap
from suivi_aftersales.db.migrate import migrate
from suivi_aftersales.domain.policy import Line, OrderFacts, RequestedItem
from suivi_aftersales.settings import AftersalesSettings
from suivi_aftersales.testing.builders import T0, order_event
from suivi_aftersales.testing.harness import ATELIER, KEYS, NORTHWIND, SettableClock, client
from suivi_infra.openapi_probe import undocumented_answers
from suivi_infra.tokens import TokenSettings, share_token, status_token
from suivi_schemas.order_state import OrderState
from suivi_schemas.returns import ReturnMethod


@pytest.fixture
async def app_only(pg_pool: asyncpg.Pool) -> AftersalesService:
    async with pg_pool.acquire() as conn:
        await migrate(conn)
    settings = AftersalesSettings(merchant_keys=SecretStr(KEYS), metrics_port=0)
    return await bootstrap(settings, pool=pg_pool, clock=SettableClock())


def facts(n: int) -> OrderFacts:
    return OrderFacts("atelier", f"A-{n}", False, T0, {"l1": Line("l1", "Chemise", "S", 3)}, "en")


async def make_returns(service: AftersalesService, count: int) -> list[str]:
    ids = []
    for n in range(count):
        item = [RequestedItem("l1", 1, "too_small")]
        ret = await service.returns.request(facts(n), item, ReturnMethod.OWN_SHIPMENT, None, f"{n}")
        ids.append(ret.return_id)
    return ids


async def test_policy_is_validated_and_per_merchant(app_only: AftersalesService) -> None:
    async with client(app_only) as http:
        assert (await http.get("/v1/returns/policy", headers=ATELIER)).status_code == 404
        bad = await http.put("/v1/returns/policy", headers=ATELIER,
                             json={"reminder_days": 10, "expire_days": 3})  # fmt: skip
        assert bad.status_code == 400 and bad.json()["error"] == "invalid_request"
        unknown = await http.put("/v1/returns/policy", headers=ATELIER, json={"windw_days": 3})
        assert unknown.status_code == 400
        not_json = await http.put("/v1/returns/policy", headers=ATELIER, content=b"{nope")
        assert not_json.status_code == 400
        nan = await http.put("/v1/returns/policy", headers=ATELIER,
                             content=b'{"window_days": NaN}')  # fmt: skip
        assert nan.status_code == 400
        ok = await http.put("/v1/returns/policy", headers=ATELIER, json={"window_days": 14})
        assert ok.status_code == 200 and ok.json()["window_days"] == 14
        assert (await http.get("/v1/returns/policy", headers=NORTHWIND)).status_code == 404
        wrong = await http.get("/v1/returns/policy", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"


async def test_list_filters_and_pages(app_only: AftersalesService) -> None:
    async with client(app_only) as http:
        await http.put("/v1/returns/policy", headers=ATELIER, json={"methods": ["own_shipment"]})
    ids = sorted(await make_returns(app_only, 5))
    async with client(app_only) as http:
        await http.post(f"/v1/returns/{ids[0]}/approve", headers=ATELIER)
        first = (await http.get("/v1/returns", headers=ATELIER, params={"limit": 3})).json()
        assert [r["return_id"] for r in first["returns"]] == ids[:3]
        after = first["next_after"]
        rest = (await http.get("/v1/returns", headers=ATELIER, params={"after": after})).json()
        assert [r["return_id"] for r in rest["returns"]] == ids[3:]
        assert rest["next_after"] is None
        approved = await http.get("/v1/returns", headers=ATELIER, params={"state": "approved"})
        assert [r["return_id"] for r in approved.json()["returns"]] == [ids[0]]
        by_order = await http.get("/v1/returns", headers=ATELIER, params={"order_number": "A-2"})
        assert len(by_order.json()["returns"]) == 1
        assert (await http.get("/v1/returns?state=lost", headers=ATELIER)).status_code == 400
        assert (await http.get("/v1/returns?limit=0", headers=ATELIER)).status_code == 400
        assert (await http.get("/v1/returns/R-NOPE", headers=ATELIER)).status_code == 404
        rejected = await http.post(f"/v1/returns/{ids[1]}/reject", headers=ATELIER,
                                   json={"reason": "Worn"})  # fmt: skip
        assert rejected.json()["rejection_reason"] == "Worn"
        late = await http.post(f"/v1/returns/{ids[1]}/approve", headers=ATELIER)
        assert late.status_code == 409
        money = await http.post(f"/v1/returns/{ids[2]}/refund", headers=ATELIER,
                                json={"amount": "1.999", "currency": "EUR"})  # fmt: skip
        assert money.status_code == 400


async def test_the_shopper_enters_the_deposit_receipt_number(
    app_only: AftersalesService, pg_pool: asyncpg.Pool
) -> None:
    key = TokenSettings().token_key
    async with pg_pool.acquire() as conn:
        state = OrderState().apply(order_event(number="A-0"))
        await pg_orders.save_order(conn, "atelier", "A-0", status_token(key, "atelier", "A-0"),
                                   state)  # fmt: skip
    async with client(app_only) as http:
        await http.put("/v1/returns/policy", headers=ATELIER, json={"methods": ["own_shipment"]})
    [rma] = await make_returns(app_only, 1)
    token = status_token(key, "atelier", "A-0")
    async with client(app_only) as http:
        await http.post(f"/v1/returns/{rma}/approve", headers=ATELIER)
        page = await http.get(f"/orders/{token}/returns/{rma}?lang=en")
        assert "Pack the items with a note saying" in page.text
        found = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert found
        url = f"/orders/{token}/returns/{rma}/tracking?lang=en"
        bad = await http.post(url, data={"csrf": found.group(1), "tracking_number": "x\u200b",
                                         "carrier": ""})  # fmt: skip
        assert bad.status_code == 422 and "deposit receipt" in bad.text
        cross = await http.post(url, headers={"Sec-Fetch-Site": "cross-site"},
                                data={"csrf": found.group(1), "tracking_number": "6A99999999996",
                                      "carrier": "laposte"})  # fmt: skip
        assert cross.status_code == 403
        ok = await http.post(url, data={"csrf": found.group(1), "tracking_number": "6A99999999996",
                                        "carrier": "laposte"})  # fmt: skip
        assert ok.status_code == 303
        shown = await http.get(ok.headers["location"])
        assert "laposte 6A99999999996" in shown.text
        # The shareable page's token opens nothing here; neither does another order's RMA.
        shared = await http.get(f"/orders/{share_token(key, 'atelier', 'A-0')}/returns")
        assert shared.status_code == 404
        assert (await http.get(f"/orders/{token}/returns/R-NOPE")).status_code == 404
        # No receipt before the carrier's first scan.
        assert (await http.get(f"/orders/{token}/returns/{rma}/receipt.pdf")).status_code == 404
    app_only.clock.advance(timedelta(days=1))  # type: ignore[attr-defined]


async def test_every_answer_is_in_the_openapi_document(app_only: AftersalesService) -> None:
    async with client(app_only) as http:
        await http.put("/v1/returns/policy", headers=ATELIER, json={"methods": ["own_shipment"]})
        spec = (await http.get("/openapi.json")).json()
        assert not any(p.startswith("/orders/") for p in spec["paths"])  # pages: not an API
        assert await undocumented_answers(http, spec, auth=ATELIER) == {}


async def test_form_posts_are_rate_limited_per_page(pg_pool: asyncpg.Pool) -> None:
    async with pg_pool.acquire() as conn:
        await migrate(conn)
        key = TokenSettings().token_key
        state = OrderState().apply(order_event(number="A-9"))
        await pg_orders.save_order(conn, "atelier", "A-9", status_token(key, "atelier", "A-9"),
                                   state)  # fmt: skip
    settings = AftersalesSettings(merchant_keys=SecretStr(KEYS), metrics_port=0,
                                  page_posts_per_hour=2)  # fmt: skip
    service = await bootstrap(settings, pool=pg_pool, clock=SettableClock())
    token = status_token(key, "atelier", "A-9")
    async with client(service) as http:
        answers = [(await http.post(f"/orders/{token}/returns", data={})).status_code
                   for _ in range(3)]  # fmt: skip
        assert answers[:2] == [403, 403]  # no form token: refused, and counted
        limited = await http.post(f"/orders/{token}/returns?lang=en", data={})
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0
        assert "Too many attempts" in limited.text
        service.clock.advance(timedelta(hours=1))  # type: ignore[attr-defined]
        assert (await http.post(f"/orders/{token}/returns", data={})).status_code == 403
