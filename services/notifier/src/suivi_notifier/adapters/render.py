"""Message bodies from Jinja2 templates (package `templates/`), in the order's language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from suivi_infra.i18n import plural
from suivi_notifier.adapters.i18n import (
    DIGEST,
    DIGEST_COUNTS,
    HEADLINES,
    PARCEL_HEADLINES,
    STATUSES,
    WORDS,
    carrier_name,
    language,
    short_date,
    short_time,
)
from suivi_notifier.domain.alerts import alert_kind, mask_tracking
from suivi_notifier.domain.schedule import zone
from suivi_schemas.carriers import tracking_url


@dataclass(frozen=True, slots=True)
class MessageContext:
    trigger: str
    locale: str
    merchant_id: str
    merchant_name: str
    order_number: str
    carrier: str
    tracking_number: str
    status_url: str
    unsubscribe_url: str
    name: str | None = None
    # Alerts only: the shipment's last carrier event and the estimate it missed, shown as
    # dates in the shopper's zone.
    last_event_at: datetime | None = None
    expected_by: datetime | None = None
    timezone: str = "UTC"
    # Multi-parcel orders: a parcel's news is the parcel's, never the whole order's.
    parcels: int = 1
    delivered: int = 0


@dataclass(frozen=True, slots=True)
class RenderedEmail:
    subject: str
    text: str
    html: str
    lang: str


@dataclass(frozen=True, slots=True)
class PushPayload:
    title: str
    body: str
    url: str
    lang: str


def _parcel_words(lang: str, key: str, ctx: MessageContext) -> tuple[str, str]:
    """One parcel of several: "1 of 3 parcels delivered", and "all delivered" only at the end."""
    words = PARCEL_HEADLINES[lang]
    chosen: tuple[str, str]
    if key != "delivered":
        chosen = words[key]
        return chosen
    delivered = max(1, min(ctx.delivered, ctx.parcels))
    if delivered >= ctx.parcels:
        chosen = words["delivered_all"]
        return chosen
    forms: dict[str, str] = words["delivered"][0]
    sentence: str = words["delivered"][1]
    return plural(lang, forms, delivered).replace("{count}", str(ctx.parcels)), sentence


class Renderer:
    def __init__(self) -> None:
        self.env = Environment(
            loader=PackageLoader("suivi_notifier.adapters", "templates"),
            autoescape=select_autoescape(enabled_extensions=("html", "html.j2")),
            undefined=StrictUndefined,
            keep_trailing_newline=True,
        )

    def _values(self, ctx: MessageContext) -> dict[str, object]:
        lang = language(ctx.locale)
        carrier = carrier_name(ctx.carrier)
        fill = {"order": ctx.order_number, "carrier": carrier, "merchant": ctx.merchant_name}
        kind = alert_kind(ctx.trigger)
        key = kind or ctx.trigger
        if kind is not None:
            tz = zone(ctx.timezone)
            at, expected = ctx.last_event_at, ctx.expected_by
            fill["since"] = short_date(at, lang, tz) if at else ""
            fill["expected"] = short_date(expected, lang, tz) if expected else ""
            key = "late_undated" if kind == "late" and expected is None else kind
        headline, sentence = HEADLINES[lang][key]
        if ctx.parcels > 1 and key in PARCEL_HEADLINES[lang]:
            headline, sentence = _parcel_words(lang, key, ctx)
        words = {
            k: v.format(
                name=ctx.name or "",
                merchant=ctx.merchant_name,
                carrier=carrier,
                tracking_number=ctx.tracking_number,
            )
            for k, v in WORDS[lang].items()
        }
        return {
            "lang": lang,
            "headline": headline.format(**fill),
            "sentence": sentence.format(**fill),
            "greeting": words["hello_name"] if ctx.name else words["hello"],
            "w": words,
            "ctx": ctx,
            "carrier_name": carrier,
            "carrier_url": tracking_url(ctx.carrier, ctx.tracking_number),
            "alert": kind is not None,
        }

    def email(self, ctx: MessageContext) -> RenderedEmail:
        values = self._values(ctx)
        return RenderedEmail(
            subject=str(values["headline"]),
            text=self.env.get_template("email.txt.j2").render(values),
            html=self.env.get_template("email.html.j2").render(values),
            lang=str(values["lang"]),
        )

    def sms(self, ctx: MessageContext) -> str:
        return self.env.get_template("sms.txt.j2").render(self._values(ctx)).strip()

    def push(self, ctx: MessageContext) -> PushPayload:
        values = self._values(ctx)
        return PushPayload(
            title=str(values["headline"]),
            body=str(values["sentence"]),
            url=ctx.status_url,
            lang=str(values["lang"]),
        )

    def digest(self, ctx: DigestContext) -> RenderedEmail:
        return digest_email(self.env, ctx)

    def unsubscribe_page(self, locale: str, channel: str, *, action: str, done: bool) -> str:
        lang = language(locale)
        template = self.env.get_template("unsubscribe.html.j2")
        return template.render(lang=lang, w=WORDS[lang], channel=channel, action=action, done=done)


KINDS_ORDER = ("stalled", "late", "recovered")


@dataclass(frozen=True, slots=True)
class DigestLine:
    """One alert in a merchant's digest."""

    order_numbers: tuple[str, ...]
    carrier: str
    tracking_number: str
    kind: str
    status: str
    last_event_at: datetime
    detected_at: datetime
    expected_by: datetime | None = None


@dataclass(frozen=True, slots=True)
class DigestContext:
    merchant_name: str
    locale: str
    timezone: str
    minutes: int
    lines: tuple[DigestLine, ...]


def digest_email(env: Environment, ctx: DigestContext) -> RenderedEmail:
    """The merchant's digest: a summary in the subject, one row per alert (tracking numbers
    masked), times in the merchant's zone."""
    lang = language(ctx.locale)
    tz = zone(ctx.timezone)
    words = DIGEST[lang]
    rows = []
    for line in ctx.lines:
        if line.kind == "stalled":
            since = words["stalled_since"].format(at=short_time(line.last_event_at, lang, tz))
        elif line.kind == "late" and line.expected_by is not None:
            since = words["late_since"].format(at=short_time(line.expected_by, lang, tz))
        elif line.kind == "late":
            since = words["late_undated"].format(at=short_time(line.detected_at, lang, tz))
        else:
            since = words["recovered_since"].format(at=short_time(line.detected_at, lang, tz))
        rows.append(
            {
                "order": ", ".join(line.order_numbers),
                "carrier": carrier_name(line.carrier),
                "tracking": mask_tracking(line.tracking_number),
                "alert": words.get(line.kind, line.kind),
                "status": STATUSES[lang].get(line.status, line.status.replace("_", " ")),
                "since": since,
            }
        )
    counts = {k: sum(1 for line in ctx.lines if line.kind == k) for k in KINDS_ORDER}
    summary = ", ".join(plural(lang, DIGEST_COUNTS[lang][k], n) for k, n in counts.items() if n)
    subject = words["subject"].format(merchant=ctx.merchant_name, summary=summary)
    footer = words["footer"].format(minutes=ctx.minutes)
    values = {"lang": lang, "w": words, "rows": rows, "subject": subject, "footer": footer}
    return RenderedEmail(
        subject=subject,
        text=env.get_template("digest.txt.j2").render(values),
        html=env.get_template("digest.html.j2").render(values),
        lang=lang,
    )
