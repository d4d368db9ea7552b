"""Secrets sealed for the topic (AES-256-GCM): webhook signing secrets travel on merchants.v1
only sealed under SUIVI_MERCHANTS_SEALING_KEY, which only the console and the notifier hold."""

from __future__ import annotations

import base64
import hashlib
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_PREFIX = "v1."
_NONCE = 12


class SealError(ValueError):
    """A sealed value that this key cannot open (wrong key, altered, or not sealed)."""


def _aead(key: str) -> AESGCM:
    if len(key) < 32:
        raise ValueError("the sealing key must have at least 32 characters")
    # Any long random string works as configuration; the AES key is its SHA-256.
    return AESGCM(hashlib.sha256(key.encode()).digest())


def seal(key: str, secret: str, context: str) -> str:
    """`secret` encrypted and authenticated; `context` (e.g. merchant:endpoint) is bound to it,
    so a sealed value cannot be moved to another merchant's record."""
    nonce = secrets.token_bytes(_NONCE)
    box = _aead(key).encrypt(nonce, secret.encode(), context.encode())
    return _PREFIX + base64.urlsafe_b64encode(nonce + box).decode()


def unseal(key: str, sealed: str, context: str) -> str:
    if not sealed.startswith(_PREFIX):
        raise SealError("not a sealed value")
    try:
        raw = base64.urlsafe_b64decode(sealed[len(_PREFIX) :])
        return _aead(key).decrypt(raw[:_NONCE], raw[_NONCE:], context.encode()).decode()
    except (InvalidTag, ValueError) as exc:
        raise SealError("cannot open the sealed value") from exc
