"""Every action is scoped by the session's merchant: another merchant's keys, webhooks and
logos are 'not found'; a form without its token is refused; staff cannot change keys; branding
and notification settings reach merchants.v1."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from PIL import Image

from suivi_console.adapters import pg_accounts as pga
from suivi_console.bootstrap import ConsoleService
from suivi_console.domain.passwords import hash_password
from suivi_console.testing.harness import (
    PASSWORD,
    Clock,
    RecordingMailer,
    element_text,
    form_value,
    onboard,
    sign_in,
)
from suivi_infra.settings import KafkaSettings
from suivi_schemas.merchants import MerchantRecord
from suivi_schemas.triggers import NOTIFICATION_TRIGGERS


def client_of(service: ConsoleService) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=service.app, client=("203.0.113.7", 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://console.test")


@pytest.fixture
async def two(
    service: ConsoleService, clock: Clock
) -> AsyncIterator[tuple[httpx.AsyncClient, ...]]:
    await onboard(service, "atelier", "owner@atelier.test")
    await onboard(service, "northwind", "owner@northwind.test")
    async with client_of(service) as a, client_of(service) as b:
        await sign_in(a, "owner@atelier.test", clock)
        await sign_in(b, "owner@northwind.test", clock)
        yield a, b


async def test_another_merchants_key_and_webhook_are_not_found(
    two: tuple[httpx.AsyncClient, ...],
) -> None:
    a, b = two
    csrf_a = form_value((await a.get("/keys")).text, "csrf")
    created = await a.post("/keys", data={"csrf": csrf_a, "label": "erp"})
    key_id = form_value(created.text, "key_id")
    hook = await a.post("/webhooks", data={"csrf": csrf_a, "url": "https://atelier.test/hook",
                                           "events": "alerts"})  # fmt: skip
    assert hook.status_code == 201 and element_text(hook.text, "new-secret").startswith("whsec_")
    endpoint_id = form_value(hook.text, "endpoint_id")

    csrf_b = form_value((await b.get("/keys")).text, "csrf")
    assert key_id not in (await b.get("/keys")).text
    attempts = (("/keys/revoke", "key_id", key_id), ("/keys/rotate", "key_id", key_id),
                ("/webhooks/delete", "endpoint_id", endpoint_id),
                ("/webhooks/rotate", "endpoint_id", endpoint_id))  # fmt: skip
    for path, field, value in attempts:
        answer = await b.post(path, data={"csrf": csrf_b, field: value})
        assert answer.status_code == 404, path
    assert "Revoked" not in (await a.get("/keys")).text  # still active for its owner
    # A's token does not work in B's session.
    assert (await b.post("/keys", data={"csrf": csrf_a, "label": "x"})).status_code == 403


async def test_forms_without_their_token_are_refused(two: tuple[httpx.AsyncClient, ...]) -> None:
    a, _ = two
    posts: tuple[tuple[str, dict[str, str]], ...] = (("/keys", {"label": "x"}), ("/signout", {}),
             ("/settings/branding", {"display_name": "X", "colour": "#000000"}))  # fmt: skip
    for path, data in posts:
        assert (await a.post(path, data=data)).status_code == 403, path
    assert (await a.get("/orders")).status_code == 200  # still signed in


async def test_staff_can_read_but_not_change_keys(service: ConsoleService, clock: Clock) -> None:
    await onboard(service, "atelier", "owner@atelier.test")
    async with service.pool.acquire() as conn:
        await pga.create_user(
            conn, "atelier", "staff@atelier.test", "staff", hash_password(PASSWORD)
        )
    async with client_of(service) as staff:
        page = await staff.get("/signin")
        answer = await staff.post("/signin", data={  # no TOTP enforced for staff
            "email": "staff@atelier.test", "password": PASSWORD,
            "form_token": form_value(page.text, "form_token"),
        })  # fmt: skip
        assert answer.headers["location"] == "/"
        keys = await staff.get("/keys")
        assert keys.status_code == 200
        refused = await staff.post(
            "/keys", data={"csrf": form_value(keys.text, "csrf"), "label": "x"}
        )
        assert refused.status_code == 403


def png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 32), colour).save(out, format="PNG")
    return out.getvalue()


async def test_branding_reaches_merchants_v1_and_logos_are_checked(
    service: ConsoleService, two: tuple[httpx.AsyncClient, ...], kafka_settings: KafkaSettings,
    merchants_topic: str,
) -> None:  # fmt: skip
    a, b = two
    csrf = form_value((await a.get("/settings")).text, "csrf")
    fields = {"csrf": csrf, "display_name": "Atelier Comtois", "colour": "#aa3300",
              "message": "Merci !", "contact_email": "hello@atelier.test"}  # fmt: skip
    fake = await a.post("/settings/branding", data=fields,
                        files={"logo": ("logo.png", b"<svg/>", "image/png")})  # fmt: skip
    assert fake.status_code == 415
    big = await a.post(
        "/settings/branding",
        data=fields,
        files={"logo": ("logo.png", b"\x89PNG" + b"0" * 600_000, "image/png")},
    )
    assert big.status_code == 413
    saved = await a.post("/settings/branding", data=fields,
                         files={"logo": ("logo.png", png((10, 20, 30)), "image/png")})  # fmt: skip
    assert saved.status_code == 200
    assert element_text(saved.text, "preview-name") == "Atelier Comtois"
    logo_url = saved.text.split('<img src="')[1].split('"')[0]
    logo = await b.get(logo_url)  # public: the status pages show it
    assert logo.headers["content-type"] == "image/png"
    assert logo.headers["x-content-type-options"] == "nosniff"
    assert (await b.get(logo_url.replace("atelier", "northwind"))).status_code == 404
    notify = await a.post("/settings/notifications", data={
        "csrf": csrf, "channels": ["email", "sms"], "triggers": ["delivered", "shipped", "bogus"],
        "quiet_start": "21:00", "quiet_end": "08:00", "digest": "weekly",
    })  # fmt: skip
    assert notify.status_code == 200
    # The form offers exactly the one vocabulary (suivi_schemas.triggers); 'shipped' (an old
    # form) is saved as in_transit, an unknown name dropped.
    offered = re.findall(r'name="triggers" value="([a-z_]+)"', notify.text)
    assert tuple(offered) == NOTIFICATION_TRIGGERS
    bad = await a.post("/settings/notifications", data={"csrf": csrf, "quiet_start": "25:99"})
    assert bad.status_code == 400

    latest = await latest_record(kafka_settings, merchants_topic, "atelier")
    assert latest.branding.display_name == "Atelier Comtois"
    assert latest.branding.colour == "#aa3300" and latest.branding.logo_url == logo_url
    assert latest.notifications.digest == "weekly" and latest.notifications.channels == (
        "email",
        "sms",
    )
    assert latest.notifications.triggers == ("in_transit", "delivered")
    assert "Atelier Comtois" not in (await b.get("/settings")).text


async def latest_record(kafka: KafkaSettings, topic: str, merchant_id: str) -> MerchantRecord:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=kafka.bootstrap_servers,
                                auto_offset_reset="earliest", group_id=None)  # fmt: skip
    await consumer.start()
    try:
        found: list[MerchantRecord] = []
        for _ in range(20):
            batch = await consumer.getmany(timeout_ms=200)
            found += [
                MerchantRecord.model_validate_json(r.value or b"")
                for rs in batch.values()
                for r in rs
                if r.key == merchant_id.encode()
            ]
            if found and not batch:
                break
        return max(found, key=lambda r: r.revision)
    finally:
        await consumer.stop()


async def test_owner_invites_staff_who_sets_a_password_and_can_be_removed(
    service: ConsoleService, two: tuple[httpx.AsyncClient, ...], mailer: RecordingMailer
) -> None:
    a, b = two
    csrf = form_value((await a.get("/team")).text, "csrf")
    invited = await a.post("/team/invite", data={"csrf": csrf, "email": "staff@atelier.test"})
    assert invited.status_code == 201
    again = await a.post("/team/invite", data={"csrf": csrf, "email": "STAFF@atelier.test"})
    assert again.status_code == 409
    assert (await a.post("/team/invite", data={"csrf": csrf, "email": "nope"})).status_code == 400
    link = re.search(r"http\S+(/reset/\S+)", mailer.sent[-1].text)
    assert link is not None and mailer.sent[-1].to == "staff@atelier.test"
    async with client_of(service) as staff:
        form = await staff.get(link.group(1))
        done = await staff.post(link.group(1), data={
            "password": "staff passphrase 1", "form_token": form_value(form.text, "form_token"),
        })  # fmt: skip
        assert done.status_code == 200
    team = await a.get("/team")
    staff_id = re.findall(r'data-user-id="(\d+)"', team.text)[-1]
    # Another merchant cannot remove them; their owner can.
    csrf_b = form_value((await b.get("/team")).text, "csrf")
    assert (
        await b.post("/team/remove", data={"csrf": csrf_b, "user_id": staff_id})
    ).status_code == 404
    assert (
        await a.post("/team/remove", data={"csrf": csrf, "user_id": staff_id})
    ).status_code == 200
    assert "staff@atelier.test" not in (await a.get("/team")).text
