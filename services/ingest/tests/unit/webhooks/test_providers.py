"""Each provider's scheme over HTTP: good, bad, missing, wrong and rotated secrets, ids, keys."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from suivi_ingest.app import create_app
from suivi_ingest.settings import IngestSettings
from suivi_ingest.testing.fakes import FakePublisher
from suivi_ingest.testing.signers import (
    aftership_headers,
    dhl_headers,
    easypost_headers,
    fedex_headers,
    seventeentrack_headers,
    shippo_headers,
    suivi_headers,
    ups_headers,
)
from suivi_ingest.webhooks.providers import PROVIDERS
from suivi_schemas.providers import BY_SLUG

NOW = 1_700_000_000
Signer = Callable[[bytes, str], dict[str, str]]

SIGNERS: dict[str, Signer] = {
    "easypost": easypost_headers,
    "aftership": aftership_headers,
    "shippo": lambda body, secret: shippo_headers(body, secret, NOW),
    "suivi": lambda body, secret: suivi_headers(body, secret, NOW),
    "17track": seventeentrack_headers,
    "ups": ups_headers,
    "fedex": fedex_headers,
    "dhl": dhl_headers,
    "usps": lambda body, secret: suivi_headers(body, secret, NOW),
    "laposte": lambda body, secret: suivi_headers(body, secret, NOW),
}
SECRET_FIELDS = {
    "17track": "seventeentrack_secret",
    "ups": "ups_credential",
    "dhl": "dhl_token",
}
# A realistic body per provider, with its delivery id and tracking number where they live.
BODIES: dict[str, dict[str, object]] = {
    "easypost": {
        "id": "evt_6a1f",
        "object": "Event",
        "description": "tracker.updated",
        "result": {"object": "Tracker", "tracking_code": "9400 1000 0000 0000 0000 00"},
    },
    "aftership": {
        "event": "tracking_update",
        "event_id": "2f3c0f0e-aaaa-4d7e-9c1f-5b8c3f6d2e10",
        "msg": {"tracking_number": "1z999aa10123456784", "tag": "InTransit"},
    },
    "shippo": {
        "event": "track_updated",
        "test": False,
        "data": {
            "tracking_number": "92055901755477000271990251",
            "tracking_status": {"object_id": "ts_0b4f", "status": "TRANSIT"},
        },
    },
    "suivi": {"delivery_id": "dlv_1", "tracking_number": "LA123456789FR", "status": "delivered"},
    "17track": {"event": "TRACKING_UPDATED", "data": {"number": "RR123456785CN", "carrier": 3011}},
    "ups": {"trackingNumber": " 1Z023E2X0214323462", "activityStatus": {"type": "I"}},
    "fedex": {
        "transactionId": "624deea6-b709-470c-8c39-4b5511281492",
        "output": {"completeTrackResults": [{"trackingNumber": "123456789012"}]},
    },
    "dhl": {"shipments": [{"id": 7777777770, "service": "express"}]},
    "usps": {"trackingNumber": "9400 1000 0000 0000 0000 00", "trackingEvents": []},
    "laposte": {"returnCode": 200, "shipment": {"idShip": "6A18987654321"}},
}
EXPECTED = {
    "easypost": ("evt_6a1f", "easypost:9400100000000000000000", "hmac-sha256-hex"),
    "aftership": (
        "2f3c0f0e-aaaa-4d7e-9c1f-5b8c3f6d2e10",
        "aftership:1Z999AA10123456784",
        "hmac-sha256-base64",
    ),
    "shippo": ("ts_0b4f", "shippo:92055901755477000271990251", "hmac-sha256-hex-timestamped"),
    "suivi": ("dlv_1", "suivi:LA123456789FR", "suivi-v1"),
    "17track": (None, "17track:RR123456785CN", "sha256-body-key"),
    "ups": (None, "ups:1Z023E2X0214323462", "header-credential"),
    "fedex": ("624deea6-b709-470c-8c39-4b5511281492", "fedex:123456789012", "hmac-sha256-base64"),
    "dhl": (None, "dhl:7777777770", "header-credential"),
    "usps": (None, "usps:9400100000000000000000", "suivi-v1"),
    "laposte": (None, "laposte:6A18987654321", "suivi-v1"),
}
# Issue 17's carriers, relayed like La Poste: a body of each one's shape and its number.
RELAYED_BODIES: dict[str, tuple[dict[str, object], str]] = {
    "royal-mail": ({"mailPieces": {"mailPieceId": "JX123456785GB"}}, "JX123456785GB"),
    "canada-post": ({"number": "7023210039414604", "xml": "<a/>"}, "7023210039414604"),
    "australia-post": ({"tracking_results": [{"tracking_id": "33XYZ0123456"}]}, "33XYZ0123456"),
    "postnl": ({"CompleteStatus": {"Shipment": {"Barcode": "3SDEVC6659149"}}}, "3SDEVC6659149"),
    "gls": ({"tuStatus": [{"tuNo": "ZX12AB34"}]}, "ZX12AB34"),
    "dpd": ({"number": "05308801410058", "xml": "<a/>"}, "05308801410058"),
    "mondial-relay": ({"number": "12345678", "xml": "<a/>"}, "12345678"),
    "cainiao": ({"module": [{"mailNo": "LP00712345678901"}]}, "LP00712345678901"),
    "yunexpress": ({"Item": {"WaybillNumber": "YT2428512345678901"}}, "YT2428512345678901"),
    "4px": ({"data": {"deliveryOrderNo": "4PX3001234567890CN"}}, "4PX3001234567890CN"),
}
for _slug, (_body_of, _number) in RELAYED_BODIES.items():
    SIGNERS[_slug] = lambda body, secret: suivi_headers(body, secret, NOW)
    SECRET_FIELDS[_slug] = f"{BY_SLUG[_slug].ident}_secret"
    BODIES[_slug] = _body_of
    EXPECTED[_slug] = (None, f"{_slug}:{_number}", "suivi-v1")
PROVIDER_SLUGS = sorted(SIGNERS)


def _settings(secrets: dict[str, str | None], **extra: object) -> IngestSettings:
    values: dict[str, object] = {
        SECRET_FIELDS.get(slug, f"{slug}_secret"): s for slug, s in secrets.items()
    }
    values.update(extra)
    return IngestSettings.model_validate(values)


async def _post(
    settings: IngestSettings,
    provider: str,
    body: bytes,
    headers: dict[str, str],
    params: dict[str, str] | None = None,
) -> tuple[httpx.Response, FakePublisher]:
    publisher = FakePublisher()
    app = create_app(settings, publisher, clock=lambda: NOW)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://ingest") as client:
        response = await client.post(
            f"/v1/webhooks/{provider}",
            content=body,
            params=params,
            headers={"content-type": "application/json", **headers},
        )
    return response, publisher


def _body(provider: str) -> bytes:
    return json.dumps(BODIES[provider]).encode()


def test_every_provider_is_covered() -> None:
    assert set(PROVIDERS) == set(SIGNERS)


@pytest.mark.parametrize("provider", PROVIDER_SLUGS)
async def test_good_signature_is_accepted_with_ids_and_key(provider: str) -> None:
    body = _body(provider)
    response, publisher = await _post(
        _settings({provider: "s3cret"}), provider, body, SIGNERS[provider](body, "s3cret")
    )
    assert response.status_code == 202, response.text
    [(event, key)] = publisher.published
    delivery_id, expected_key, scheme = EXPECTED[provider]
    assert (event.delivery_id, key, event.ingest.signature_scheme) == (
        delivery_id,
        expected_key,
        scheme,
    )


# UPS and DHL authenticate with a credential header and sign nothing: only TLS protects the body.
BODY_SIGNED = [p for p in PROVIDER_SLUGS if p not in {"ups", "dhl"}]


@pytest.mark.parametrize("provider", BODY_SIGNED)
async def test_tampered_body_is_refused(provider: str) -> None:
    body = _body(provider)
    headers = SIGNERS[provider](body, "s3cret")
    response, publisher = await _post(
        _settings({provider: "s3cret"}), provider, body.replace(b"}", b" }", 1), headers
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_signature"
    assert publisher.published == []


@pytest.mark.parametrize("provider", PROVIDER_SLUGS)
async def test_missing_signature_is_refused(provider: str) -> None:
    response, _ = await _post(_settings({provider: "s3cret"}), provider, _body(provider), {})
    assert response.status_code == 401
    assert "missing" in response.json()["detail"]


@pytest.mark.parametrize("provider", PROVIDER_SLUGS)
async def test_wrong_secret_is_refused(provider: str) -> None:
    body = _body(provider)
    response, _ = await _post(
        _settings({provider: "s3cret"}), provider, body, SIGNERS[provider](body, "other")
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_signature"


@pytest.mark.parametrize("provider", PROVIDER_SLUGS)
@pytest.mark.parametrize("signed_with", ["old-secret", "new-secret"])
async def test_rotated_secrets_are_both_accepted(provider: str, signed_with: str) -> None:
    body = _body(provider)
    settings = _settings({provider: " new-secret , old-secret ,"})
    response, _ = await _post(settings, provider, body, SIGNERS[provider](body, signed_with))
    assert response.status_code == 202, response.text


@pytest.mark.parametrize("provider", PROVIDER_SLUGS)
async def test_unconfigured_provider_never_accepts(provider: str) -> None:
    body = _body(provider)
    others = {slug: "s3cret" for slug in PROVIDER_SLUGS if slug != provider}
    response, _ = await _post(
        _settings({**others, provider: "  "}), provider, body, SIGNERS[provider](body, "")
    )
    assert response.status_code == 401
    assert response.json()["error"] == "provider_not_configured"


@pytest.mark.parametrize("provider", ["suivi", "shippo"])
@pytest.mark.parametrize("skew", [-301, 301])
async def test_timestamped_schemes_refuse_stale_or_future(provider: str, skew: int) -> None:
    body = _body(provider)
    header = "Suivi-Signature" if provider == "suivi" else "Shippo-Auth-Signature"
    signed = {"suivi": suivi_headers, "shippo": shippo_headers}[provider](body, "k", NOW + skew)
    response, _ = await _post(_settings({provider: "k"}), provider, body, signed)
    assert response.status_code == 401
    assert header in response.json()["detail"] and "window" in response.json()["detail"]


async def test_replay_window_is_configurable() -> None:
    body = _body("suivi")
    signed = suivi_headers(body, "k", NOW - 500)
    settings = _settings({"suivi": "k"}, signature_tolerance_seconds=600)
    assert (await _post(settings, "suivi", body, signed))[0].status_code == 202


@pytest.mark.parametrize("header", ["t=abc,v1=00", "v1=" + "0" * 64, "nonsense", f"t={NOW}"])
async def test_malformed_suivi_header_is_401(header: str) -> None:
    response, _ = await _post(
        _settings({"suivi": "k"}), "suivi", _body("suivi"), {"Suivi-Signature": header}
    )
    assert response.status_code == 401
    assert "malformed" in response.json()["detail"]


# --- Shippo: URL token and/or HMAC ------------------------------------------------------------


async def test_shippo_token_only() -> None:
    body = _body("shippo")
    settings = _settings({}, shippo_token="tok-new,tok-old")
    for token, status in [("tok-old", 202), ("tok-new", 202), ("tok", 401), ("TOK-NEW", 401)]:
        response, _ = await _post(settings, "shippo", body, {}, {"token": token})
        assert response.status_code == status, token
    missing, _ = await _post(settings, "shippo", body, {})
    assert missing.status_code == 401
    assert "token" in missing.json()["detail"]
    _, publisher = await _post(settings, "shippo", body, {}, {"token": "tok-new"})
    [(event, _)] = publisher.published
    assert event.ingest.signature_scheme == "url-token"
    assert "tok-new" not in event.model_dump_json()


async def test_shippo_both_configured_requires_both() -> None:
    body = _body("shippo")
    settings = _settings({"shippo": "hmac-key"}, shippo_token="tok")
    signed = shippo_headers(body, "hmac-key", NOW)
    ok, publisher = await _post(settings, "shippo", body, signed, {"token": "tok"})
    assert ok.status_code == 202
    assert publisher.published[0][0].ingest.signature_scheme == (
        "hmac-sha256-hex-timestamped+url-token"
    )
    assert (await _post(settings, "shippo", body, signed))[0].status_code == 401
    no_sig, _ = await _post(settings, "shippo", body, {}, {"token": "tok"})
    assert no_sig.status_code == 401
    assert "Shippo-Auth-Signature" in no_sig.json()["detail"]


async def test_laposte_may_send_an_array_of_answers_others_may_not() -> None:
    answers = [BODIES["laposte"], {"returnCode": 200, "shipment": {"idShip": "8L00000000001"}}]
    body = json.dumps(answers).encode()
    for provider, status in (("laposte", 202), ("suivi", 400)):
        headers = SIGNERS[provider](body, "s3cret")
        response, publisher = await _post(_settings({provider: "s3cret"}), provider, body, headers)
        assert response.status_code == status, response.text
        # The first answer keys the raw event; the body is kept whole.
        assert [key for _, key in publisher.published] == (
            ["laposte:6A18987654321"] if status == 202 else []
        )
    mixed = json.dumps([BODIES["laposte"], 3]).encode()
    response, _ = await _post(
        _settings({"laposte": "s3cret"}), "laposte", mixed, SIGNERS["laposte"](mixed, "s3cret")
    )
    assert response.status_code == 400
    assert "every element" in response.json()["detail"]
