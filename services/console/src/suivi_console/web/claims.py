"""Claims (after-sales' merchant API): open claims first, oldest first; one claim with its
evidence (the parcel's timeline, the shopper's photos and description, the thread); answer the
shopper, resolve (refund, reship, or refuse with a reason), close; the dossier after-sales
produces (PDF, JSON) to file with the carrier. Staff and owners alike handle claims."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import Response

from suivi_console.web.deps import Refused
from suivi_console.web.desk import Desk, DeskDep, FormDeskDep
from suivi_schemas.claims import ClaimOutcome, ClaimState

router = APIRouter(include_in_schema=False)
OPEN = (ClaimState.WAITING_MERCHANT.value, ClaimState.WAITING_SHOPPER.value)
STATES = ("open", *(s.value for s in ClaimState))
OUTCOMES = tuple(o.value for o in ClaimOutcome)
ClaimId = Annotated[str, Path(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
PAGE = 200
OPEN_PAGES = 5  # open claims are gathered (up to 1,000) to sort them oldest first
FILE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Referrer-Policy": "no-referrer"}  # fmt: skip


async def _open_claims(desk: Desk) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for state in OPEN:
        after: str | None = None
        for _ in range(OPEN_PAGES):
            params = {"state": state, "limit": PAGE} | ({"after": after} if after else {})
            page = await desk.api.claims(desk.key, params)
            found += page["claims"]
            after = page.get("next_after")
            if not after:
                break
    # Waiting for the merchant before waiting for the shopper; each oldest first.
    return sorted(found, key=lambda c: (c["state"] != OPEN[0], c["opened_at"]))


@router.get("/claims")
async def claims_page(
    request: Request, desk: DeskDep, state: Annotated[str, Query(max_length=32)] = "open",
    after: Annotated[str, Query(max_length=64)] = "",
) -> Response:  # fmt: skip
    state = state if state in STATES else "open"
    next_after = None
    if state == "open":
        claims = await _open_claims(desk)
    else:
        params = {"state": state, "limit": 50} | ({"after": after} if after else {})
        page = await desk.api.claims(desk.key, params)
        claims, next_after = page["claims"], page.get("next_after")
    return desk.page(request, "claims.html", claims=claims, state=state, states=STATES,
                     next_after=next_after)  # fmt: skip


async def _claim(desk: Desk, claim_id: str) -> dict[str, Any]:
    found = await desk.api.claim(desk.key, claim_id)
    if found is None:
        raise Refused(404, "error.not_found")
    return found


async def _claim_page(request: Request, desk: Desk, claim_id: str, **shown: Any) -> Response:
    claim = await _claim(desk, claim_id)
    return desk.page(request, "claim.html", claim=claim, dossier=claim.get("dossier") or {},
                     outcomes=OUTCOMES, **shown)  # fmt: skip


@router.get("/claims/{claim_id}")
async def claim_page(request: Request, desk: DeskDep, claim_id: ClaimId) -> Response:
    return await _claim_page(request, desk, claim_id)


async def _act(request: Request, desk: Desk, claim_id: str, action: str,
               body: dict[str, Any] | None, detail: dict[str, Any]) -> Response:  # fmt: skip
    done = await desk.api.claim_action(desk.key, claim_id, action, body)
    await desk.changed(f"claim_{action}", done, {"claim_id": claim_id}, detail)
    return await _claim_page(request, desk, claim_id, notice=f"claims.done.{action}")


@router.post("/claims/{claim_id}/answer")
async def answer(
    request: Request, desk: FormDeskDep, claim_id: ClaimId,
    body: Annotated[str, Form(min_length=1, max_length=2000)],
) -> Response:  # fmt: skip
    if not body.strip():
        raise Refused(400, "claims.empty")
    # The message goes to the shopper; the audit entry says only that one was sent.
    return await _act(request, desk, claim_id, "messages", {"body": body.strip()}, {})


@router.post("/claims/{claim_id}/resolve")
async def resolve(
    request: Request, desk: FormDeskDep, claim_id: ClaimId,
    outcome: Annotated[str, Form(pattern=r"^(refund|reship|rejected)$")],
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:  # fmt: skip
    if outcome == "rejected" and not reason.strip():
        raise Refused(400, "claims.reason_required")
    body = {"outcome": outcome, "reason": reason.strip() or None}
    return await _act(request, desk, claim_id, "resolve", body, {"outcome": outcome})


@router.post("/claims/{claim_id}/close")
async def close(request: Request, desk: FormDeskDep, claim_id: ClaimId) -> Response:
    return await _act(request, desk, claim_id, "close", None, {})


@router.get("/claims/{claim_id}/photos/{n}")
async def photo(desk: DeskDep, claim_id: ClaimId, n: Annotated[int, Path(ge=1, le=5)]) -> Response:
    """A photo as after-sales stored it (re-encoded, no metadata), behind the session."""
    found = await desk.api.claim_file(desk.key, claim_id, f"photos/{n}")
    if found is None or not found[0].startswith("image/"):
        raise Refused(404, "error.not_found")
    return Response(found[1], media_type=found[0], headers=FILE)


@router.get("/claims/{claim_id}/dossier.pdf")
async def dossier_pdf(desk: DeskDep, claim_id: ClaimId) -> Response:
    found = await desk.api.claim_file(desk.key, claim_id, "dossier.pdf")
    if found is None:
        raise Refused(404, "error.not_found")
    await desk.audit("claim_dossier", {"claim_id": claim_id, "format": "pdf"})
    return Response(found[1], media_type="application/pdf", headers=FILE | {
        "Content-Disposition": f'attachment; filename="{claim_id}-dossier.pdf"'})  # fmt: skip


@router.get("/claims/{claim_id}/dossier.json")
async def dossier_json(desk: DeskDep, claim_id: ClaimId) -> Response:
    claim = await _claim(desk, claim_id)
    await desk.audit("claim_dossier", {"claim_id": claim_id, "format": "json"})
    body = json.dumps(claim.get("dossier") or {}, ensure_ascii=False, indent=2).encode()
    return Response(body, media_type="application/json", headers=FILE | {
        "Content-Disposition": f'attachment; filename="{claim_id}-dossier.json"'})  # fmt: skip
