"""The dashboard's pure parts: links bound to shop and email, form tokens, filters, limits."""

from __future__ import annotations

import dataclasses

from pydantic import SecretStr

from suivi_projections.domain.orders import OrderStatus
from suivi_projections.query.views import Watch
from suivi_projections.testing.fakes import in_transit_shipment, sample_order
from suivi_projections.web.dashboard.keys import DashboardKeys, parse_link
from suivi_projections.web.dashboard.limits import SigninLimiter
from suivi_projections.web.dashboard.view import Show, category
from suivi_projections.web.ratelimit import Limit, MemoryCounters

KEY = SecretStr("k" * 32)


def test_a_link_is_signed_for_one_shop_and_one_email() -> None:
    keys = DashboardKeys(KEY)
    alice, bob = keys.email_hash("alice@example.com"), keys.email_hash("bob@example.com")
    link = parse_link(keys.new_link("shop-a", alice, 1_900_000_000))
    assert link is not None and link.expires == 1_900_000_000
    assert keys.signed(link, "shop-a", alice)
    assert not keys.signed(link, "shop-a", bob)
    assert not keys.signed(link, "shop-b", alice)
    later = dataclasses.replace(link, expires=link.expires + 1)
    assert not keys.signed(later, "shop-a", alice)
    # Another token key (another deployment) signs differently.
    assert not DashboardKeys(SecretStr("x" * 32)).signed(link, "shop-a", alice)


def test_only_link_shaped_text_is_parsed() -> None:
    good = f"{'a' * 43}.1900000000.{'0' * 64}"
    assert parse_link(good) is not None
    for bad in ("", "a.b.c", f"{'a' * 43}.soon.{'0' * 64}", f"{'a' * 43}.1.{'0' * 63}",
                f"{'a/' * 20}.1.{'0' * 64}", f"{'a' * 43}.1900000000.{'0' * 64}.x"):  # fmt: skip
        assert parse_link(bad) is None, bad


def test_form_tokens_belong_to_their_secret() -> None:
    keys = DashboardKeys(KEY)
    token = keys.csrf("session-1")
    assert keys.csrf_ok("session-1", token)
    assert not keys.csrf_ok("session-2", token)
    assert not keys.csrf_ok(None, token) and not keys.csrf_ok("session-1", None)


def test_filters() -> None:
    moving = sample_order(status=OrderStatus.IN_TRANSIT, shipments=(in_transit_shipment(),))
    assert category(moving) is Show.IN_PROGRESS
    stalled = dataclasses.replace(in_transit_shipment(), watch=Watch.STALLED)
    assert category(dataclasses.replace(moving, shipments=(stalled,))) is Show.ATTENTION
    assert category(dataclasses.replace(moving, status=OrderStatus.NEEDS_ATTENTION)) is (
        Show.ATTENTION
    )
    assert category(dataclasses.replace(moving, status=OrderStatus.DELIVERED)) is Show.DELIVERED
    assert category(dataclasses.replace(moving, status=OrderStatus.CANCELLED)) is None


async def test_requests_are_limited_per_client_then_per_email() -> None:
    now = [1000.0]
    limiter = SigninLimiter(MemoryCounters(), KEY, per_client=Limit(3, 60),
                            per_email=Limit(2, 600), clock=lambda: now[0])  # fmt: skip
    assert await limiter.check("198.51.100.1", "shop-a", "a@example.com") is None
    assert await limiter.check("198.51.100.2", "shop-a", "a@example.com") is None
    refused = await limiter.check("198.51.100.3", "shop-a", "a@example.com")
    assert refused is not None and refused.limit == "signin_email" and refused.wait == 600
    assert await limiter.check("198.51.100.1", "shop-b", "a@example.com") is None  # other shop
    assert await limiter.check("198.51.100.1", "shop-a", "b@example.com") is None
    refused = await limiter.check("198.51.100.1", "shop-a", "c@example.com")
    assert refused is not None and refused.limit == "signin_ip"
    now[0] += 601
    assert await limiter.check("198.51.100.1", "shop-a", "a@example.com") is None
