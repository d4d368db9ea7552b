"""CSRF form tokens: bound to the page and purpose, expiring, and the same nonce → same key."""

from __future__ import annotations

from datetime import timedelta

from pydantic import SecretStr

from suivi_aftersales.testing.builders import T0
from suivi_aftersales.web.forms import FormTokens

FORMS = FormTokens(SecretStr("k" * 40), ttl_seconds=3600)


def test_a_token_is_good_for_its_page_and_purpose_only() -> None:
    token = FORMS.issue("page-a", "request", T0)
    key = FORMS.check(token, "page-a", "request", T0 + timedelta(minutes=5))
    assert key is not None
    assert FORMS.check(token, "page-a", "request", T0) == key  # idempotency key: stable
    assert FORMS.check(token, "page-b", "request", T0) is None
    assert FORMS.check(token, "page-a", "tracking:R-1", T0) is None


def test_a_token_expires_and_cannot_be_forged() -> None:
    token = FORMS.issue("page-a", "request", T0)
    assert FORMS.check(token, "page-a", "request", T0 + timedelta(hours=2)) is None
    issued, nonce, mac = token.split(".")
    assert FORMS.check(f"{int(issued) + 1}.{nonce}.{mac}", "page-a", "request", T0) is None
    assert FORMS.check("garbage", "page-a", "request", T0) is None
    other = FormTokens(SecretStr("j" * 40), ttl_seconds=3600)
    assert other.check(token, "page-a", "request", T0) is None
