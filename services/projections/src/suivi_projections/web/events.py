"""The live pages' Server-Sent Events answers (status pages and the dashboard): `changed`
whenever a followed order changed, heartbeats, then an end (`query.live.event_stream`)."""

from __future__ import annotations

from typing import Any

from fastapi import Response
from fastapi.responses import StreamingResponse

from suivi_projections.query.live import event_stream
from suivi_projections.web.context import ApiContext
from suivi_projections.web.responses import error_response

_STREAM_HEADERS = {
    "Cache-Control": "no-store",
    "X-Accel-Buffering": "no",  # proxies (nginx) must not buffer the stream
    "Referrer-Policy": "no-referrer",
}


def too_busy(ctx: ApiContext) -> Response | None:
    """503 when the hub holds all the streams it may; checked before any work for a stream."""
    if ctx.hub.full:
        return error_response(503, "busy", "too many live streams", {"Retry-After": "30"})
    return None


def live_events(ctx: ApiContext, *tokens: str) -> Response:
    """The stream of changes to the orders of these status tokens."""
    settings = ctx.settings

    async def body() -> Any:
        with ctx.hub.subscribe(*tokens) as subscription:
            async for chunk in event_stream(
                subscription,
                heartbeat_seconds=settings.sse_heartbeat_seconds,
                max_seconds=settings.sse_max_stream_seconds,
            ):
                yield chunk

    return StreamingResponse(body(), media_type="text/event-stream", headers=_STREAM_HEADERS)
