"""Password hashing (argon2id, argon2-cffi's RFC 9106 low-memory profile) and the length rule."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 256  # bounds the hashing work an anonymous request can ask for

_HASHER = PasswordHasher()
# Verified against when the account does not exist, so both answers take the same time.
_DUMMY = _HASHER.hash("suivi-console-no-such-account")


def password_problem(password: str) -> str | None:
    """Why `password` cannot be chosen, or None (length only, as NIST SP 800-63B advises)."""
    if len(password) < MIN_LENGTH:
        return f"at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"at most {MAX_LENGTH} characters"
    return None


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Whether `password` matches `stored`; with no stored hash, the same work is done anyway."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _HASHER.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _HASHER.check_needs_rehash(stored)
