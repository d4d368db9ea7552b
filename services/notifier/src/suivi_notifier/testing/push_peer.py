"""A web push endpoint (RFC 8030) that decrypts each message with the subscriber's own keys
(RFC 8291 aes128gcm, written here from the RFC with `cryptography` alone, independently of the
sender's library) and verifies the VAPID JWT (RFC 8292: ES256 signature, aud, exp, sub)."""

from __future__ import annotations

import base64
import json
import os
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _hkdf(salt: bytes, ikm: bytes, info: bytes, length: int) -> bytes:
    return HKDF(hashes.SHA256(), length, salt, info).derive(ikm)


def _point(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


def decrypt_aes128gcm(body: bytes, ua_private: ec.EllipticCurvePrivateKey, auth: bytes) -> bytes:
    """RFC 8291 §3.4 / RFC 8188 §2: header salt(16) rs(4) idlen(1) keyid, then the records."""
    salt, rs, idlen = body[:16], int.from_bytes(body[16:20], "big"), body[20]
    as_public_bytes = body[21 : 21 + idlen]
    records = body[21 + idlen :]
    as_public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), as_public_bytes)
    ecdh_secret = ua_private.exchange(ec.ECDH(), as_public)
    key_info = b"WebPush: info\x00" + _point(ua_private.public_key()) + as_public_bytes
    ikm = _hkdf(auth, ecdh_secret, key_info, 32)
    cek = _hkdf(salt, ikm, b"Content-Encoding: aes128gcm\x00", 16)
    nonce = _hkdf(salt, ikm, b"Content-Encoding: nonce\x00", 12)
    out = b""
    for seq, start in enumerate(range(0, len(records), rs)):
        iv = (int.from_bytes(nonce, "big") ^ seq).to_bytes(12, "big")
        plain = AESGCM(cek).decrypt(iv, records[start : start + rs], None).rstrip(b"\x00")
        last = start + rs >= len(records)
        if plain[-1:] != (b"\x02" if last else b"\x01"):
            raise ValueError("bad padding delimiter")
        out += plain[:-1]
    return out


def verify_vapid(authorization: str, endpoint: str, public_key_b64: str) -> dict[str, Any]:
    """Checks `vapid t=<jwt>, k=<key>`; returns the JWT claims or raises ValueError."""
    scheme, _, params = authorization.partition(" ")
    if scheme.lower() != "vapid":
        raise ValueError("not a vapid Authorization")
    fields = dict(p.strip().split("=", 1) for p in params.split(","))
    if fields.get("k") != public_key_b64:
        raise ValueError("k is not the application server key")
    header_b64, claims_b64, signature_b64 = fields["t"].split(".")
    header = json.loads(_unb64(header_b64))
    if header.get("alg") != "ES256":
        raise ValueError("alg is not ES256")
    signature = _unb64(signature_b64)
    if len(signature) != 64:
        raise ValueError("ES256 signatures are 64 bytes")
    der = encode_dss_signature(
        int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    )
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _unb64(public_key_b64))
    try:
        key.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as exc:
        raise ValueError("bad JWT signature") from exc
    claims: dict[str, Any] = json.loads(_unb64(claims_b64))
    parts = urlsplit(endpoint)
    if claims.get("aud") != f"{parts.scheme}://{parts.netloc}":
        raise ValueError("aud is not the push service's origin")
    exp = claims.get("exp")
    if not isinstance(exp, int) or not time.time() < exp <= time.time() + 24 * 3600:
        raise ValueError("exp must be within the next 24 hours")
    if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
        raise ValueError("sub must be a mailto: or https: URI")
    return claims


@dataclass
class Browser:
    """One browser's push subscription: its own key pair and auth secret."""

    id: str
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes

    def subscription(self) -> dict[str, Any]:
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {
                "p256dh": _b64(_point(self.private_key.public_key())),
                "auth": _b64(self.auth),
            },
        }


@dataclass
class ReceivedPush:
    browser: str
    headers: dict[str, str]
    payload: dict[str, Any]
    claims: dict[str, Any]


@dataclass
class PushPeer:
    vapid_public_key: str
    base_url: str = ""
    browsers: dict[str, Browser] = field(default_factory=dict)
    received: list[ReceivedPush] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    responses: dict[str, list[int]] = field(default_factory=dict)

    def new_browser(self) -> Browser:
        ident = uuid.uuid4().hex
        browser = Browser(
            ident,
            f"{self.base_url}/push/{ident}",
            ec.generate_private_key(ec.SECP256R1()),
            os.urandom(16),
        )
        self.browsers[ident] = browser
        return browser

    async def push(self, request: Request) -> Response:
        browser = self.browsers.get(request.path_params["ident"])
        if browser is None:
            return Response(status_code=404)
        queued = self.responses.get(browser.id)
        if queued:
            return Response(status_code=queued.pop(0))
        try:
            if request.headers.get("content-encoding") != "aes128gcm":
                raise ValueError("Content-Encoding is not aes128gcm")
            if "ttl" not in request.headers:
                raise ValueError("TTL header missing")
            claims = verify_vapid(
                request.headers.get("authorization", ""), browser.endpoint, self.vapid_public_key
            )
            plain = decrypt_aes128gcm(await request.body(), browser.private_key, browser.auth)
            payload = json.loads(plain)
        except Exception as exc:
            self.errors.append(f"{type(exc).__name__}: {exc}")
            return Response(status_code=400)
        self.received.append(ReceivedPush(browser.id, dict(request.headers), payload, claims))
        return Response(status_code=201, headers={"Location": f"/messages/{uuid.uuid4().hex}"})

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/push/{ident}", self.push, methods=["POST"])])
