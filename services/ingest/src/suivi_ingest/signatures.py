"""Webhook signature schemes: pure functions, constant-time comparisons, no I/O."""

from __future__ import annotations

import binascii
import hashlib
import hmac
import unicodedata
from collections.abc import Sequence

SHA256_HEX_LEN = 64
EASYPOST_PREFIX = "hmac-sha256-hex="
# Seconds since the epoch fit in 10 digits until 2286; more is not a timestamp.
_MAX_TIMESTAMP_DIGITS = 10
_MAX_HEADER_LEN = 4096


class SignatureError(Exception):
    """The request is not authenticated; the message says why (never a secret)."""


def easypost_key(secret: str) -> bytes:
    """EasyPost NFKD-normalises the webhook secret before using its UTF-8 bytes as the key."""
    return unicodedata.normalize("NFKD", secret).encode("utf-8")


def utf8_key(secret: str) -> bytes:
    return secret.encode("utf-8")


def hmac_sha256(key: bytes, body: bytes) -> bytes:
    return hmac.digest(key, body, "sha256")


def _timestamped_digest(key: bytes, timestamp: str, body: bytes) -> bytes:
    # Incremental update: the body is never copied into a "<t>.<body>" buffer.
    mac = hmac.new(key, timestamp.encode("ascii") + b".", hashlib.sha256)
    mac.update(body)
    return mac.digest()


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


def parse_timestamped(header: str | None, name: str) -> tuple[str, list[bytes]]:
    """`t=<unix seconds>,v1=<hex>[,v1=<hex>…]` → (t, digests); other keys are ignored."""
    value = _present(header, name)
    timestamp: str | None = None
    digests: list[bytes] = []
    for item in value.split(","):
        key, sep, val = item.strip().partition("=")
        if not sep:
            raise SignatureError(f"malformed {name} header: {item.strip()[:20]!r} is not key=value")
        if key == "t":
            if timestamp is not None:
                raise SignatureError(f"malformed {name} header: several t=")
            timestamp = val
        elif key == "v1":
            digests.append(_hex_digest(val, f"malformed {name} header: v1="))
    if timestamp is None:
        raise SignatureError(f"malformed {name} header: no t=")
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > _MAX_TIMESTAMP_DIGITS:
        raise SignatureError(f"malformed {name} header: t= must be Unix seconds")
    if not digests:
        raise SignatureError(f"malformed {name} header: no v1=")
    return timestamp, digests


def verify_timestamped(
    body: bytes,
    header: str | None,
    keys: Sequence[bytes],
    *,
    now: float,
    tolerance_seconds: int,
    name: str,
) -> None:
    """Stripe-like: HMAC-SHA256 of `"<t>.<body>"`, `t` within ±tolerance of `now`."""
    timestamp, provided = parse_timestamped(header, name)
    if abs(now - int(timestamp)) > tolerance_seconds:
        raise SignatureError(
            f"{name} timestamp is outside the ±{tolerance_seconds} s window (check the clock)"
        )
    if not _any_match(provided, [_timestamped_digest(k, timestamp, body) for k in keys]):
        raise SignatureError(f"{name} does not match the body")


def verify_token(provided: str | None, tokens: Sequence[str], name: str) -> None:
    """A shared token (e.g. in the URL), compared in constant time."""
    if not provided:
        raise SignatureError(f"missing {name}")
    given = provided.encode("utf-8")
    if not _any_match([given], [t.encode("utf-8") for t in tokens]):
        raise SignatureError(f"{name} does not match")


def suivi_signature_header(body: bytes, secrets: Sequence[str], timestamp: int) -> str:
    """The `Suivi-Signature` value a sender puts on `body` (one v1= per active secret)."""
    t = str(timestamp)
    parts = [f"t={t}"]
    parts += [f"v1={_timestamped_digest(utf8_key(s), t, body).hex()}" for s in secrets]
    return ",".join(parts)
