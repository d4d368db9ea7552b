"""Returns and claims pages against a real after-sales: filters, a return from approval to its
refund (the return parcel's scans through the broker), a claim answered, resolved and its
dossier downloaded; another merchant gets 404s, a form without its token a 403, staff may run
returns but not change the policy, every change is in the audit log (without its texts), and
after-sales away is a page saying so (503), never a 500."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import httpx

from suivi_aftersales.bootstrap import AftersalesService
from suivi_aftersales.testing.builders import T0, status_event
from suivi_aftersales.testing.harness import Topics, eventually, publish
from suivi_console.adapters import pg_accounts as pga
from suivi_console.bootstrap import ConsoleService
from suivi_console.domain.passwords import hash_password
from suivi_console.testing.desk import console_client, policy_form
from suivi_console.testing.harness import PASSWORD, Clock, form_value
from suivi_infra.settings import KafkaSettings
from suivi_schemas.status import ShipmentStatus

Owners = tuple[httpx.AsyncClient, httpx.AsyncClient]
Opener = Callable[[str, str], Awaitable[tuple[str, str]]]


async def test_a_return_from_the_list_to_its_refund(
    owners: Owners, shopper_return: Opener, kafka_settings: KafkaSettings,
    aftersales_topics: Topics, service: ConsoleService, clock: Clock,
) -> None:  # fmt: skip
    a, b = owners
    policy = await a.get("/returns/policy")
    assert "broken | Broken | Cassé" in policy.text
    _, rma = await shopper_return("R-7001", "6A70017001700")

    listed = await a.get("/returns", params={"state": "requested", "reason": "too_small"})
    assert rma in listed.text and "Too small" in listed.text
    assert rma not in (await a.get("/returns", params={"state": "approved"})).text
    assert rma not in (await a.get("/returns", params={"reason": "broken"})).text
    assert rma not in (await a.get("/returns", params={"until": "2020-01-01"})).text
    assert rma not in (await b.get("/returns")).text  # another merchant's list

    detail = await a.get(f"/returns/{rma}")
    assert "Chemise lin" in detail.text and "Un peu juste" in detail.text
    assert detail.headers["content-security-policy"].startswith("default-src 'none'")
    csrf = form_value(detail.text, "csrf")
    assert (await a.post(f"/returns/{rma}/approve")).status_code == 403  # no token
    assert (await b.get(f"/returns/{rma}")).status_code == 404
    b_csrf = form_value((await b.get("/returns")).text, "csrf")
    assert (await b.post(f"/returns/{rma}/approve", data={"csrf": b_csrf})).status_code == 404

    approved = await a.post(f"/returns/{rma}/approve", data={"csrf": csrf})
    assert approved.status_code == 200 and "The return is approved." in approved.text
    early = await a.post(f"/returns/{rma}/resolve",
                         data={"csrf": csrf, "outcome": "refund", "amount": "39.90"})  # fmt: skip
    assert early.status_code == 409 and "no longer in a state" in early.text
    parcel = {"csrf": csrf, "carrier": "laposte", "tracking_number": "6A70027002700"}
    assert (await a.post(f"/returns/{rma}/tracking", data=parcel)).status_code == 200

    day = timedelta(days=1)
    await publish(kafka_settings, aftersales_topics.status, [
        status_event("6A70027002700", ShipmentStatus.IN_TRANSIT, T0 + 3 * day, city="Lyon"),
        status_event("6A70027002700", ShipmentStatus.DELIVERED, T0 + 5 * day, city="Roubaix"),
    ])  # fmt: skip

    async def received() -> bool:
        return 'id="inspect"' in (await a.get(f"/returns/{rma}")).text

    await eventually(received)
    page = await a.get(f"/returns/{rma}")
    assert "Lyon" in page.text  # the proof of deposit: the carrier's first scan
    async with service.pool.acquire() as conn:  # staff run returns too
        await pga.create_user(conn, "atelier", "staff@atelier.test", "staff",
                              hash_password(PASSWORD))  # fmt: skip
    async with console_client(service) as staff:
        form = await staff.get("/signin")
        await staff.post("/signin", data={
            "email": "staff@atelier.test", "password": PASSWORD,
            "form_token": form_value(form.text, "form_token"),
        })  # fmt: skip
        staff_csrf = form_value((await staff.get(f"/returns/{rma}")).text, "csrf")
        inspected = await staff.post(f"/returns/{rma}/inspect", data={"csrf": staff_csrf})
        assert inspected.status_code == 200
        refused = await staff.post("/returns/policy", data=policy_form(staff_csrf))
        assert refused.status_code == 403
    refund = {"csrf": csrf, "outcome": "refund", "amount": "19,95"}
    refunded = await a.post(f"/returns/{rma}/resolve", data=refund)
    assert refunded.status_code == 200 and "€19.95" in refunded.text  # Babel's amount
    rejected = await a.post(f"/returns/{rma}/reject", data={"csrf": csrf, "reason": "Porté"})
    assert rejected.status_code == 409

    async with service.pool.acquire() as conn:
        audit = await pga.audit_log(conn, "atelier", 50)
    actions = [e["action"] for e in audit]
    for action in ("return_policy_saved", "return_approve", "return_tracking", "return_inspect",
                   "return_refund"):  # fmt: skip
        assert action in actions, action
    assert "Porté" not in str(audit)


async def test_a_claim_answered_resolved_and_its_dossier(
    owners: Owners, shopper_claim: Opener, aftersales: AftersalesService,
    service: ConsoleService,
) -> None:  # fmt: skip
    a, b = owners
    _, claim_id = await shopper_claim("C-7101", "6A71017101710")
    listed = await a.get("/claims")
    assert claim_id in listed.text and "Waiting for you" in listed.text
    assert claim_id not in (await b.get("/claims")).text
    assert (await b.get(f"/claims/{claim_id}")).status_code == 404
    assert (await b.get(f"/claims/{claim_id}/dossier.pdf")).status_code == 404

    page = await a.get(f"/claims/{claim_id}")
    assert "Carton écrasé" in page.text and "Lyon" in page.text  # description, timeline
    photo = await a.get(f"/claims/{claim_id}/photos/1")
    assert photo.headers["content-type"].startswith("image/")
    assert photo.headers["x-content-type-options"] == "nosniff"
    csrf = form_value(page.text, "csrf")
    assert (await a.post(f"/claims/{claim_id}/answer", data={"body": "?"})).status_code == 403
    answered = await a.post(f"/claims/{claim_id}/answer",
                            data={"csrf": csrf, "body": "Nous renvoyons une théière."})  # fmt: skip
    assert answered.status_code == 200 and "Waiting for the shopper" in answered.text
    no_reason = await a.post(f"/claims/{claim_id}/resolve",
                             data={"csrf": csrf, "outcome": "rejected"})  # fmt: skip
    assert no_reason.status_code == 400
    resolved = await a.post(f"/claims/{claim_id}/resolve", data={"csrf": csrf, "outcome": "reship"})
    assert resolved.status_code == 200 and 'id="close"' in resolved.text
    assert claim_id not in (await a.get("/claims")).text  # no longer open
    assert claim_id in (await a.get("/claims", params={"state": "resolved"})).text

    pdf = await a.get(f"/claims/{claim_id}/dossier.pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf.headers["content-disposition"]
    dossier = (await a.get(f"/claims/{claim_id}/dossier.json")).json()
    assert dossier["claim_id"] == claim_id and dossier["timeline"]
    assert [m["author"] for m in dossier["messages"]][-1] == "merchant"

    async with service.pool.acquire() as conn:
        audit = await pga.audit_log(conn, "atelier", 50)
    assert {"claim_messages", "claim_resolve", "claim_dossier"} <= {e["action"] for e in audit}
    assert "théière" not in str(audit)


async def test_after_sales_away_is_a_page_saying_so(
    owners: Owners, service: ConsoleService, linked: str
) -> None:
    a, _ = owners
    csrf = form_value((await a.get("/returns/policy")).text, "csrf")
    service.context.settings.aftersales_base_url = "http://127.0.0.1:9"  # nothing listens
    for path in ("/returns", "/claims", "/returns/R-AAAA2222", "/claims/C-AAAA2222"):
        answer = await a.get(path)
        assert answer.status_code == 503, path
        assert "after-sales service is not answering" in answer.text
        assert 'href="/orders"' in answer.text  # still the signed-in page
    posted = await a.post("/returns/R-AAAA2222/approve", data={"csrf": csrf})
    assert posted.status_code == 503

    service.context.settings.aftersales_base_url = linked  # up, but the key is another's
    async with service.pool.acquire() as conn:
        await conn.execute("UPDATE console_api_keys SET plaintext = 'sk_unknown_0000000000000000'"
                           " WHERE merchant_id = 'atelier' AND internal")  # fmt: skip
    refused = await a.get("/returns")
    assert refused.status_code == 503 and "does not accept the console" in refused.text
