"""TOTP (RFC 6238, 30 s, 6 digits) with one step of drift either way, and no replay: a code of
a time step at or before the last accepted one is refused."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime

import pyotp

STEP_SECONDS = 30
DRIFT_STEPS = 1
ISSUER = "Suivi"


def new_secret() -> str:
    return pyotp.random_base32(length=32)  # 160 bits, RFC 4226's recommended length


def provisioning_uri(secret: str, account: str, issuer: str = ISSUER) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


@dataclass(frozen=True, slots=True)
class TotpCheck:
    ok: bool
    step: int | None = None  # the matched time step, to store as the last one used


def check_code(secret: str, code: str, now: datetime, last_step: int | None) -> TotpCheck:
    code = code.strip().replace(" ", "")
    if len(code) != 6 or not code.isdigit():
        return TotpCheck(False)
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // STEP_SECONDS
    matched: int | None = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        # Every candidate is compared (constant-time), whatever matched before.
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            matched = step
    if matched is None or (last_step is not None and matched <= last_step):
        return TotpCheck(False)
    return TotpCheck(True, matched)
