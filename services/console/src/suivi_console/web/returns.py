"""Returns (after-sales' merchant API): the list with filters, one return with its items,
parcel and timeline, and the actions after-sales offers (approve, reject with a reason, attach
the return parcel, mark received and inspected, refund or exchange with an amount). Staff and
owners alike run returns; the policy (web/policy.py) is the owner's."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import Response

from suivi_console.web.deps import Refused
from suivi_console.web.desk import Desk, DeskDep, FormDeskDep
from suivi_console.web.render import language
from suivi_schemas.returns import ReturnState

router = APIRouter(include_in_schema=False)
STATES = tuple(s.value for s in ReturnState)
Rma = Annotated[str, Path(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
Q = Annotated[str, Query(max_length=64)]
PAGE = 50
# The return's steps, in order, with the API's field telling when each was reached.
STEPS = (("requested", "requested_at"), ("approved", "approved_at"),
         ("dropped_off", "dropped_off_at"), ("received", "received_at"),
         ("resolved", "resolved_at"))  # fmt: skip


def _day(value: date | None, shift: int = 0) -> str | None:
    return f"{value + timedelta(days=shift)}T00:00:00+00:00" if value else None


def labels_of(policy: dict[str, Any] | None, lang: str) -> dict[str, str]:
    """Reason code → the merchant's own label in the page's language (English beyond en, fr)."""
    reasons = (policy or {}).get("reasons") or []
    return {r["code"]: r.get(f"label_{lang}") or r.get("label_en") or r["code"] for r in reasons}


@router.get("/returns")
async def returns_page(
    request: Request, desk: DeskDep, state: Q = "", reason: Q = "",
    since: Annotated[date | None, Query()] = None, until: Annotated[date | None, Query()] = None,
    after: Q = "",
) -> Response:  # fmt: skip
    params: dict[str, Any] = {"limit": PAGE, "state": state if state in STATES else None,
                              "since": _day(since), "until": _day(until, 1),
                              "after": after or None}  # fmt: skip
    found = await desk.api.returns(desk.key, {k: v for k, v in params.items() if v})
    policy = await desk.api.policy(desk.key)
    rows = [r for r in found["returns"]
            if not reason or any(i["reason"] == reason for i in r["items"])]  # fmt: skip
    filters = {"state": state, "reason": reason, "since": since or "", "until": until or ""}
    return desk.page(request, "returns.html", returns=rows, states=STATES, filters=filters,
                     labels=labels_of(policy, language(request)),
                     next_after=found.get("next_after"), no_policy=policy is None)  # fmt: skip


@router.get("/returns/{rma}")
async def return_page(request: Request, desk: DeskDep, rma: Rma) -> Response:
    return await _return_page(request, desk, rma)


async def _return_page(
    request: Request, desk: Desk, rma: str, status: int = 200, **shown: Any
) -> Response:
    found = await desk.api.return_(desk.key, rma)
    if found is None:
        raise Refused(404, "error.not_found")
    policy = await desk.api.policy(desk.key)
    steps = [(name, found.get(field)) for name, field in STEPS]
    return desk.page(request, "return.html", status, ret=found, steps=steps,
                     labels=labels_of(policy, language(request)), **shown)  # fmt: skip


async def _act(request: Request, desk: Desk, rma: str, action: str,
               body: dict[str, Any] | None, detail: dict[str, Any]) -> Response:  # fmt: skip
    done = await desk.api.return_action(desk.key, rma, action, body)
    await desk.changed(f"return_{action}", done, {"return_id": rma}, detail)
    return await _return_page(request, desk, rma, notice=f"returns.done.{action}")


@router.post("/returns/{rma}/reject")
async def reject(
    request: Request, desk: FormDeskDep, rma: Rma,
    reason: Annotated[str, Form(min_length=1, max_length=500)],
) -> Response:  # fmt: skip
    # The reason's text goes to the shopper, not into the audit log.
    return await _act(request, desk, rma, "reject", {"reason": reason.strip()}, {})


@router.post("/returns/{rma}/tracking")
async def tracking(
    request: Request, desk: FormDeskDep, rma: Rma,
    carrier: Annotated[str, Form(min_length=1, max_length=64)],
    tracking_number: Annotated[str, Form(min_length=4, max_length=64)],
) -> Response:  # fmt: skip
    body = {"carrier": carrier.strip().lower(), "tracking_number": tracking_number.strip()}
    return await _act(request, desk, rma, "tracking", body, {"carrier": body["carrier"]})


@router.post("/returns/{rma}/resolve")
async def resolve(
    request: Request, desk: FormDeskDep, rma: Rma,
    outcome: Annotated[str, Form(pattern=r"^(refund|exchange)$")],
    amount: Annotated[str, Form(min_length=1, max_length=16, pattern=r"^\d{1,10}([.,]\d{1,2})?$")],
    currency: Annotated[str, Form(pattern=r"^[A-Za-z]{3}$")] = "EUR",
) -> Response:  # fmt: skip
    body = {"amount": amount.replace(",", "."), "currency": currency.upper()}
    return await _act(request, desk, rma, outcome, body, body)


@router.post("/returns/{rma}/{step}")  # last: the routes above are matched first
async def step(
    request: Request, desk: FormDeskDep, rma: Rma,
    step: Annotated[str, Path(pattern=r"^(approve|inspect)$")],
) -> Response:  # fmt: skip
    """Approve a requested return; mark a received one inspected. Nothing to fill in."""
    return await _act(request, desk, rma, step, None, {})
