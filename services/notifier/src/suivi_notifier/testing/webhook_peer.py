"""A merchant's webhook endpoint: records every POST (headers and raw body) and answers the
queued `responses` (status, headers) first, then 204."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


@dataclass
class WebhookRequest:
    path: str
    headers: dict[str, str]
    body: bytes
    answered: int


@dataclass
class WebhookPeer:
    requests: list[WebhookRequest] = field(default_factory=list)
    responses: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    _arrived: asyncio.Condition = field(default_factory=asyncio.Condition)

    @property
    def delivered(self) -> list[WebhookRequest]:
        """The requests answered with a 2xx."""
        return [r for r in self.requests if 200 <= r.answered < 300]

    async def hook(self, request: Request) -> Response:
        status, headers = self.responses.pop(0) if self.responses else (204, {})
        self.requests.append(
            WebhookRequest(request.url.path, dict(request.headers), await request.body(), status)
        )
        async with self._arrived:
            self._arrived.notify_all()
        return Response(status_code=status, headers=headers)

    async def wait_for(self, count: int, seconds: float = 15.0) -> list[WebhookRequest]:
        """Waits until `count` requests were answered with a 2xx (or the time is up)."""
        async with self._arrived:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._arrived.wait_for(lambda: len(self.delivered) >= count), seconds
                )
        return self.delivered

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/hooks/{name}", self.hook, methods=["POST"])])
