"""What the dashboard shows of each order (no I/O): its card, built with the status page's own
words (`pages.build.public_order`), and the filter it falls under."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from suivi_projections.domain.orders import OrderStatus
from suivi_projections.query.views import OrderView
from suivi_projections.web.dashboard.aftersales import CaseLine
from suivi_projections.web.pages.build import public_order
from suivi_projections.web.pages.content import PublicOrder
from suivi_projections.web.pages.i18n import Translator


class Show(StrEnum):
    ALL = "all"
    IN_PROGRESS = "in_progress"
    DELIVERED = "delivered"
    ATTENTION = "attention"  # something to look at: a failed attempt, a stall, a late parcel …


FILTERS = tuple(Show)


def category(order: OrderView) -> Show | None:
    """The filter an order falls under besides 'all'; None: cancelled, in none."""
    if order.status is OrderStatus.CANCELLED or order.cancelled:
        return None
    if order.status is OrderStatus.NEEDS_ATTENTION or any(
        s.state == "active" and (s.action_required or s.watch is not None) for s in order.shipments
    ):
        return Show.ATTENTION
    if order.status is OrderStatus.DELIVERED:
        return Show.DELIVERED
    return Show.IN_PROGRESS


@dataclass(frozen=True, slots=True)
class Card:
    order: PublicOrder  # private=False words, without the shopper's personal details
    page: str  # the order's private page
    category: Show | None
    cases: tuple[CaseLine, ...] = ()  # its open returns and claims


def cards(
    orders: Sequence[OrderView], t: Translator, shop_name: dict[str, str | None],
    cases: Mapping[str, tuple[CaseLine, ...]] | None = None,
) -> tuple[Card, ...]:  # fmt: skip
    """Newest placed first (the store's order kept; placed_at breaks nothing it sorted);
    `cases`: each order's open returns and claims, by its status token."""
    return tuple(
        Card(
            public_order(o, t, shared=False, shop=shop_name.get(o.merchant_id)),
            f"/orders/{o.status_token}",
            category(o),
            (cases or {}).get(o.status_token, ()),
        )
        for o in sorted(orders, key=lambda o: o.placed_at, reverse=True)
    )


def shown(all_cards: Sequence[Card], show: Show) -> tuple[Card, ...]:
    return tuple(c for c in all_cards if show is Show.ALL or c.category is show)


def counts(all_cards: Sequence[Card]) -> dict[Show, int]:
    found = dict.fromkeys(FILTERS, 0)
    found[Show.ALL] = len(all_cards)
    for c in all_cards:
        if c.category is not None:
            found[c.category] += 1
    return found
