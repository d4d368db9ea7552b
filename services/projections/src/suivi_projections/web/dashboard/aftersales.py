"""The open returns and claims of the listed orders (`order_aftersales`, the projector's copy of
after-sales' topics), in the shopper's words, each with a link to its page at after-sales."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

import asyncpg

from suivi_infra.i18n import N_
from suivi_projections.query.views import OrderView
from suivi_projections.web.pages.i18n import Translator

OPEN_CASES = """
SELECT a.merchant_id, a.order_number, a.kind, a.case_id, a.state, a.reason
FROM order_aftersales a JOIN unnest($1::text[], $2::text[]) AS k (merchant_id, order_number)
    USING (merchant_id, order_number)
WHERE a.is_open
ORDER BY a.merchant_id, a.order_number, a.kind DESC, a.case_id
"""

# Built at run time below: marked for `make i18n` and the catalogue test.
WORDS = (
    N_("dashboard.return.requested"), N_("dashboard.return.approved"),
    N_("dashboard.return.dropped_off"), N_("dashboard.return.in_transit"),
    N_("dashboard.return.received"), N_("dashboard.return.inspected"),
    N_("dashboard.claim.waiting_merchant"), N_("dashboard.claim.waiting_shopper"),
    N_("dashboard.claim.reason.not_received"), N_("dashboard.claim.reason.damaged"),
    N_("dashboard.claim.reason.item_missing"), N_("dashboard.claim.reason.wrong_item"),
    N_("dashboard.claim.reason.late"), N_("dashboard.claim.reason.lost"),
)  # fmt: skip

OrderKey = tuple[str, str]  # merchant, order number


@dataclass(frozen=True, slots=True)
class OpenCase:
    kind: str  # "return" or "claim"
    case_id: str
    state: str
    reason: str | None


@dataclass(frozen=True, slots=True)
class CaseLine:
    """One open return or claim on an order's card."""

    kind: str
    case_id: str
    text: str  # e.g. "Return R-1042: dropped off"
    href: str | None  # its page at after-sales; None when this API knows no after-sales URL


async def open_cases(
    pool: asyncpg.Pool, orders: Sequence[OrderView]
) -> dict[OrderKey, list[OpenCase]]:
    """The open returns (returns first) and claims of `orders`, by order."""
    found: dict[OrderKey, list[OpenCase]] = {}
    if not orders:
        return found
    rows = await pool.fetch(
        OPEN_CASES, [o.merchant_id for o in orders], [o.order_number for o in orders]
    )
    for r in rows:
        found.setdefault((r[0], r[1]), []).append(OpenCase(r[2], r[3], r[4], r[5]))
    return found


def case_lines(
    cases: Sequence[OpenCase], t: Translator, status_token: str, aftersales: str | None
) -> tuple[CaseLine, ...]:
    """The cases' lines, linked to `<aftersales>/orders/<token>/returns|claims/<id>`."""
    base = f"{aftersales.rstrip('/')}/orders/{status_token}" if aftersales else None
    lines = []
    for c in cases:
        if c.kind == "return":
            state = t(f"dashboard.return.{c.state}")
            text = t("dashboard.case.return", number=c.case_id, state=state)
        else:
            state = t(f"dashboard.claim.{c.state}")
            reason = t(f"dashboard.claim.reason.{c.reason}")
            text = t("dashboard.case.claim", number=c.case_id, reason=reason, state=state)
        href = f"{base}/{c.kind}s/{quote(c.case_id, safe='')}" if base else None
        lines.append(CaseLine(c.kind, c.case_id, text, href))
    return tuple(lines)


async def lines_of(
    pool: asyncpg.Pool, orders: Sequence[OrderView], t: Translator, aftersales: str | None
) -> dict[str, tuple[CaseLine, ...]]:
    """Each listed order's open returns and claims in words, by the order's status token."""
    found = await open_cases(pool, orders)
    return {
        o.status_token: case_lines(cases, t, o.status_token, aftersales)
        for o in orders
        if (cases := found.get((o.merchant_id, o.order_number)))
    }
