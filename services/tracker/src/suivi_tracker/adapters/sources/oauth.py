"""OAuth 2 client-credentials tokens: cached, refreshed before expiry, refreshed once on a 401.

One instance per source. Concurrent callers share one token request (single flight under an
asyncio.Lock); a 401 for a token that was already replaced does not fetch another one.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from typing import Literal

import httpx

from suivi_tracker.adapters.sources.http import Auth, raise_for_answer, transport_error
from suivi_tracker.domain.sources import Rejected

# How the client id and secret travel: HTTP basic (UPS), form fields (FedEx), JSON (USPS).
CredentialStyle = Literal["basic", "form", "json"]


class ClientCredentials(Auth):
    """`Authorization: Bearer <token>` from a client-credentials token endpoint."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        token_url: str,
        client_id: str,
        client_secret: str,
        *,
        style: CredentialStyle,
        extra_headers: Mapping[str, str] | None = None,
        refresh_margin_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._url = token_url
        self._id = client_id
        self._secret = client_secret
        self._style = style
        self._extra = dict(extra_headers or {})
        self._margin = refresh_margin_seconds
        self._clock = clock
        self._lock = asyncio.Lock()
        self._token: str | None = None
        self._expires_at = 0.0
        self.fetches = 0  # token requests made (tests and metrics)

    def _valid(self) -> bool:
        return self._token is not None and self._clock() < self._expires_at - self._margin

    async def headers(self) -> dict[str, str]:
        if not self._valid():
            async with self._lock:
                if not self._valid():
                    await self._fetch()
        return {"Authorization": f"Bearer {self._token}"}

    async def refresh(self, rejected: Mapping[str, str]) -> bool:
        async with self._lock:
            # Only the first 401 for a token drops it; later ones already have its successor.
            if rejected.get("Authorization") == f"Bearer {self._token}":
                self._token = None
        return True

    async def _fetch(self) -> None:
        data: dict[str, str] = {"grant_type": "client_credentials"}
        auth: httpx.BasicAuth | None = None
        if self._style == "basic":
            auth = httpx.BasicAuth(self._id, self._secret)
        else:
            data |= {"client_id": self._id, "client_secret": self._secret}
        try:
            if self._style == "json":
                answer = await self._client.post(self._url, json=data, headers=self._extra)
            else:
                answer = await self._client.post(
                    self._url, data=data, auth=auth or httpx.USE_CLIENT_DEFAULT, headers=self._extra
                )
        except httpx.HTTPError as error:
            raise transport_error(error) from None
        self.fetches += 1
        if answer.status_code in (400, 401, 403):
            raise Rejected(f"token endpoint refused the client credentials ({answer.status_code})")
        raise_for_answer(answer)
        try:
            body = answer.json()
            token = str(body["access_token"])
            # UPS sends expires_in as a string of seconds; others as a number.
            lifetime = float(body.get("expires_in", 3600))
        except (ValueError, KeyError, TypeError):
            raise Rejected("token endpoint answered without access_token/expires_in") from None
        self._token = token
        self._expires_at = self._clock() + lifetime
