"""Recovery codes: ten random codes shown once, stored as SHA-256 digests, each usable once.

SHA-256 (not argon2) is enough: a code has 60 random bits, beyond offline guessing, and
sign-in tries are throttled anyway."""

from __future__ import annotations

import hashlib
import secrets

COUNT = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read from paper


def new_codes(count: int = COUNT) -> list[str]:
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(12))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
    return codes


def normalise(code: str) -> str:
    return "".join(c for c in code.strip().lower() if c.isalnum())


def digest(code: str) -> str:
    return hashlib.sha256(normalise(code).encode()).hexdigest()


def looks_like_code(code: str) -> bool:
    return len(normalise(code)) == 12
