"""Return and claim messages from their own Jinja2 templates (`templates/aftersales_*.j2`), in
the shopper's language: what changed, what to do next, and the link to the after-sales page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from babel.numbers import format_currency
from jinja2 import Environment

from suivi_notifier.adapters.i18n import Translator, carrier_name
from suivi_notifier.adapters.render import (
    MailBrand,
    PushPayload,
    RenderedEmail,
    email_of,
    mail_words,
)
from suivi_notifier.domain.aftersales import AftersalesEvent
from suivi_notifier.domain.schedule import zone
from suivi_schemas.claims import ClaimEvent
from suivi_schemas.returns import ReturnEvent, ReturnEventKind, ReturnMethod


@dataclass(frozen=True, slots=True)
class AftersalesContext:
    event: AftersalesEvent
    locale: str
    merchant_name: str
    page_url: str  # the return's or claim's page, behind the status page's token
    unsubscribe_url: str
    name: str | None = None
    timezone: str = "UTC"
    brand: MailBrand = field(default_factory=MailBrand)


def _key(event: AftersalesEvent) -> str:
    if isinstance(event, ClaimEvent):
        key = f"claim.{event.kind.value}"
        if event.outcome is not None and event.kind.value == "resolved":
            key += f".{event.outcome.value}"
        return key
    if event.kind is ReturnEventKind.APPROVED and event.method is ReturnMethod.OWN_SHIPMENT:
        return "return.approved.own_shipment"
    return f"return.{event.kind.value}"


# While the parcel waits to be dropped off, the message says by when (commerce.returns.v1).
_DEADLINE_KINDS = frozenset(
    {ReturnEventKind.APPROVED, ReturnEventKind.TRACKING_ATTACHED, ReturnEventKind.REMINDER}
)


def _deadline(event: AftersalesEvent, t: Translator) -> str:
    """'Drop it off by 4 Dec.' for a return waiting to be dropped off, else ''."""
    if not isinstance(event, ReturnEvent) or event.drop_off_by is None:
        return ""
    if event.kind not in _DEADLINE_KINDS:
        return ""
    return t("aftersales.deadline", deadline=t.short_date(event.drop_off_by))


def _fill(ctx: AftersalesContext, t: Translator) -> dict[str, str]:
    event = ctx.event
    fill = {"merchant": ctx.merchant_name, "carrier": "", "when": "", "place": "", "amount": ""}
    if isinstance(event, ReturnEvent):
        fill["number"] = event.return_id
        if event.parcel is not None:
            fill["carrier"] = carrier_name(event.parcel.carrier)
        if event.deposit is not None:
            fill["when"] = t.short_date(event.deposit.occurred_at)
            city = event.deposit.location.city if event.deposit.location else None
            fill["place"] = t("aftersales.in_place", place=city) if city else ""
        if event.resolution is not None:
            fill["amount"] = format_currency(
                event.resolution.amount, event.resolution.currency, locale=t.language
            )
        fill["reason"] = event.rejection_reason or t("aftersales.no_reason")
    else:
        fill["number"] = event.claim_id
        fill["carrier"] = carrier_name(event.carrier)
        fill["reason"] = event.outcome_reason or t("aftersales.no_reason")
    return fill


class AftersalesRenderer:
    def __init__(self, env: Environment, clock: Callable[[], datetime] | None = None) -> None:
        self.env = env  # the notifier's template environment (render.Renderer's)
        self.clock = clock  # None: the system's

    def values(self, ctx: AftersalesContext) -> dict[str, object]:
        t = Translator(ctx.locale, zone(ctx.timezone), self.clock() if self.clock else None)
        fill = _fill(ctx, t)
        key = f"aftersales.{_key(ctx.event)}"
        common = mail_words(t, name=ctx.name or "", merchant=ctx.merchant_name, carrier="",
                            tracking_number="")  # fmt: skip
        claim = isinstance(ctx.event, ClaimEvent)
        return {
            "lang": t.language,
            "headline": t(f"{key}.subject", **fill),
            "changed": t(f"{key}.changed", **fill),
            "next_step": " ".join(
                filter(None, (t(f"{key}.next", **fill), _deadline(ctx.event, t)))
            ),
            "greeting": common["hello_name"] if ctx.name else common["hello"],
            "open": t("aftersales.open_claim") if claim else t("aftersales.open_return"),
            "why": t("aftersales.why", merchant=ctx.merchant_name),
            "unsubscribe": common["unsubscribe"],
            "w": common,
            "brand": ctx.brand,
            "ctx": ctx,
        }

    def email(self, ctx: AftersalesContext) -> RenderedEmail:
        values = self.values(ctx)
        return email_of(self.env, "aftersales_email", str(values["headline"]), values)

    def sms(self, ctx: AftersalesContext) -> str:
        return self.env.get_template("aftersales_sms.txt.j2").render(self.values(ctx)).strip()

    def push(self, ctx: AftersalesContext) -> PushPayload:
        values = self.values(ctx)
        return PushPayload(
            title=str(values["headline"]),
            body=f"{values['changed']} {values['next_step']}",
            url=ctx.page_url,
            lang=str(values["lang"]),
        )
