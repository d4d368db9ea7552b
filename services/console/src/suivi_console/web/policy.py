"""The merchant's return policy (after-sales' `PUT /v1/returns/policy`): window, eligible
items, reasons, who pays, methods, auto-approval and reminders. Everyone reads it; only the
owner saves it (as for branding). A field left blank is left out, so after-sales applies its
default (its five reasons, for one)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from suivi_console.web.desk import DeskDep, FormDeskDep

router = APIRouter(include_in_schema=False)
METHODS = ("drop_off_label", "own_shipment")
Days = Annotated[int, Form(ge=1, le=365)]
Text = Annotated[str, Form(max_length=20_000)]


def _reasons_text(policy: dict[str, Any] | None) -> str:
    reasons = (policy or {}).get("reasons") or []
    return "\n".join(f"{r['code']} | {r['label_en']} | {r['label_fr']}" for r in reasons)


def reasons_of(text: str) -> list[dict[str, str]]:
    """'code | English | French' per line (a line with the code only uses it as its labels)."""
    found = []
    for line in text.splitlines():
        parts = [p.strip() for p in line.split("|")]
        if not parts[0]:
            continue
        code = parts[0].lower()
        english = parts[1] if len(parts) > 1 and parts[1] else code
        french = parts[2] if len(parts) > 2 and parts[2] else english
        found.append({"code": code, "label_en": english, "label_fr": french})
    return found


def _lines(text: str) -> list[str]:
    return [s for s in (line.strip() for line in text.replace(",", "\n").splitlines()) if s]


@router.get("/returns/policy")
async def policy_page(request: Request, desk: DeskDep) -> Response:
    policy = await desk.api.policy(desk.key)
    return desk.page(request, "policy.html", policy=policy or {}, offered=policy is not None,
                     reasons_text=_reasons_text(policy), methods=METHODS)  # fmt: skip


@router.post("/returns/policy")
async def save_policy(
    request: Request, desk: FormDeskDep, window_days: Days, reminder_days: Days,
    expire_days: Days, paid_by: Annotated[str, Form(pattern=r"^(merchant|shopper)$")],
    methods: Annotated[list[str] | None, Form()] = None, ineligible_skus: Text = "",
    reasons: Text = "", auto_enabled: Annotated[str, Form(max_length=5)] = "",
    auto_reasons: Annotated[str, Form(max_length=2000)] = "",
    auto_max_quantity: Annotated[str, Form(max_length=4, pattern=r"^\d*$")] = "",
) -> Response:  # fmt: skip
    desk.owner_only()
    body: dict[str, Any] = {
        "window_days": window_days, "reminder_days": reminder_days, "expire_days": expire_days,
        "paid_by": paid_by, "ineligible_skus": _lines(ineligible_skus),
        "methods": [m for m in methods or () if m in METHODS] or ["drop_off_label"],
        "auto_approval": {
            "enabled": auto_enabled == "on", "reasons": [r.lower() for r in _lines(auto_reasons)],
            "max_quantity": int(auto_max_quantity) if auto_max_quantity else None,
        },
    }  # fmt: skip
    if reasons.strip():
        body["reasons"] = reasons_of(reasons)
    saved = await desk.api.set_policy(desk.key, body)
    await desk.audit("return_policy_saved", {
        "window_days": window_days, "methods": body["methods"], "paid_by": paid_by,
        "auto_approval": body["auto_approval"]["enabled"],
    })  # fmt: skip
    return desk.page(request, "policy.html", policy=saved or body, offered=True,
                     reasons_text=_reasons_text(saved or body), methods=METHODS,
                     notice="settings.saved")  # fmt: skip
