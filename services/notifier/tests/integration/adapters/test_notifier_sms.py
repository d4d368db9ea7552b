"""SMS against an HTTP server speaking Twilio's Messages API shape (basic auth checked)."""

from __future__ import annotations

import httpx
import pytest
from pydantic import SecretStr

from suivi_notifier.adapters.sms import TwilioSms
from suivi_notifier.domain.outcomes import Permanent, Sent, Transient
from suivi_notifier.settings import SmsSettings
from suivi_notifier.testing.twilio_peer import TwilioPeer

from_number = "+15005550006"


@pytest.fixture
async def http() -> httpx.AsyncClient:
    return httpx.AsyncClient()


def sms(base_url: str, sid: str, token: str, client: httpx.AsyncClient) -> TwilioSms:
    settings = SmsSettings(
        base_url=base_url, account_sid=sid, auth_token=SecretStr(token), from_number=from_number,
        timeout_seconds=5,
    )  # fmt: skip
    return TwilioSms(settings, client)


async def test_notifier_sms_posts_the_twilio_form_with_basic_auth(
    twilio_peer: tuple[TwilioPeer, str], http: httpx.AsyncClient
) -> None:
    peer, base = twilio_peer
    outcome = await sms(base, peer.sid, peer.token, http).send("+33612345678", "Hello")
    assert isinstance(outcome, Sent) and outcome.provider_id is not None
    assert outcome.provider_id.startswith("SM")
    [request] = peer.requests
    assert request.authorized and request.account == peer.sid
    assert request.form["To"] == "+33612345678"
    assert request.form["From"] == from_number
    assert request.form["Body"] == "Hello"
    await http.aclose()


async def test_notifier_sms_error_classes(
    twilio_peer: tuple[TwilioPeer, str], http: httpx.AsyncClient
) -> None:
    peer, base = twilio_peer
    client = sms(base, peer.sid, peer.token, http)
    peer.responses = [
        (500, {"code": 20500, "message": "Internal"}, {}),
        (429, {"code": 20429, "message": "Too Many Requests"}, {"Retry-After": "7"}),
        (400, {"code": 21211, "message": "Invalid 'To' Phone Number"}, {}),
        (400, {"code": 21610, "message": "Attempt to send to unsubscribed recipient"}, {}),
    ]
    assert await client.send("+33612345678", "a") == Transient("http_500", None)
    assert await client.send("+33612345678", "b") == Transient("http_429", 7.0)
    assert await client.send("+10", "c") == Permanent("twilio_21211")
    assert await client.send("+33612345678", "d") == Permanent("twilio_21610")
    wrong = sms(base, peer.sid, "not-the-token", http)
    assert await wrong.send("+33612345678", "e") == Transient("http_401")
    assert peer.delivered == []
    await http.aclose()


async def test_notifier_sms_provider_unreachable_is_transient(http: httpx.AsyncClient) -> None:
    client = sms("http://127.0.0.1:9", "AC1", "t", http)  # discard port: nothing listens
    outcome = await client.send("+33612345678", "x")
    assert isinstance(outcome, Transient) and outcome.error == "sms_unavailable"
    await http.aclose()
