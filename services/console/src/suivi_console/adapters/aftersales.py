"""After-sales' merchant API over HTTP (returns, their policy, claims), called with the console's
own key for the merchant, as the projections' and tracker's APIs are: the console holds no
return or claim, so what it shows is what after-sales holds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from suivi_console.adapters.peers import PeerUnavailable

KEY_REFUSED = "key_refused"


class AftersalesRefused(Exception):  # noqa: N818 - an answer, not a failure
    """After-sales refused the request (400 invalid, 409 the state does not allow it)."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(code)
        self.status, self.code, self.detail = status, code, detail


def _id(value: str) -> str:
    return quote(value, safe="")


@dataclass(frozen=True, slots=True)
class Aftersales:
    http: httpx.AsyncClient
    base: str

    async def _call(
        self, method: str, path: str, key: str, *, params: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
    ) -> httpx.Response | None:  # fmt: skip
        """The answer (2xx), None for a 404; refusals raised, anything else unavailable."""
        try:
            answer = await self.http.request(
                method, f"{self.base}{path}", params=params, json=body,
                headers={"Authorization": f"Bearer {key}"},
            )  # fmt: skip
        except httpx.HTTPError as exc:
            raise PeerUnavailable(type(exc).__name__) from exc
        if answer.status_code == 404:
            return None
        if answer.status_code in (400, 409, 422):
            try:
                found = answer.json()
            except ValueError:
                found = {}
            found = found if isinstance(found, dict) else {}
            raise AftersalesRefused(answer.status_code, str(found.get("error", "refused")),
                                    str(found.get("detail", ""))[:300])  # fmt: skip
        if answer.status_code == 401:
            # After-sales does not know the console's key (yet): it learns it from merchants.v1.
            raise PeerUnavailable(KEY_REFUSED)
        if not 200 <= answer.status_code < 300:
            raise PeerUnavailable(str(answer.status_code))
        return answer

    async def _json(self, method: str, path: str, key: str, **kw: Any) -> dict[str, Any] | None:
        answer = await self._call(method, path, key, **kw)
        if answer is None:
            return None
        found: dict[str, Any] = answer.json()
        return found

    async def returns(self, key: str, params: dict[str, Any]) -> dict[str, Any]:
        return await self._json("GET", "/v1/returns", key, params=params) or {"returns": []}

    async def return_(self, key: str, rma: str) -> dict[str, Any] | None:
        return await self._json("GET", f"/v1/returns/{_id(rma)}", key)

    async def return_action(
        self, key: str, rma: str, action: str, body: dict[str, Any] | None = None
    ) -> dict[str, Any] | None:
        """approve, reject, tracking, inspect, refund or exchange; None: no such return."""
        return await self._json("POST", f"/v1/returns/{_id(rma)}/{action}", key, body=body)

    async def policy(self, key: str) -> dict[str, Any] | None:
        """The return policy; None when none is set (returns are not offered)."""
        return await self._json("GET", "/v1/returns/policy", key)

    async def set_policy(self, key: str, policy: dict[str, Any]) -> dict[str, Any] | None:
        return await self._json("PUT", "/v1/returns/policy", key, body=policy)

    async def claims(self, key: str, params: dict[str, Any]) -> dict[str, Any]:
        return await self._json("GET", "/v1/claims", key, params=params) or {"claims": []}

    async def claim(self, key: str, claim_id: str) -> dict[str, Any] | None:
        """The claim with its dossier (timeline, thread)."""
        return await self._json("GET", f"/v1/claims/{_id(claim_id)}", key)

    async def claim_action(
        self, key: str, claim_id: str, action: str, body: dict[str, Any] | None = None
    ) -> dict[str, Any] | None:
        """messages (answer), resolve or close; None: no such claim."""
        return await self._json("POST", f"/v1/claims/{_id(claim_id)}/{action}", key, body=body)

    async def claim_file(self, key: str, claim_id: str, name: str) -> tuple[str, bytes] | None:
        """A photo (`photos/<n>`) or the dossier (`dossier.pdf`): (content type, bytes)."""
        answer = await self._call("GET", f"/v1/claims/{_id(claim_id)}/{name}", key)
        if answer is None:
            return None
        return answer.headers.get("content-type", ""), answer.content
