"""Passwords, recovery codes, sessions, CSRF, throttling, reset links and keys: pure rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from suivi_console.domain import keys, passwords, recovery, reset
from suivi_console.domain.sessions import (
    SessionPolicy,
    SessionTimes,
    csrf_ok,
    csrf_token,
    is_alive,
    session_digest,
)
from suivi_console.domain.throttle import ThrottlePolicy, retry_after

NOW = datetime(2026, 12, 6, 5, 0, tzinfo=UTC)


def test_password_hash_verifies_and_refuses() -> None:
    stored = passwords.hash_password("a long enough secret")
    assert stored.startswith("$argon2id$")
    assert passwords.verify_password(stored, "a long enough secret")
    assert not passwords.verify_password(stored, "a long enough secreT")
    assert not passwords.verify_password(None, "anything at all")  # unknown account
    assert not passwords.verify_password("not a hash", "anything at all")
    assert passwords.password_problem("short") is not None
    assert passwords.password_problem("x" * 300) is not None
    assert passwords.password_problem("twelve chars") is None


def test_recovery_codes_are_distinct_and_normalised() -> None:
    codes = recovery.new_codes()
    assert len(set(codes)) == 10
    code = codes[0]
    assert recovery.looks_like_code(code) and not recovery.looks_like_code("123456")
    assert recovery.digest(code.upper().replace("-", " ")) == recovery.digest(code)
    assert recovery.digest(code) != recovery.digest(codes[1])


def test_sessions_expire_idle_absolute_and_pending() -> None:
    policy = SessionPolicy(timedelta(minutes=30), timedelta(hours=12), timedelta(minutes=5))
    fresh = SessionTimes(NOW, NOW, authenticated=True)
    assert is_alive(fresh, NOW + timedelta(minutes=29), policy)
    assert not is_alive(fresh, NOW + timedelta(minutes=30), policy)
    busy = SessionTimes(NOW, NOW + timedelta(hours=11, minutes=59), authenticated=True)
    assert not is_alive(busy, NOW + timedelta(hours=12), policy)
    pending = SessionTimes(NOW, NOW, authenticated=False)
    assert is_alive(pending, NOW + timedelta(minutes=4), policy)
    assert not is_alive(pending, NOW + timedelta(minutes=5), policy)
    assert session_digest("a") != session_digest("b") and len(session_digest("a")) == 64


def test_csrf_token_is_bound_to_the_session() -> None:
    token = csrf_token("secret-one")
    assert csrf_ok("secret-one", token)
    assert not csrf_ok("secret-two", token)
    assert not csrf_ok("secret-one", None)
    assert not csrf_ok("secret-one", "")


def test_throttle_doubles_after_the_free_tries() -> None:
    policy = ThrottlePolicy(timedelta(minutes=15), 5, timedelta(seconds=2), timedelta(minutes=15))
    assert retry_after(4, NOW, NOW, policy) is None
    assert retry_after(5, NOW, NOW, policy) == timedelta(seconds=2)
    assert retry_after(7, NOW, NOW, policy) == timedelta(seconds=8)
    assert retry_after(7, NOW, NOW + timedelta(seconds=8), policy) is None
    assert retry_after(40, NOW, NOW, policy) == timedelta(minutes=15)


def test_reset_link_expires_and_dies_with_the_password() -> None:
    token = reset.make_token("k" * 32, 7, "hash-1", NOW, timedelta(minutes=30))
    assert reset.token_user(token) == 7
    assert reset.token_ok("k" * 32, token, "hash-1", NOW + timedelta(minutes=29))
    assert not reset.token_ok("k" * 32, token, "hash-1", NOW + timedelta(minutes=30))
    assert not reset.token_ok("k" * 32, token, "hash-2", NOW)  # password changed: used
    assert not reset.token_ok("j" * 32, token, "hash-1", NOW)
    forged = token.replace("7.", "8.", 1)
    assert not reset.token_ok("k" * 32, forged, "hash-1", NOW)
    assert reset.token_user("x.y.z") is None


def test_keys_are_random_hashed_and_rotation_never_extends() -> None:
    a, b = keys.new_key("atelier"), keys.new_key("atelier")
    assert a.plaintext != b.plaintext and a.sha256 != b.sha256
    assert a.plaintext.startswith("sk_atelier_") and len(a.plaintext) > 50
    assert a.prefix in a.plaintext and a.sha256 not in a.plaintext
    grace = timedelta(hours=24)
    assert keys.grace_end(NOW, grace, None) == NOW + grace
    assert keys.grace_end(NOW, grace, NOW + timedelta(hours=1)) == NOW + timedelta(hours=1)
