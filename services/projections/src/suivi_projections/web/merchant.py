"""Merchant read API: `Authorization: Bearer <key>`; a key opens its own merchant's data only."""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from suivi_infra.http import documented
from suivi_projections.domain.orders import OrderStatus
from suivi_projections.query.search import search_orders
from suivi_projections.query.views import OrderPage, OrderView, ShipmentView
from suivi_projections.web.context import ApiContext
from suivi_projections.web.deps import ContextDep, MerchantDep, ReadModelDep
from suivi_projections.web.responses import error_response
from suivi_schemas.carriers import canonical_carrier
from suivi_schemas.ids import normalize_tracking_number

_PRIVATE = {"Cache-Control": "no-store"}
_AUTH = documented({401: "Missing or unknown API key."})
_BAD_PATH = "A path parameter out of its bounds."
_Segment = Annotated[str, Path(min_length=1, max_length=64)]  # outside these bounds: 400
router = APIRouter(prefix="/v1/merchant", tags=["merchant"], responses=_AUTH)


async def _paged(
    ctx: ApiContext, response: Response, limit: int | None,
    fetch: Callable[[int], Awaitable[OrderPage]],
) -> Any:  # fmt: skip
    """A page of `fetch(size)`, no larger than the configured page; a bad cursor answers 400."""
    size = min(limit or ctx.settings.merchant_page_limit, ctx.settings.merchant_page_limit)
    try:
        page = await fetch(size)
    except ValueError:
        return error_response(400, "invalid_cursor", "cursor not recognised")
    response.headers.update(_PRIVATE)
    return page


def _private(response: Response, found: object | None, missing: str) -> Any:
    """`found`, never to be cached; a 404 saying `missing` when there is none."""
    if found is None:
        return error_response(404, "not_found", missing)
    response.headers.update(_PRIVATE)
    return found


@router.get(
    "/orders",
    response_model=OrderPage,
    summary="The merchant's orders, newest activity first, optionally by aggregate status",
    responses=documented({400: "Malformed cursor or parameter."}),
)
async def orders(
    merchant_id: MerchantDep,
    read_model: ReadModelDep,
    ctx: ContextDep,
    response: Response,
    status: Annotated[OrderStatus | None, Query(description="e.g. needs_attention")] = None,
    cursor: Annotated[
        str | None, Query(max_length=512, description="`next_cursor` of the previous page")
    ] = None,
    limit: Annotated[int | None, Query(ge=1, le=500)] = None,
) -> Any:
    return await _paged(
        ctx, response, limit, lambda size: read_model.orders(merchant_id, status, cursor, size)
    )


class OrderSearch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: Annotated[str | None, Field(min_length=3, max_length=254)] = None
    tracking_number: Annotated[str | None, Field(min_length=1, max_length=64)] = None
    status: OrderStatus | None = None
    cursor: Annotated[str | None, Field(max_length=512)] = None
    limit: Annotated[int | None, Field(ge=1, le=500)] = None

    @model_validator(mode="after")
    def _something(self) -> "OrderSearch":
        if not (self.email or self.tracking_number):
            raise ValueError("email or tracking_number is required")
        return self


@router.post(
    "/orders/search",
    response_model=OrderPage,
    summary="The merchant's orders by the shopper's email and/or a tracking number",
    description="A POST so that the email travels in the body, never in a URL. The email is "
    "matched trimmed and in lower case, as the lookup matches it; pages as `/orders` does.",
    responses=documented(
        {400: "Nothing to search by, or a bad cursor.", 501: "The read model cannot search."}
    ),
)
async def search(
    body: OrderSearch, merchant_id: MerchantDep, read_model: ReadModelDep, ctx: ContextDep,
    response: Response,
) -> Any:  # fmt: skip
    pool = getattr(read_model, "pool", None)
    if pool is None:  # fail closed: a read model without PostgreSQL's pool cannot search
        return error_response(501, "not_implemented", "order search unavailable")
    return await _paged(
        ctx, response, body.limit,
        lambda size: search_orders(
            pool, merchant_id, email=body.email, tracking_number=body.tracking_number,
            status=body.status, cursor=body.cursor, limit=size,
        ),
    )  # fmt: skip


@router.get(
    "/orders/{order_number}",
    response_model=OrderView,
    summary="One order with every detail (items, shipments, timelines, customer)",
    responses=documented({400: _BAD_PATH, 404: "No such order for this merchant."}),
)
async def order(
    merchant_id: MerchantDep,
    read_model: ReadModelDep,
    response: Response,
    order_number: _Segment,
) -> Any:
    found = await read_model.order_by_number(merchant_id, order_number)
    mine = found if found is not None and found.merchant_id == merchant_id else None
    return _private(response, mine, "no such order")


@router.get(
    "/shipments/{carrier}/{tracking_number}",
    response_model=ShipmentView,
    summary="One shipment of the merchant's, by carrier and tracking number",
    responses=documented(
        {
            400: _BAD_PATH,
            404: "No such shipment for this merchant.",
            501: "The read model cannot scope shipments.",
        }
    ),
)
async def shipment(
    merchant_id: MerchantDep,
    read_model: ReadModelDep,
    response: Response,
    carrier: _Segment,
    tracking_number: _Segment,
) -> Any:
    if not callable(getattr(read_model, "shipment_for_merchant", None)):
        # Fail closed: a read model without the merchant-scoped query never falls back on
        # `ReadModel.shipment`, which is not scoped by merchant.
        return error_response(501, "not_implemented", "shipment lookup unavailable")
    try:
        slug = canonical_carrier(carrier)
    except ValueError:
        return error_response(404, "not_found", "no such shipment")
    found = await read_model.shipment_for_merchant(
        merchant_id, slug, normalize_tracking_number(tracking_number)
    )
    return _private(response, found, "no such shipment")
