"""The timestamped HMAC signature scheme, in one place: whoever sends a signed Suivi request (a
script posting to ingest, the notifier calling a merchant's webhook) signs with `sign`, whoever
receives one checks it with `verify`.

    Suivi-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">[,v1=…]

The key is the shared secret's UTF-8 bytes (a `str` secret is encoded, `bytes` are used as
given). During a rotation the sender signs with each active secret (one `v1=` each); the
receiver accepts when any `v1=` matches any of its secrets. Other keys (a future `v2=`) are
ignored. `t` must be within ±tolerance of the receiver's clock, which bounds replays of a
captured request; every retry is signed again with a fresh `t`.

Other senders use the same shape under another header (Shippo's `Shippo-Auth-Signature`):
`parse` and `verify` take the header's `name`, which every error message names.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

HEADER = "Suivi-Signature"
DEFAULT_TOLERANCE_SECONDS = 300
SHA256_HEX_LEN = 64
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
_MAX_TIMESTAMP_DIGITS = 10  # Unix seconds fit in 10 digits until 2286
_MAX_HEADER_LEN = 4096

Secret = str | bytes


class SignatureError(Exception):
    """The request is not authenticated; the message says why (never a secret)."""


def key_bytes(secret: Secret) -> bytes:
    """The HMAC key of a secret: its UTF-8 bytes (bytes are taken as they are)."""
    return secret if isinstance(secret, bytes) else secret.encode("utf-8")


def digest(secret: Secret, timestamp: str, body: bytes) -> bytes:
    """HMAC-SHA256 of `"<timestamp>.<body>"`, fed incrementally (the body is not copied)."""
    mac = hmac.new(key_bytes(secret), timestamp.encode("ascii") + b".", hashlib.sha256)
    mac.update(body)
    return mac.digest()


def sign(body: bytes, secrets: Sequence[Secret], timestamp: int) -> str:
    """The header value for `body` sent at `timestamp` (one `v1=` per active secret)."""
    if not secrets:
        raise ValueError("at least one secret is needed to sign")
    t = str(int(timestamp))
    return ",".join([f"t={t}", *(f"v1={digest(s, t, body).hex()}" for s in secrets)])


def parse(header: str | None, name: str = HEADER) -> tuple[str, list[bytes]]:
    """`t=<digits>,v1=<hex>[,v1=<hex>…]` → (t, digests); other keys are ignored. `name` is the
    header's, for the error messages."""
    if header is None or not header.strip():
        raise SignatureError(f"missing {name} header")
    if len(header) > _MAX_HEADER_LEN:
        raise SignatureError(f"{name} header is too long")
    timestamp: str | None = None
    digests: list[bytes] = []
    for item in header.strip().split(","):
        key, sep, value = item.strip().partition("=")
        if not sep:
            raise SignatureError(f"malformed {name} header: {item.strip()[:20]!r} is not key=value")
        if key == "t":
            if timestamp is not None:
                raise SignatureError(f"malformed {name} header: several t=")
            timestamp = value
        elif key == "v1":
            if len(value) != SHA256_HEX_LEN:
                raise SignatureError(
                    f"malformed {name} header: v1= must be {SHA256_HEX_LEN} hex digits"
                )
            if not _HEX_DIGITS.issuperset(value):
                raise SignatureError(f"malformed {name} header: v1= is not hexadecimal")
            digests.append(bytes.fromhex(value))
    if timestamp is None:
        raise SignatureError(f"malformed {name} header: no t=")
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > _MAX_TIMESTAMP_DIGITS:
        raise SignatureError(f"malformed {name} header: t= must be Unix seconds")
    if not digests:
        raise SignatureError(f"malformed {name} header: no v1=")
    return timestamp, digests


def verify(
    body: bytes,
    header: str | None,
    secrets: Sequence[Secret],
    *,
    now: float,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
    name: str = HEADER,
) -> None:
    """Raises SignatureError unless a `v1=` of `header` signs `body` with one of `secrets` and
    `t` is within ±`tolerance_seconds` of `now`. Comparisons are constant-time."""
    timestamp, provided = parse(header, name)
    if abs(now - int(timestamp)) > tolerance_seconds:
        raise SignatureError(
            f"{name} timestamp is outside the ±{tolerance_seconds} s window (check the clock)"
        )
    expected = [digest(s, timestamp, body) for s in secrets]
    if not any(hmac.compare_digest(p, e) for p in provided for e in expected):
        raise SignatureError(f"{name} does not match the body")
