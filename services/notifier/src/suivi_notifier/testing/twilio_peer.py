"""An HTTP server speaking the shape of Twilio's Messages API; it checks basic auth and
records each request. `responses` (status, JSON, headers) answer the next requests; then 201."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


@dataclass
class SmsRequest:
    account: str
    form: dict[str, str]
    authorized: bool


@dataclass
class TwilioPeer:
    sid: str
    token: str
    requests: list[SmsRequest] = field(default_factory=list)
    responses: list[tuple[int, dict[str, Any], dict[str, str]]] = field(default_factory=list)

    @property
    def delivered(self) -> list[SmsRequest]:
        """Requests that were answered 201 (the messages really sent)."""
        return [r for r in self.requests if r.authorized and r.form.get("_answered") == "201"]

    async def messages(self, request: Request) -> Response:
        expected = "Basic " + base64.b64encode(f"{self.sid}:{self.token}".encode()).decode()
        authorized = request.headers.get("authorization") == expected
        raw = parse_qs((await request.body()).decode(), keep_blank_values=True)
        form = {k: v[0] for k, v in raw.items()}
        record = SmsRequest(request.path_params["account"], form, authorized)
        self.requests.append(record)
        if not authorized or record.account != self.sid:
            form["_answered"] = "401"
            return JSONResponse({"code": 20003, "message": "Authenticate"}, status_code=401)
        if self.responses:
            status, body, headers = self.responses.pop(0)
            form["_answered"] = str(status)
            return Response(
                json.dumps(body), status_code=status, headers=headers, media_type="application/json"
            )
        form["_answered"] = "201"
        sid = f"SM{len(self.requests):032d}"
        return JSONResponse({"sid": sid, "status": "queued", "to": form.get("To")}, status_code=201)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route(
                    "/2010-04-01/Accounts/{account}/Messages.json",
                    self.messages,
                    methods=["POST"],
                )
            ]
        )
