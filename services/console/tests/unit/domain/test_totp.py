"""TOTP: the current code and one step of drift pass, older ones and replays do not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp

from suivi_console.domain.totp import check_code, new_secret, provisioning_uri

NOW = datetime(2026, 12, 6, 5, 0, 10, tzinfo=UTC)


def test_current_and_adjacent_steps_pass_others_fail() -> None:
    secret = new_secret()
    totp = pyotp.TOTP(secret)
    assert check_code(secret, totp.at(NOW), NOW, None).ok
    assert check_code(secret, totp.at(NOW - timedelta(seconds=30)), NOW, None).ok
    assert check_code(secret, totp.at(NOW + timedelta(seconds=30)), NOW, None).ok
    assert not check_code(secret, totp.at(NOW - timedelta(seconds=90)), NOW, None).ok
    assert not check_code(secret, "12345", NOW, None).ok
    assert not check_code(secret, "abcdef", NOW, None).ok


def test_a_used_step_cannot_be_replayed() -> None:
    secret = new_secret()
    code = pyotp.TOTP(secret).at(NOW)
    first = check_code(secret, code, NOW, None)
    assert first.ok and first.step is not None
    assert not check_code(secret, code, NOW, first.step).ok
    later = NOW + timedelta(seconds=30)
    assert check_code(secret, pyotp.TOTP(secret).at(later), later, first.step).ok


def test_code_with_spaces_and_the_uri() -> None:
    secret = new_secret()
    code = pyotp.TOTP(secret).at(NOW)
    assert check_code(secret, f" {code[:3]} {code[3:]} ", NOW, None).ok
    uri = provisioning_uri(secret, "owner@shop.test")
    assert uri.startswith("otpauth://totp/Suivi:owner%40shop.test?secret=")
    assert len(secret) == 32
