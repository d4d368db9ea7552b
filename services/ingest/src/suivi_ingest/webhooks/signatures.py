"""Webhook signature schemes: pure functions, constant-time comparisons, no I/O.

The timestamped `t=…,v1=…` scheme (Suivi's own `Suivi-Signature`, Shippo's
`Shippo-Auth-Signature`) is `suivi_infra.signing`, shared with the notifier, which signs the
merchants' webhooks with it; its `SignatureError` is the one every verifier here raises.
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
import unicodedata
from collections.abc import Sequence

from suivi_infra.signing import SHA256_HEX_LEN
from suivi_infra.signing import SignatureError as SignatureError  # re-exported: one class

EASYPOST_PREFIX = "hmac-sha256-hex="
_MAX_HEADER_LEN = 4096


def easypost_key(secret: str) -> bytes:
    """EasyPost NFKD-normalises the webhook secret before using its UTF-8 bytes as the key."""
    return unicodedata.normalize("NFKD", secret).encode("utf-8")


def utf8_key(secret: str) -> bytes:
    return secret.encode("utf-8")


def hmac_sha256(key: bytes, body: bytes) -> bytes:
    return hmac.digest(key, body, "sha256")


def _any_match(candidates: Sequence[bytes], expected: Sequence[bytes]) -> bool:
    return any(hmac.compare_digest(c, e) for c in candidates for e in expected)


def _present(header: str | None, name: str) -> str:
    if header is None or not header.strip():
        raise SignatureError(f"missing {name} header")
    if len(header) > _MAX_HEADER_LEN:
        raise SignatureError(f"{name} header is too long")
    return header.strip()


def _hex_digest(value: str, name: str) -> bytes:
    if len(value) != SHA256_HEX_LEN:
        raise SignatureError(f"{name} must be {SHA256_HEX_LEN} hex digits")
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise SignatureError(f"{name} is not hexadecimal") from None


def verify_easypost(body: bytes, header: str | None, keys: Sequence[bytes]) -> None:
    """`X-Hmac-Signature: hmac-sha256-hex=<hex HMAC-SHA256(body)>`."""
    value = _present(header, "X-Hmac-Signature")
    if not value.startswith(EASYPOST_PREFIX):
        raise SignatureError(f"X-Hmac-Signature must start with {EASYPOST_PREFIX!r}")
    provided = _hex_digest(value[len(EASYPOST_PREFIX) :], "X-Hmac-Signature")
    if not _any_match([provided], [hmac_sha256(k, body) for k in keys]):
        raise SignatureError("X-Hmac-Signature does not match the body")


def verify_hmac_base64(body: bytes, header: str | None, keys: Sequence[bytes], name: str) -> None:
    """`<name>: <base64 HMAC-SHA256(body)>` (AfterShip, FedEx, Shopify)."""
    value = _present(header, name)
    try:
        provided = binascii.a2b_base64(value.encode("ascii"), strict_mode=True)
    except (binascii.Error, UnicodeEncodeError):
        raise SignatureError(f"{name}: not base64") from None
    if not _any_match([provided], [hmac_sha256(k, body) for k in keys]):
        raise SignatureError(f"{name} does not match the body")


def verify_aftership(body: bytes, header: str | None, keys: Sequence[bytes]) -> None:
    """`aftership-hmac-sha256: <base64 HMAC-SHA256(body)>`."""
    verify_hmac_base64(body, header, keys, "aftership-hmac-sha256")


def verify_17track(body: bytes, header: str | None, keys: Sequence[bytes]) -> None:
    """`sign: <hex SHA-256 of body + "/" + API key>` (17TRACK API v2: a plain hash, no HMAC,
    no timestamp, so no replay window: dedup downstream absorbs replays)."""
    provided = _hex_digest(_present(header, "sign").lower(), "sign")
    expected = [hashlib.sha256(body + b"/" + k).digest() for k in keys]
    if not _any_match([provided], expected):
        raise SignatureError("sign does not match the body")


def verify_token(provided: str | None, tokens: Sequence[str], name: str) -> None:
    """A shared token (e.g. in the URL), compared in constant time."""
    if not provided:
        raise SignatureError(f"missing {name}")
    given = provided.encode("utf-8")
    if not _any_match([given], [t.encode("utf-8") for t in tokens]):
        raise SignatureError(f"{name} does not match")
