"""Sign-in against real PostgreSQL: TOTP enforced for owners, wrong codes refused, recovery codes
work once, throttling per account, password reset by mailed link, strict page headers."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pyotp
import pytest

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
)

EMAIL = "owner@atelier.test"


@pytest.fixture
async def client(service: ConsoleService) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=service.app, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://console.test") as http:
        yield http


async def password_step(client: httpx.AsyncClient, password: str = PASSWORD) -> httpx.Response:
    page = await client.get("/signin")
    return await client.post("/signin", data={
        "email": EMAIL, "password": password, "form_token": form_value(page.text, "form_token"),
    })  # fmt: skip


async def code_step(client: httpx.AsyncClient, code: str) -> httpx.Response:
    page = await client.get("/signin/code")
    return await client.post("/signin/code", data={"csrf": form_value(page.text, "csrf"),
                                                   "code": code})  # fmt: skip


async def test_owner_must_enrol_then_needs_the_code(
    service: ConsoleService, client: httpx.AsyncClient, clock: Clock
) -> None:
    await onboard(service, "atelier", EMAIL)
    first = await password_step(client)
    assert first.headers["location"] == "/signin/enrol"
    assert (await client.get("/orders")).headers["location"] == "/signin/enrol"  # not in yet
    enrol = await client.get("/signin/enrol")
    secret = element_text(enrol.text, "totp-secret")
    assert 'src="data:image/svg+xml' in enrol.text  # the QR code, rendered here
    wrong = await client.post("/signin/enrol", data={"csrf": form_value(enrol.text, "csrf"),
                                                     "code": "000000"})  # fmt: skip
    assert wrong.status_code == 401
    done = await client.post("/signin/enrol", data={
        "csrf": form_value(enrol.text, "csrf"), "code": pyotp.TOTP(secret).at(clock()),
    })  # fmt: skip
    codes = re.findall(r"<li>([a-z0-9-]{14})</li>", done.text)
    assert len(codes) == 10
    assert (await client.get("/orders", follow_redirects=False)).status_code == 200

    client.cookies.clear()
    clock.advance(seconds=30)
    assert (await password_step(client)).headers["location"] == "/signin/code"
    assert (await code_step(client, "123456")).status_code == 401
    assert (await code_step(client, pyotp.TOTP(secret).at(clock()))).status_code == 303

    client.cookies.clear()  # the same code again (same time step): a replay
    assert (await password_step(client)).headers["location"] == "/signin/code"
    assert (await code_step(client, pyotp.TOTP(secret).at(clock()))).status_code == 401
    assert (await code_step(client, codes[0].upper())).status_code == 303  # recovery code
    client.cookies.clear()
    await password_step(client)
    assert (await code_step(client, codes[0])).status_code == 401  # used once only
    assert (await code_step(client, codes[1])).status_code == 303


async def test_wrong_passwords_are_throttled_per_account(
    service: ConsoleService, client: httpx.AsyncClient, clock: Clock
) -> None:
    await onboard(service, "atelier", EMAIL)
    for _ in range(5):
        assert (await password_step(client, "wrong password!")).status_code == 401
    throttled = await password_step(client, PASSWORD)  # right, but too soon
    assert throttled.status_code == 429
    assert int(throttled.headers["retry-after"]) >= 1
    clock.advance(seconds=3)
    assert (await password_step(client, PASSWORD)).status_code == 303
    unknown = await client.post("/signin", data={
        "email": "nobody@x.test", "password": PASSWORD,
        "form_token": form_value((await client.get("/signin")).text, "form_token"),
    })  # fmt: skip
    assert unknown.status_code == 401  # same answer as a wrong password


async def test_reset_link_by_mail_works_once(
    service: ConsoleService, client: httpx.AsyncClient, clock: Clock, mailer: RecordingMailer
) -> None:
    await onboard(service, "atelier", EMAIL)
    page = await client.get("/reset")
    for email in (EMAIL, "nobody@x.test"):
        sent = await client.post(
            "/reset", data={"email": email, "form_token": form_value(page.text, "form_token")}
        )
        assert sent.status_code == 200
    assert [m.to for m in mailer.sent] == [EMAIL]  # nothing says which address exists
    link = re.search(r"http\S+/reset/(\S+)", mailer.sent[0].text)
    assert link is not None
    path = f"/reset/{link.group(1)}"
    form = await client.get(path)
    token = form_value(form.text, "form_token")
    assert (
        await client.post(path, data={"password": "short", "form_token": token})
    ).status_code == 400
    new = "a brand new passphrase"
    assert (await client.post(path, data={"password": new, "form_token": token})).status_code == 200
    assert (await client.post(path, data={"password": new, "form_token": token})).status_code == 404
    assert (await password_step(client, new)).status_code == 303
    clock.advance(hours=1)
    assert (await client.get(path)).status_code == 404


async def test_pages_carry_strict_headers_and_forms_need_their_token(
    service: ConsoleService, client: httpx.AsyncClient
) -> None:
    await onboard(service, "atelier", EMAIL)
    page = await client.get("/signin")
    csp = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp
    assert "script-src" not in csp  # no script at all
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"
    no_token = await client.post("/signin", data={"email": EMAIL, "password": PASSWORD})
    assert no_token.status_code == 400  # the form field is missing
    bad = await client.post("/signin", data={"email": EMAIL, "password": PASSWORD,
                                             "form_token": "x" * 43})  # fmt: skip
    assert bad.status_code == 403
    assert (await client.get("/keys")).status_code == 303  # no session: to /signin


async def test_staff_may_enrol_and_then_needs_the_code(
    service: ConsoleService, client: httpx.AsyncClient, clock: Clock
) -> None:
    await onboard(service, "atelier", EMAIL)
    async with service.pool.acquire() as conn:
        await pga.create_user(
            conn, "atelier", "staff@atelier.test", "staff", hash_password(PASSWORD)
        )
    page = await client.get("/signin")
    first = await client.post("/signin", data={
        "email": "staff@atelier.test", "password": PASSWORD,
        "form_token": form_value(page.text, "form_token"),
    })  # fmt: skip
    assert first.headers["location"] == "/"  # no second factor yet
    enrol = await client.get("/account/two-factor")
    secret = element_text(enrol.text, "totp-secret")
    csrf = form_value(enrol.text, "csrf")
    wrong = await client.post("/account/two-factor", data={"csrf": csrf, "code": "000000"})
    assert wrong.status_code == 401
    done = await client.post("/account/two-factor", data={
        "csrf": csrf, "code": pyotp.TOTP(secret).at(clock()),
    })  # fmt: skip
    assert len(re.findall(r"<li>([a-z0-9-]{14})</li>", done.text)) == 10
    client.cookies.clear()
    clock.advance(seconds=30)
    page = await client.get("/signin")
    again = await client.post("/signin", data={
        "email": "staff@atelier.test", "password": PASSWORD,
        "form_token": form_value(page.text, "form_token"),
    })  # fmt: skip
    assert again.headers["location"] == "/signin/code"
