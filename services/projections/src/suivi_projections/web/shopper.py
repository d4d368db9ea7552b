"""Shopper pages: the private status page, the shareable one, their live fragments and events.

A status token opens the private page (personal details included); a share token opens the
shareable page, rendered from `PublicOrder` alone (see `pages.build`). Both pages subscribe to
`…/events` (Server-Sent Events) and re-fetch `…/fragment` when told the order changed.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse

from suivi_projections.query.live import event_stream
from suivi_projections.query.views import OrderView
from suivi_projections.web.deps import (
    TOKEN,
    ApiContext,
    ErrorBody,
    error_response,
    html_response,
)
from suivi_projections.web.lookup import lookup_router
from suivi_projections.web.pages.build import public_order
from suivi_projections.web.pages.render import (
    render_not_found,
    render_private,
    render_shared,
    translator,
)

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
_STREAM_HEADERS = {
    "Cache-Control": "no-store",
    "X-Accel-Buffering": "no",  # proxies (nginx) must not buffer the stream
    "Referrer-Policy": "no-referrer",
}


def shopper_router(ctx: ApiContext) -> APIRouter:
    router = APIRouter(tags=["shopper"])
    router.include_router(lookup_router(ctx))
    read_model = ctx.read_model

    async def by_status(token: str) -> OrderView | None:
        return await read_model.order_by_status_token(token) if TOKEN.fullmatch(token) else None

    async def by_share(token: str) -> OrderView | None:
        return await read_model.order_by_share_token(token) if TOKEN.fullmatch(token) else None

    def not_found(request: Request, lang: str | None) -> Response:
        t = translator(None, lang=lang, accept=request.headers.get("accept-language"))
        return html_response(render_not_found(t), 404)

    async def private(request: Request, token: str, lang: str | None, fragment: bool) -> Response:
        order = await by_status(token)
        if order is None:
            return not_found(request, lang)
        t = translator(order, lang=lang, accept=request.headers.get("accept-language"))
        return html_response(render_private(order, t, fragment=fragment))

    async def shared(request: Request, token: str, lang: str | None, fragment: bool) -> Response:
        order = await by_share(token)
        if order is None:
            return not_found(request, lang)
        t = translator(order, lang=lang, accept=request.headers.get("accept-language"))
        view = public_order(order, t, shared=True)  # the only thing the shared page receives
        return html_response(render_shared(view, t, share_token=token, fragment=fragment))

    def stream(order: OrderView | None) -> Response:
        if order is None:
            return error_response(404, "not_found", "unknown token")
        if ctx.hub.full:
            return error_response(503, "busy", "too many live streams", {"Retry-After": "30"})
        settings = ctx.settings

        async def body() -> Any:
            with ctx.hub.subscribe(order.status_token) as subscription:
                async for chunk in event_stream(
                    subscription,
                    heartbeat_seconds=settings.sse_heartbeat_seconds,
                    max_seconds=settings.sse_max_stream_seconds,
                ):
                    yield chunk

        return StreamingResponse(body(), media_type="text/event-stream", headers=_STREAM_HEADERS)

    @router.get(
        "/orders/{token}",
        summary="Private status page (HTML)",
        response_class=Response,
        responses={200: _HTML, **_NOT_FOUND_HTML},
    )
    async def private_page(request: Request, token: str, lang: str | None = None) -> Response:
        return await private(request, token, lang, fragment=False)

    @router.get(
        "/orders/{token}/fragment",
        summary="The private page's live part (HTML fragment, re-fetched on changes)",
        response_class=Response,
        responses={200: _HTML, **_NOT_FOUND_HTML},
    )
    async def private_fragment(request: Request, token: str, lang: str | None = None) -> Response:
        return await private(request, token, lang, fragment=True)

    @router.get("/orders/{token}/events", summary="Live updates of an order", responses=_SSE)
    async def private_events(token: str) -> Response:
        return stream(await by_status(token))

    @router.get(
        "/v1/orders/{token}",
        response_model=OrderView,
        summary="Private status of an order (JSON)",
        responses={404: {"model": ErrorBody, "description": "Unknown token."}},
    )
    async def private_json(token: str, response: Response) -> Any:
        order = await by_status(token)
        if order is None:
            return error_response(404, "not_found", "unknown token")
        response.headers.update({"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})
        return order

    @router.get(
        "/s/{share_token}",
        summary="Shareable status page, without personal data (HTML)",
        response_class=Response,
        responses={200: _HTML, **_NOT_FOUND_HTML},
    )
    async def shared_page(request: Request, share_token: str, lang: str | None = None) -> Response:
        return await shared(request, share_token, lang, fragment=False)

    @router.get(
        "/s/{share_token}/fragment",
        summary="The shareable page's live part (HTML fragment)",
        response_class=Response,
        responses={200: _HTML, **_NOT_FOUND_HTML},
    )
    async def shared_fragment(
        request: Request, share_token: str, lang: str | None = None
    ) -> Response:
        return await shared(request, share_token, lang, fragment=True)

    @router.get("/s/{share_token}/events", summary="Live updates of a shared page", responses=_SSE)
    async def shared_events(share_token: str) -> Response:
        return stream(await by_share(share_token))

    return router
