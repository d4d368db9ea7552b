"""Shopper pages: the private status page, the shareable one, their live fragments and events.

A status token opens the private page (personal details included); a share token opens the
shareable page, rendered from `PublicOrder` alone (see `pages.build`). Both pages subscribe to
`…/events` (Server-Sent Events) and re-fetch `…/fragment` when told the order changed.
"""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response

from suivi_infra.http import ErrorBody
from suivi_projections.query.views import OrderView, ReadModel
from suivi_projections.web.context import TOKEN, ApiContext
from suivi_projections.web.deps import ContextDep, ReadModelDep, context
from suivi_projections.web.events import live_events, too_busy
from suivi_projections.web.pages.build import public_order
from suivi_projections.web.pages.render import (
    brand_of,
    render_help,
    render_not_found,
    render_private,
    render_shared,
    translator,
)
from suivi_projections.web.responses import error_response, html_response

_HTML: dict[str, Any] = {"content": {"text/html": {}}, "description": "The page (HTML)."}
_NOT_FOUND_HTML: dict[int | str, dict[str, Any]] = {
    404: {"content": {"text/html": {}}, "description": "Unknown or malformed token."}
}
_SSE: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"text/event-stream": {}},
        "description": "`event: changed` whenever the order changed (then re-fetch); "
        "`: heartbeat` comments; the stream ends after a while and the browser reconnects.",
    },
    404: {"model": ErrorBody, "description": "Unknown token."},
    503: {"model": ErrorBody, "description": "Too many open streams; retry later."},
}


router = APIRouter(tags=["shopper"])


async def _by_status(read_model: ReadModel, token: str) -> OrderView | None:
    return await read_model.order_by_status_token(token) if TOKEN.fullmatch(token) else None


async def _by_share(read_model: ReadModel, token: str) -> OrderView | None:
    return await read_model.order_by_share_token(token) if TOKEN.fullmatch(token) else None


def _not_found(request: Request, lang: str | None) -> Response:
    t = translator(None, lang=lang, accept=request.headers.get("accept-language"))
    return html_response(render_not_found(t), 404)


async def _page(
    read_model: ReadModel,
    request: Request,
    token: str,
    lang: str | None,
    *,
    fragment: bool,
    shared: bool,
) -> Response:
    """The private page (status token) or the shareable one (share token), or its fragment."""
    order = await (_by_share if shared else _by_status)(read_model, token)
    if order is None:
        return _not_found(request, lang)
    ctx = await context(request)
    branding = ctx.shops.branding(order.merchant_id)
    accept = request.headers.get("accept-language")
    t = translator(order, lang=lang, accept=accept, branding=branding)
    brand, shop = brand_of(branding), ctx.shops.name(order.merchant_id)
    if shared:
        view = public_order(order, t, shared=True, shop=shop)  # all the shared page receives
        page = render_shared(view, t, share_token=token, fragment=fragment, brand=brand)
    else:
        page = render_private(
            order, t, fragment=fragment, shop=shop, brand=brand,
            aftersales=ctx.settings.aftersales_base_url,
        )  # fmt: skip
    return html_response(page)


def _stream(ctx: ApiContext, order: OrderView | None) -> Response:
    if order is None:
        return error_response(404, "not_found", "unknown token")
    return too_busy(ctx) or live_events(ctx, order.status_token)


def _live_routes(path: str, param: str, *, shared: bool, summaries: tuple[str, str, str]) -> None:
    """One status page's routes: the page, its live fragment and its events.

    `param` names the token in the path (and in the OpenAPI document); the private and the
    shareable page differ only in it, in which token opens them and in their words.
    """
    kind = "shared" if shared else "private"
    by_token = _by_share if shared else _by_status
    token_in_path = Path(alias=param)

    def html(fragment: bool) -> Callable[..., Awaitable[Response]]:
        async def endpoint(
            read_model: ReadModelDep,
            request: Request,
            token: Annotated[str, token_in_path],
            lang: str | None = None,
        ) -> Response:
            return await _page(read_model, request, token, lang, fragment=fragment, shared=shared)

        return endpoint

    async def stream(
        ctx: ContextDep, read_model: ReadModelDep, token: Annotated[str, token_in_path]
    ) -> Response:
        return _stream(ctx, await by_token(read_model, token))

    page_responses: dict[int | str, dict[str, Any]] = {200: _HTML, **_NOT_FOUND_HTML}
    for suffix, name, summary in zip(
        ("", "/fragment"), ("page", "fragment"), summaries[:2], strict=True
    ):
        router.add_api_route(
            path + suffix, html(suffix != ""), methods=["GET"], name=f"{kind}_{name}",
            summary=summary, response_class=Response, responses=page_responses,
        )  # fmt: skip
    router.add_api_route(
        f"{path}/events", stream, methods=["GET"], name=f"{kind}_events", summary=summaries[2],
        responses=_SSE,
    )  # fmt: skip


_live_routes(
    "/orders/{token}", "token", shared=False,
    summaries=(
        "Private status page (HTML)",
        "The private page's live part (HTML fragment, re-fetched on changes)",
        "Live updates of an order",
    ),
)  # fmt: skip


@router.get(
    "/v1/orders/{token}",
    response_model=OrderView,
    summary="Private status of an order (JSON)",
    responses={404: {"model": ErrorBody, "description": "Unknown token."}},
)
async def private_json(read_model: ReadModelDep, token: str, response: Response) -> Any:
    order = await _by_status(read_model, token)
    if order is None:
        return error_response(404, "not_found", "unknown token")
    response.headers.update({"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})
    return order


_live_routes(
    "/s/{share_token}", "share_token", shared=True,
    summaries=(
        "Shareable status page, without personal data (HTML)",
        "The shareable page's live part (HTML fragment)",
        "Live updates of a shared page",
    ),
)  # fmt: skip


@router.get("/help", summary="Help: statuses and what to do (HTML)", response_class=Response)
async def help_page(request: Request, lang: str | None = None) -> Response:
    t = translator(None, lang=lang, accept=request.headers.get("accept-language"))
    return html_response(render_help(t))
