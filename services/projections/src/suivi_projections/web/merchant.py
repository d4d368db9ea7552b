"""Merchant read API: `Authorization: Bearer <key>`; a key opens its own merchant's data only."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response

from suivi_infra.http import ErrorBody
from suivi_projections.domain.orders import OrderStatus
from suivi_projections.query.views import OrderPage, OrderView, ShipmentView
from suivi_projections.web.deps import ContextDep, MerchantDep, ReadModelDep
from suivi_projections.web.responses import error_response
from suivi_schemas.carriers import canonical_carrier
from suivi_schemas.ids import normalize_tracking_number

_PRIVATE = {"Cache-Control": "no-store"}
_AUTH: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Missing or unknown API key."},
}

_BAD_PATH = {"model": ErrorBody, "description": "A path parameter out of its bounds."}
router = APIRouter(prefix="/v1/merchant", tags=["merchant"], responses=_AUTH)


@router.get(
    "/orders",
    response_model=OrderPage,
    summary="The merchant's orders, newest activity first, optionally by aggregate status",
    responses={400: {"model": ErrorBody, "description": "Malformed cursor or parameter."}},
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
    size = min(limit or ctx.settings.merchant_page_limit, ctx.settings.merchant_page_limit)
    try:
        page = await read_model.orders(merchant_id, status, cursor, size)
    except ValueError:
        return error_response(400, "invalid_cursor", "cursor not recognised")
    response.headers.update(_PRIVATE)
    return page


@router.get(
    "/orders/{order_number}",
    response_model=OrderView,
    summary="One order with every detail (items, shipments, timelines, customer)",
    responses={
        400: _BAD_PATH,
        404: {"model": ErrorBody, "description": "No such order for this merchant."},
    },
)
async def order(
    merchant_id: MerchantDep,
    read_model: ReadModelDep,
    response: Response,
    order_number: Annotated[str, Path(min_length=1, max_length=64)],
) -> Any:
    found = await read_model.order_by_number(merchant_id, order_number)
    if found is None or found.merchant_id != merchant_id:
        return error_response(404, "not_found", "no such order")
    response.headers.update(_PRIVATE)
    return found


@router.get(
    "/shipments/{carrier}/{tracking_number}",
    response_model=ShipmentView,
    summary="One shipment of the merchant's, by carrier and tracking number",
    responses={
        400: _BAD_PATH,
        404: {"model": ErrorBody, "description": "No such shipment for this merchant."},
        501: {"model": ErrorBody, "description": "The read model cannot scope shipments."},
    },
)
async def shipment(
    merchant_id: MerchantDep,
    read_model: ReadModelDep,
    response: Response,
    carrier: Annotated[str, Path(min_length=1, max_length=64)],
    tracking_number: Annotated[str, Path(min_length=1, max_length=64)],
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
    if found is None:
        return error_response(404, "not_found", "no such shipment")
    response.headers.update(_PRIVATE)
    return found
