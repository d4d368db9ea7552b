"""What the routes share, as Annotated dependencies: the context, the calling merchant, and the
shopper's order (authorized by its private page token)."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

import asyncpg
from fastapi import Depends, Request
from pydantic import SecretStr

from suivi_aftersales.adapters import pg_orders
from suivi_aftersales.adapters.pg_limits import Limit, over_limit
from suivi_aftersales.domain.policy import OrderFacts
from suivi_aftersales.handlers.claims import Claims
from suivi_aftersales.handlers.returns import Returns
from suivi_aftersales.metrics import AftersalesMetrics
from suivi_aftersales.web.fonts import NONE as NO_FONTS
from suivi_aftersales.web.fonts import PdfFonts
from suivi_aftersales.web.forms import FormTokens
from suivi_infra.merchants import KeyLookup
from suivi_infra.tokens import status_token

Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class ApiContext:
    pool: asyncpg.Pool
    returns: Returns
    claims: Claims
    merchants: KeyLookup  # merchants.v1 then the environment (or the environment only)
    token_key: SecretStr
    forms: FormTokens
    metrics: AftersalesMetrics
    clock: Clock
    limits: tuple[Limit, Limit] = (
        Limit("page", 30, timedelta(hours=1)),
        Limit("client", 120, timedelta(hours=1)),
    )
    pdf_fonts: PdfFonts = NO_FONTS  # the dossier's and receipts' fonts (none: Latin-1)


class ApiError(Exception):
    """Answered as `{"error": code, "detail": …}` with `status`."""

    def __init__(self, status: int, code: str, detail: str, headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.status, self.code, self.detail, self.headers = status, code, detail, headers


class PageNotFoundError(Exception):
    """A page token (or RMA) that names nothing: one answer for every such case."""


class RateLimitedError(Exception):
    def __init__(self, seconds: int) -> None:
        super().__init__(f"retry in {seconds} s")
        self.seconds = seconds


def context(request: Request) -> ApiContext:
    ctx: ApiContext = request.app.state.context
    return ctx


ContextDep = Annotated[ApiContext, Depends(context)]


def merchant(request: Request, ctx: ContextDep) -> str:
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    found = ctx.merchants.merchant_for(key.strip()) if scheme.lower() == "bearer" else None
    if found is None:
        raise ApiError(
            401, "unauthorized", "a merchant API key is required: Authorization: Bearer <key>",
            {"WWW-Authenticate": "Bearer"},
        )  # fmt: skip
    return found


MerchantDep = Annotated[str, Depends(merchant)]


async def shopper_order(token: str, ctx: ContextDep) -> OrderFacts:
    """The order of `/orders/{token}/returns…`: found by the token's digest, then the token is
    derived again and compared in constant time (the status page's own token and key)."""
    if not 16 <= len(token) <= 64 or not token.isascii():
        raise PageNotFoundError()
    async with ctx.pool.acquire() as conn:
        order = await pg_orders.order_by_token(conn, token)
    if order is None:
        raise PageNotFoundError()
    expected = status_token(ctx.token_key, order.merchant_id, order.order_number)
    if not hmac.compare_digest(expected.encode(), token.encode()):
        raise PageNotFoundError()  # a token of a rotated key: the link no longer works
    return order


ShopperOrderDep = Annotated[OrderFacts, Depends(shopper_order)]


async def limited_post(token: str, request: Request, ctx: ContextDep) -> None:
    """A shopper's form post counts against its page's and its client's hourly limits (the
    lookup's rule: rate-limited, answered 429 with Retry-After)."""
    client = request.client.host if request.client else "?"
    page, per_client = ctx.limits
    wait = await over_limit(ctx.pool, [(page, token), (per_client, client)], ctx.clock())
    if wait is not None:
        raise RateLimitedError(wait)


LimitedPost = Depends(limited_post)
