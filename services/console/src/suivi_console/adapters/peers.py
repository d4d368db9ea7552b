"""The other services' merchant APIs over HTTP, called with the console's own key for the
merchant (its digest is on merchants.v1 like any key): the console never reads their tables."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx


class PeerUnavailable(Exception):  # noqa: N818 - an answer, not a failure
    """The service did not answer usefully (down, refusing the key, or an error)."""


@dataclass(frozen=True, slots=True)
class Peers:
    http: httpx.AsyncClient
    projections: str
    tracker: str

    async def _get(self, url: str, key: str, params: dict[str, Any] | None = None) -> Any:
        try:
            answer = await self.http.get(url, params=params,
                                         headers={"Authorization": f"Bearer {key}"})  # fmt: skip
        except httpx.HTTPError as exc:
            raise PeerUnavailable(type(exc).__name__) from exc
        if answer.status_code == 404:
            return None
        if answer.status_code != 200:
            raise PeerUnavailable(str(answer.status_code))
        return answer.json()

    async def analytics_page(self, key: str, params: dict[str, str]) -> httpx.Response:
        """The projections' analytics page (HTML), as the merchant's own key sees it."""
        try:
            return await self.http.get(f"{self.projections}/merchant/analytics", params=params,
                                       headers={"Authorization": f"Bearer {key}"})  # fmt: skip
        except httpx.HTTPError as exc:
            raise PeerUnavailable(type(exc).__name__) from exc

    async def orders(
        self, key: str, status: str | None, cursor: str | None = None, limit: int = 50
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One keyset page of the merchant's orders, newest first, and the next page's cursor."""
        params: dict[str, Any] = {"limit": limit, "status": status, "cursor": cursor}
        found = await self._get(f"{self.projections}/v1/merchant/orders", key,
                                {k: v for k, v in params.items() if v})  # fmt: skip
        return (list(found["orders"]), found.get("next_cursor")) if found else ([], None)

    async def search_orders(
        self, key: str, body: dict[str, Any]
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Orders by the shopper's email and/or a tracking number: POSTed, so the email is in
        no URL of either service (nor in their access logs)."""
        try:
            answer = await self.http.post(f"{self.projections}/v1/merchant/orders/search",
                                          json={k: v for k, v in body.items() if v},
                                          headers={"Authorization": f"Bearer {key}"})  # fmt: skip
        except httpx.HTTPError as exc:
            raise PeerUnavailable(type(exc).__name__) from exc
        if answer.status_code == 400:  # a stale cursor: nothing more
            return [], None
        if answer.status_code != 200:
            raise PeerUnavailable(str(answer.status_code))
        found = answer.json()
        return list(found["orders"]), found.get("next_cursor")

    async def order(self, key: str, order_number: str) -> dict[str, Any] | None:
        url = f"{self.projections}/v1/merchant/orders/{quote(order_number, safe='')}"
        found: dict[str, Any] | None = await self._get(url, key)
        return found

    async def trackings(
        self, key: str, state: str | None, cursor: str | None = None, limit: int = 200
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One keyset page of the tracker's trackings and the next page's cursor."""
        params: dict[str, Any] = {"limit": limit, "state": state, "cursor": cursor}
        found = await self._get(f"{self.tracker}/v1/trackings", key,
                                {k: v for k, v in params.items() if v})  # fmt: skip
        return (list(found["trackings"]), found.get("next_cursor")) if found else ([], None)

    async def fix_tracking(self, key: str, carrier: str, number: str, body: dict[str, Any]) -> int:
        """PATCH the tracking; the tracker's status code (4xx says what it refused)."""
        url = f"{self.tracker}/v1/trackings/{quote(carrier, safe='')}/{quote(number, safe='')}"
        try:
            answer = await self.http.patch(
                url, json=body, headers={"Authorization": f"Bearer {key}"}
            )
        except httpx.HTTPError as exc:
            raise PeerUnavailable(type(exc).__name__) from exc
        return answer.status_code
