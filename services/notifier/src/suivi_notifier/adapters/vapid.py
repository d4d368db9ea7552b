"""VAPID (RFC 8292): the application server's P-256 key and its signed JWT.

`Authorization: vapid t=<JWT>, k=<public key>` where the JWT (ES256) carries `aud` (the push
service's origin), `exp` (at most 24 h ahead) and `sub` (a mailto: or https: contact).
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def load_private_key(text: str) -> ec.EllipticCurvePrivateKey:
    """A PEM key, or base64url of the raw 32-byte scalar (what web-push tools print)."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
            raise ValueError("the VAPID key must be a P-256 (secp256r1) EC key")
        return key
    raw = b64url_decode(text)
    if len(raw) != 32:
        raise ValueError("a raw VAPID private key is 32 bytes (base64url)")
    return ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())


def public_key_bytes(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


def audience(endpoint: str) -> str:
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}"


class Vapid:
    def __init__(self, private_key: ec.EllipticCurvePrivateKey, subject: str) -> None:
        if not subject.startswith(("mailto:", "https:")):
            raise ValueError("the VAPID subject must be a mailto: or https: URI")
        self.private_key = private_key
        self.subject = subject
        self.public_key = b64url(public_key_bytes(private_key.public_key()))

    def token(self, endpoint: str, now: datetime, ttl: timedelta = timedelta(hours=12)) -> str:
        header = b64url(json.dumps({"typ": "JWT", "alg": "ES256"}, separators=(",", ":")).encode())
        claims = {
            "aud": audience(endpoint),
            "exp": int((now + ttl).timestamp()),
            "sub": self.subject,
        }
        body = b64url(json.dumps(claims, separators=(",", ":")).encode())
        signing_input = f"{header}.{body}".encode()
        der = self.private_key.sign(signing_input, ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")  # JWS ES256: raw R || S
        return f"{header}.{body}.{b64url(signature)}"

    def authorization(self, endpoint: str, now: datetime) -> str:
        return f"vapid t={self.token(endpoint, now)}, k={self.public_key}"
