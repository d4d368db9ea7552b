"""The `Suivi-Signature` scheme, in one place: whoever sends a signed Suivi request (a script
posting to ingest, the notifier calling a merchant's webhook) signs with `sign`, whoever
receives one checks it with `verify`.

    Suivi-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">[,v1=…]

The key is the shared secret's UTF-8 bytes. During a rotation the sender signs with each active
secret (one `v1=` each); the receiver accepts when any `v1=` matches any of its secrets. Other
keys (a future `v2=`) are ignored. `t` must be within ±tolerance of the receiver's clock, which
bounds replays of a captured request; every retry is signed again with a fresh `t`.
(services/ingest's `signatures.verify_timestamped` implements the same check for the `suivi`
provider, with its own error wording.)
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

HEADER = "Suivi-Signature"
DEFAULT_TOLERANCE_SECONDS = 300
_HEX_LEN = 64
_MAX_TIMESTAMP_DIGITS = 10  # Unix seconds fit in 10 digits until 2286
_MAX_HEADER_LEN = 4096


class SignatureError(Exception):
    """The request is not authenticated; the message says why (never a secret)."""


def digest(secret: str, timestamp: str, body: bytes) -> bytes:
    """HMAC-SHA256 of `"<timestamp>.<body>"`, fed incrementally (the body is not copied)."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b".", hashlib.sha256)
    mac.update(body)
    return mac.digest()


def sign(body: bytes, secrets: Sequence[str], timestamp: int) -> str:
    """The header value for `body` sent at `timestamp` (one `v1=` per active secret)."""
    if not secrets:
        raise ValueError("at least one secret is needed to sign")
    t = str(int(timestamp))
    return ",".join([f"t={t}", *(f"v1={digest(s, t, body).hex()}" for s in secrets)])


def parse(header: str | None) -> tuple[str, list[bytes]]:
    """`t=<digits>,v1=<hex>[,v1=<hex>…]` → (t, digests); other keys are ignored."""
    if header is None or not header.strip():
        raise SignatureError(f"missing {HEADER} header")
    if len(header) > _MAX_HEADER_LEN:
        raise SignatureError(f"{HEADER} header is too long")
    timestamp: str | None = None
    digests: list[bytes] = []
    for item in header.strip().split(","):
        key, sep, value = item.strip().partition("=")
        if not sep:
            raise SignatureError(f"malformed {HEADER} header: an item is not key=value")
        if key == "t":
            if timestamp is not None:
                raise SignatureError(f"malformed {HEADER} header: several t=")
            timestamp = value
        elif key == "v1":
            if len(value) != _HEX_LEN:
                raise SignatureError(f"malformed {HEADER} header: v1= is not {_HEX_LEN} hex")
            try:
                digests.append(bytes.fromhex(value))
            except ValueError:
                raise SignatureError(f"malformed {HEADER} header: v1= is not hex") from None
    if timestamp is None:
        raise SignatureError(f"malformed {HEADER} header: no t=")
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > _MAX_TIMESTAMP_DIGITS:
        raise SignatureError(f"malformed {HEADER} header: t= must be Unix seconds")
    if not digests:
        raise SignatureError(f"malformed {HEADER} header: no v1=")
    return timestamp, digests


def verify(
    body: bytes,
    header: str | None,
    secrets: Sequence[str],
    *,
    now: float,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
) -> None:
    """Raises SignatureError unless a `v1=` of `header` signs `body` with one of `secrets` and
    `t` is within ±`tolerance_seconds` of `now`. Comparisons are constant-time."""
    timestamp, provided = parse(header)
    if abs(now - int(timestamp)) > tolerance_seconds:
        raise SignatureError(
            f"{HEADER} timestamp is outside the ±{tolerance_seconds} s window (check the clock)"
        )
    expected = [digest(s, timestamp, body) for s in secrets]
    if not any(hmac.compare_digest(p, e) for p in provided for e in expected):
        raise SignatureError(f"{HEADER} does not match the body")
