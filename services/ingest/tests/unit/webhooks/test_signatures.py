"""The signature schemes as pure functions, against vectors computed here with `hmac`."""

from __future__ import annotations

import base64
import hashlib
import hmac
import unicodedata

import pytest

from suivi_infra import signing
from suivi_ingest.webhooks import signatures as sig

BODY = '{"id":"evt_1","result":{"tracking_code":"9400 1000","city":"Besançon"}}'.encode()
NOW = 1_700_000_000


def _hex(key: bytes, message: bytes) -> str:
    return hmac.new(key, message, hashlib.sha256).hexdigest()


# --- EasyPost -------------------------------------------------------------------------------


def test_easypost_accepts_the_documented_format() -> None:
    header = "hmac-sha256-hex=" + _hex(b"s3cret", BODY)
    sig.verify_easypost(BODY, header, [sig.easypost_key("s3cret")])


def test_easypost_normalises_the_secret_with_nfkd() -> None:
    composed = "sécret"  # é as U+00E9, as typed on most keyboards
    nfkd_key = unicodedata.normalize("NFKD", composed).encode()
    assert nfkd_key != composed.encode()  # the normalisation matters for this secret
    header = "hmac-sha256-hex=" + _hex(nfkd_key, BODY)
    sig.verify_easypost(BODY, header, [sig.easypost_key(composed)])
    with pytest.raises(sig.SignatureError):
        sig.verify_easypost(BODY, "hmac-sha256-hex=" + _hex(composed.encode(), BODY), [nfkd_key])


def test_easypost_nfkd_folds_compatibility_characters() -> None:
    assert sig.easypost_key("ﬁle") == b"file"


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (None, "missing"),
        ("", "missing"),
        ("sha256=" + "0" * 64, "must start with"),
        ("hmac-sha256-hex=abc", "64 hex digits"),
        ("hmac-sha256-hex=" + "z" * 64, "not hexadecimal"),
        ("hmac-sha256-hex=" + "0" * 64, "does not match"),
    ],
)
def test_easypost_refusals_say_why(header: str | None, reason: str) -> None:
    with pytest.raises(sig.SignatureError, match=reason):
        sig.verify_easypost(BODY, header, [b"s3cret"])


def test_easypost_accepts_any_rotated_secret() -> None:
    header = "hmac-sha256-hex=" + _hex(b"new", BODY)
    sig.verify_easypost(BODY, header, [b"old", b"new"])
    with pytest.raises(sig.SignatureError):
        sig.verify_easypost(BODY, header, [b"old"])


# --- AfterShip ------------------------------------------------------------------------------


def test_aftership_base64_hmac_of_the_raw_body() -> None:
    header = base64.b64encode(hmac.new(b"as-secret", BODY, hashlib.sha256).digest()).decode()
    sig.verify_aftership(BODY, header, [b"as-secret"])
    with pytest.raises(sig.SignatureError, match="does not match"):
        sig.verify_aftership(BODY + b" ", header, [b"as-secret"])


@pytest.mark.parametrize("header", ["not base64!", "ab=c", "é"])
def test_aftership_rejects_what_is_not_base64(header: str) -> None:
    with pytest.raises(sig.SignatureError, match="not base64"):
        sig.verify_aftership(BODY, header, [b"as-secret"])


# --- Timestamped (Suivi-Signature, Shippo-Auth-Signature): suivi_infra.signing, as ingest calls it


def _stamped(key: bytes, t: int, body: bytes = BODY) -> str:
    return _hex(key, f"{t}.".encode() + body)


def _verify(
    header: str | None,
    keys: list[bytes],
    now: float = NOW,
    tolerance: int = 300,
    name: str = "Suivi-Signature",
) -> None:
    signing.verify(BODY, header, keys, now=now, tolerance_seconds=tolerance, name=name)


def test_timestamped_accepts_a_fresh_signature() -> None:
    _verify(f"t={NOW},v1={_stamped(b'k', NOW)}", [b"k"])


def test_timestamped_accepts_several_v1_during_rotation() -> None:
    header = f"t={NOW},v1={_stamped(b'old', NOW)},v1={_stamped(b'new', NOW)}"
    _verify(header, [b"new"])
    _verify(header, [b"old"])
    with pytest.raises(sig.SignatureError, match="does not match"):
        _verify(header, [b"other"])


def test_timestamped_ignores_unknown_keys_and_spaces() -> None:
    _verify(f"t={NOW}, v0=legacy, v1={_stamped(b'k', NOW)}", [b"k"])


@pytest.mark.parametrize("skew", [-301, 301, -10_000])
def test_timestamped_rejects_outside_the_window(skew: int) -> None:
    t = NOW + skew
    with pytest.raises(sig.SignatureError, match="outside"):
        _verify(f"t={t},v1={_stamped(b'k', t)}", [b"k"])


@pytest.mark.parametrize("skew", [-300, 0, 300])
def test_timestamped_accepts_inside_the_window(skew: int) -> None:
    t = NOW + skew
    _verify(f"t={t},v1={_stamped(b'k', t)}", [b"k"])


def test_timestamped_window_is_configurable() -> None:
    t = NOW - 100
    header = f"t={t},v1={_stamped(b'k', t)}"
    _verify(header, [b"k"], tolerance=100)
    with pytest.raises(sig.SignatureError, match="outside"):
        _verify(header, [b"k"], tolerance=99)


def test_timestamped_binds_the_timestamp() -> None:
    with pytest.raises(sig.SignatureError, match="does not match"):
        _verify(f"t={NOW},v1={_stamped(b'k', NOW - 1)}", [b"k"])


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (None, "missing"),
        ("   ", "missing"),
        ("garbage", "not key=value"),
        (f"v1={'0' * 64}", "no t="),
        (f"t={NOW}", "no v1="),
        (f"t={NOW},t={NOW},v1={'0' * 64}", "several t="),
        (f"t=-5,v1={'0' * 64}", "Unix seconds"),
        (f"t=1e9,v1={'0' * 64}", "Unix seconds"),
        ("t=" + "\u0661" * 10 + f",v1={'0' * 64}", "Unix seconds"),  # Arabic-Indic digits
        (f"t={NOW}000,v1={'0' * 64}", "Unix seconds"),
        (f"t={NOW},v1=short", "64 hex digits"),
        (f"t={NOW},v1={'z' * 64}", "not hexadecimal"),
        (f"t={NOW},v1={'0' * 31} {'0' * 32}", "not hexadecimal"),
        ("t=1," + "v1=" + "0" * 5000, "too long"),
    ],
)
def test_timestamped_malformed_headers(header: str | None, reason: str) -> None:
    with pytest.raises(sig.SignatureError, match=reason):
        _verify(header, [b"k"])


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (None, "missing Shippo-Auth-Signature header"),
        ("garbage", "malformed Shippo-Auth-Signature header"),
        (f"t={NOW - 301},v1={_stamped(b'k', NOW - 301)}", "Shippo-Auth-Signature timestamp"),
        (f"t={NOW},v1={_stamped(b'other', NOW)}", "Shippo-Auth-Signature does not match"),
    ],
)
def test_timestamped_refusals_name_the_header(header: str | None, reason: str) -> None:
    with pytest.raises(sig.SignatureError, match=reason):
        _verify(header, [b"k"], name="Shippo-Auth-Signature")


def test_timestamped_keys_may_be_bytes_or_text() -> None:
    header = f"t={NOW},v1={_stamped('sécret'.encode(), NOW)}"
    _verify(header, [sig.utf8_key("sécret")])
    signing.verify(BODY, header, ["sécret"], now=NOW)


def test_suivi_signature_sign_matches_an_independent_computation() -> None:
    expected = f"t={NOW},v1={_stamped(b'a', NOW)},v1={_stamped(b'b', NOW)}"
    assert signing.sign(BODY, ["a", "b"], NOW) == expected


def test_documented_suivi_example() -> None:
    """The worked example of docs/webhooks.md, digests computed independently."""
    body = (
        b'{"delivery_id":"dlv_0001","carrier":"ups","tracking_number":"1Z999AA10123456784",'
        b'"events":[{"status":"delivered","occurred_at":"2026-11-02T14:05:00+01:00",'
        b'"location":{"city":"Lyon","country":"FR"}}]}'
    )
    current = "43055644ee381f768de1bda75d4d5c2ce100bf82b6c4ee8b9de5f6a33b74688d"
    previous = "4f5af9425790a4d77fd5ba38f0794475f1b59225fd67eb88fc86cd000ea49b12"
    assert _hex(b"whsec_example", b"1700000000." + body) == current
    assert _hex(b"whsec_previous", b"1700000000." + body) == previous
    header = signing.sign(body, ["whsec_example", "whsec_previous"], 1_700_000_000)
    assert header == f"t=1700000000,v1={current},v1={previous}"
    signing.verify(
        body,
        header,
        [sig.utf8_key("whsec_example")],
        now=1_700_000_120,
        tolerance_seconds=300,
        name="Suivi-Signature",
    )


# --- URL token (Shippo) ---------------------------------------------------------------------


def test_token_is_compared_exactly() -> None:
    sig.verify_token("tok", ["old", "tok"], "token")
    for wrong in (None, "", "to", "tok ", "TOK"):
        with pytest.raises(sig.SignatureError):
            sig.verify_token(wrong, ["tok"], "token")
