"""Test support for the returns and claims pages: a client of the console app in-process and
the return policy's form as an owner fills it in."""

from __future__ import annotations

import httpx

from suivi_console.bootstrap import ConsoleService


def console_client(service: ConsoleService, base: str = "http://console.test") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=service.app, client=("203.0.113.7", 50000))
    return httpx.AsyncClient(transport=transport, base_url=base)


def policy_form(csrf: str, **changes: str | list[str]) -> dict[str, str | list[str]]:
    """The policy editor's fields: 30 days, both methods, two reasons of the shop's own."""
    return {"csrf": csrf, "window_days": "30", "reminder_days": "7", "expire_days": "14",
            "paid_by": "merchant", "methods": ["drop_off_label", "own_shipment"],
            "reasons": "too_small | Too small | Trop petit\nbroken | Broken | Cassé",
            "ineligible_skus": "GIFT-CARD", **changes}  # fmt: skip
