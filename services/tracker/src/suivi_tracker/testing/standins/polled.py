"""What the stand-ins of the carriers polled since issue 17 share: one tracking route, its
credential check first (401 in the carrier's words), then the injected faults and rate limit
(kit.Standin.guard), then the parcel's journey rendered in the carrier's own shape."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from suivi_tracker.testing.standins.journeys import Journeys, Step
from suivi_tracker.testing.standins.kit import Standin

History = list[tuple[datetime, Step]]  # oldest first


def xml(body: str, status: int = 200) -> Response:
    return Response(body, status, media_type="text/xml; charset=utf-8")


class PolledStandin(Standin):
    """A subclass names its `path` and `methods`, and answers `refused`, `number`, `unknown`
    and `render` in the carrier's words."""

    path = ""
    methods = ("GET",)

    def __init__(self, journeys: Journeys, *secrets: str) -> None:
        super().__init__(journeys)
        self.secrets = secrets

    def routes(self) -> list[BaseRoute]:
        return [*super().routes(), Route(self.path, self.track, methods=list(self.methods))]

    def refused(self, request: Request, body: bytes) -> Response | None:
        """The carrier's answer to missing or wrong credentials, None when they are right."""
        raise NotImplementedError

    def number(self, request: Request, body: bytes) -> str | Response:
        """The number asked for, or the carrier's answer to a malformed request."""
        raise NotImplementedError

    def unknown(self, number: str) -> Response:
        raise NotImplementedError

    def render(self, number: str, history: History) -> Response:
        raise NotImplementedError

    async def track(self, request: Request) -> Response:
        body = await request.body()
        if (refusal := self.refused(request, body)) is not None:
            return refusal
        if (fault := self.guard(request)) is not None:
            return fault
        number = self.number(request, body)
        if isinstance(number, Response):
            return number
        if not self.journeys.known(number):
            return self.unknown(number)
        return self.render(number, self.journeys.due(number))


def json_answer(body: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(body, status)
