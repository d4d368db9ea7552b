"""The Suivi-Signature scheme: the documented worked example, rotation, tampering, replays."""

from __future__ import annotations

import pytest

from suivi_infra.signing import SignatureError, parse, sign, verify

# docs/webhooks.md, "Worked example".
BODY = (
    b'{"delivery_id":"dlv_0001","carrier":"ups","tracking_number":"1Z999AA10123456784",'
    b'"events":[{"status":"delivered","occurred_at":"2026-11-02T14:05:00+01:00",'
    b'"location":{"city":"Lyon","country":"FR"}}]}'
)
EXAMPLE = (
    "t=1700000000,v1=43055644ee381f768de1bda75d4d5c2ce100bf82b6c4ee8b9de5f6a33b74688d,"
    "v1=4f5af9425790a4d77fd5ba38f0794475f1b59225fd67eb88fc86cd000ea49b12"
)
T = 1_700_000_000


def test_infra_signing_matches_the_documented_example() -> None:
    assert sign(BODY, ["whsec_example", "whsec_previous"], T) == EXAMPLE
    verify(BODY, EXAMPLE, ["whsec_example"], now=T)
    verify(BODY, EXAMPLE, ["whsec_previous"], now=T + 299)


def test_infra_signing_rotation_accepts_any_active_secret() -> None:
    header = sign(b"{}", ["new"], T)
    verify(b"{}", header, ["new", "old"], now=T)
    with pytest.raises(SignatureError, match="does not match"):
        verify(b"{}", header, ["old"], now=T)


@pytest.mark.parametrize(
    ("body", "now", "message"),
    [
        (b'{"x": 2}', T, "does not match"),  # tampered body
        (b'{"x": 1}', T + 301, "outside"),  # replayed later
        (b'{"x": 1}', T - 301, "outside"),  # from the future
    ],
)
def test_infra_signing_refuses_tampering_and_replays(body: bytes, now: int, message: str) -> None:
    header = sign(b'{"x": 1}', ["s3cret"], T)
    with pytest.raises(SignatureError, match=message):
        verify(body, header, ["s3cret"], now=now)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "v1=" + "0" * 64,
        "t=1700000000",
        "t=1700000000,t=1700000001,v1=" + "0" * 64,
        "t=17e8,v1=" + "0" * 64,
        "t=1700000000,v1=abc",
        "t=1700000000,v1=" + "z" * 64,
        "t=1700000000,garbage",
        "t=1700000000,v1=" + "0" * 64 + "," * 5000,
    ],
)
def test_infra_signing_malformed_headers_are_refused(header: str | None) -> None:
    with pytest.raises(SignatureError):
        verify(b"{}", header, ["s"], now=T)


def test_infra_signing_ignores_unknown_keys_and_needs_a_secret() -> None:
    header = sign(b"{}", ["s"], T) + ",v2=whatever"
    assert parse(header)[0] == str(T)
    verify(b"{}", header, ["s"], now=T)
    with pytest.raises(ValueError, match="secret"):
        sign(b"{}", [], T)
