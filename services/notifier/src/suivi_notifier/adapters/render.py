"""Message bodies from Jinja2 templates (package `templates/`), in the order's language: what
happened, when and where the carrier last saw the parcel, what is in it, in the shop's colours.
Words come from the gettext catalogues (`adapters/i18n.py`), dates from Babel in the shopper's
zone, plurals from the language's own rules."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from suivi_notifier.adapters.i18n import Translator, carrier_name
from suivi_notifier.domain.alerts import alert_kind, mask_tracking
from suivi_notifier.domain.schedule import zone
from suivi_schemas.alerts import PromiseSource
from suivi_schemas.carriers import tracking_url
from suivi_schemas.contrast import readable
from suivi_schemas.merchants import Branding

PARCEL_KEYS = frozenset({"in_transit", "out_for_delivery", "delivered"})


@dataclass(frozen=True, slots=True)
class MailBrand:
    """The shop's look in a message: its colour made readable on white, its https logo and
    return-policy page (none when not https: a message never loads or links plain http)."""

    colour: str = "#2251cc"
    logo_url: str | None = None
    return_policy_url: str | None = None


def mail_brand(branding: Branding | None) -> MailBrand:
    if branding is None:
        return MailBrand()

    def https(url: str | None) -> str | None:
        return url if url and url.startswith("https://") else None

    return MailBrand(
        colour=readable(branding.colour),
        logo_url=https(branding.logo_url),
        return_policy_url=https(branding.return_policy_url),
    )


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
    # Late alerts: whose day was missed (the shop's promise has its own words) and that day.
    promise_source: PromiseSource | None = None
    promised_date: date | None = None
    timezone: str = "UTC"
    # Multi-parcel orders: a parcel's news is the parcel's, never the whole order's.
    parcels: int = 1
    delivered: int = 0
    # When and where the carrier saw the parcel for this news, and what the parcel holds.
    event_at: datetime | None = None
    place: str | None = None
    items: tuple[tuple[str, int], ...] = ()
    brand: MailBrand = MailBrand()


@dataclass(frozen=True, slots=True)
class RenderedEmail:
    subject: str
    text: str
    html: str
    lang: str


def email_of(
    env: Environment, name: str, subject: str, values: Mapping[str, object]
) -> RenderedEmail:
    """An email whose text and HTML parts are the templates `<name>.txt.j2` and `<name>.html.j2`
    rendered with `values` (in the language `values["lang"]`)."""
    return RenderedEmail(
        subject=subject,
        text=env.get_template(f"{name}.txt.j2").render(values),
        html=env.get_template(f"{name}.html.j2").render(values),
        lang=str(values["lang"]),
    )


@dataclass(frozen=True, slots=True)
class PushPayload:
    title: str
    body: str
    url: str
    lang: str


def mail_words(t: Translator, **fill: str) -> dict[str, str]:
    """The words around every shopper's message (greeting, links, footer)."""
    return {
        "hello": t("mail.hello"),
        "hello_name": t("mail.hello_name", **fill),
        "track": t("mail.track"),
        "carrier_link": t("mail.carrier_link", **fill),
        "tracking_number": t("mail.tracking_number", **fill),
        "why": t("mail.why", **fill),
        "unsubscribe": t("mail.unsubscribe"),
        "unsubscribe_title": t("mail.unsubscribe_title"),
        "unsubscribe_ask": t("mail.unsubscribe_ask"),
        "unsubscribe_sms_ask": t("mail.unsubscribe_sms_ask"),
        "unsubscribe_button": t("mail.unsubscribe_button"),
        "unsubscribed": t("mail.unsubscribed"),
        "items": t("mail.items"),
        "return_policy": t("mail.return_policy", **fill),
        "logo": t("mail.logo", **fill),
    }


def _headline(
    t: Translator, key: str, ctx: MessageContext, fill: dict[str, str]
) -> tuple[str, str]:
    """A parcel of several says "1 of 3 parcels delivered", and "delivered" only at the end."""
    if ctx.parcels <= 1 or key not in PARCEL_KEYS:
        return t(f"status.{key}.subject", **fill), t(f"status.{key}.text", **fill)
    if key != "delivered":
        return t(f"parcel.{key}.subject", **fill), t(f"parcel.{key}.text", **fill)
    delivered = max(1, min(ctx.delivered, ctx.parcels))
    if delivered >= ctx.parcels:
        return t("parcel.delivered_all.subject", **fill), t("parcel.delivered_all.text", **fill)
    subject = t.n(
        "parcel.delivered.subject", "parcel.delivered.subject.plural", delivered,
        count=str(ctx.parcels), **fill,
    )  # fmt: skip
    return subject, t("parcel.delivered.text", **fill)


def news_line(t: Translator, at: datetime | None, place: str | None) -> str:
    """'Last carrier news: today, 14:05, Lyon (FR).' — what is known of when and where."""
    if at is None:
        return ""
    when = t.moment(at)
    return (
        t("mail.last_news_place", when=when, place=place)
        if place
        else t("mail.last_news", when=when)
    )


def _system_now() -> datetime:
    return datetime.now(UTC)


class Renderer:
    def __init__(self, clock: Callable[[], datetime] = _system_now) -> None:
        # "today" and "yesterday" in messages are the service's clock's (tests pin it).
        self.clock = clock
        self.env = Environment(
            loader=PackageLoader("suivi_notifier.adapters", "templates"),
            autoescape=select_autoescape(enabled_extensions=("html", "html.j2")),
            undefined=StrictUndefined,
            keep_trailing_newline=True,
        )

    def _values(self, ctx: MessageContext) -> dict[str, object]:
        t = Translator(ctx.locale, zone(ctx.timezone), self.clock())
        carrier = carrier_name(ctx.carrier)
        fill = {
            "order": ctx.order_number, "carrier": carrier, "merchant": ctx.merchant_name,
            "name": ctx.name or "", "tracking_number": ctx.tracking_number,
            "since": "", "expected": "",
        }  # fmt: skip
        kind = alert_kind(ctx.trigger)
        key = kind or ctx.trigger
        if kind is not None:
            at, expected = ctx.last_event_at, ctx.expected_by
            fill["since"] = t.short_date(at) if at else ""
            fill["expected"] = t.short_date(expected) if expected else ""
            key = "late_undated" if kind == "late" and expected is None else kind
            if kind == "late" and ctx.promised_date is not None:  # the day itself, as promised
                fill["expected"] = t.day(ctx.promised_date, weekday=False, relative=False)
                key = "late_shop" if ctx.promise_source is PromiseSource.MERCHANT else "late"
        headline, sentence = _headline(t, key, ctx, fill)
        words = mail_words(t, **fill)
        at = ctx.event_at
        if at is None and ctx.place:  # an alert's words date its last event: add its place
            at = ctx.last_event_at
        return {
            "lang": t.language,
            "headline": headline,
            "sentence": sentence,
            "greeting": words["hello_name"] if ctx.name else words["hello"],
            "w": words,
            "ctx": ctx,
            "news": news_line(t, at, ctx.place),
            "items": [t("mail.item", quantity=str(q), title=title) for title, q in ctx.items],
            "brand": ctx.brand,
            "carrier_name": carrier,
            "carrier_url": tracking_url(ctx.carrier, ctx.tracking_number),
            "alert": kind is not None,
        }

    def email(self, ctx: MessageContext) -> RenderedEmail:
        values = self._values(ctx)
        return email_of(self.env, "email", str(values["headline"]), values)

    def sms(self, ctx: MessageContext) -> str:
        return self.env.get_template("sms.txt.j2").render(self._values(ctx)).strip()

    def push(self, ctx: MessageContext) -> PushPayload:
        values = self._values(ctx)
        body = " ".join(str(v) for v in (values["sentence"], values["news"]) if v)
        items = values["items"]
        if isinstance(items, list) and items:
            body += " " + ", ".join(items) + "."
        return PushPayload(
            title=str(values["headline"]), body=body, url=ctx.status_url, lang=str(values["lang"])
        )

    def digest(self, ctx: DigestContext) -> RenderedEmail:
        return digest_email(self.env, ctx, self.clock())

    def unsubscribe_page(self, locale: str, channel: str, *, action: str, done: bool) -> str:
        t = Translator(locale)
        template = self.env.get_template("unsubscribe.html.j2")
        words = mail_words(t, merchant="", carrier="", tracking_number="", name="")
        return template.render(lang=t.language, w=words, channel=channel, action=action, done=done)


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
    promise_source: PromiseSource | None = None  # late: whose day was missed, and that day
    promised_date: date | None = None


@dataclass(frozen=True, slots=True)
class DigestContext:
    merchant_name: str
    locale: str
    timezone: str
    minutes: int
    lines: tuple[DigestLine, ...]


def _digest_words(t: Translator) -> dict[str, str]:
    return {
        "intro": t("digest.intro"), "order": t("digest.order"), "carrier": t("digest.carrier"),
        "tracking": t("digest.tracking"), "alert": t("digest.alert"),
        "status": t("digest.status"), "since": t("digest.since"),
        "stalled": t("digest.stalled"), "late": t("digest.late"),
        "recovered": t("digest.recovered"),
    }  # fmt: skip


def _since(t: Translator, line: DigestLine) -> str:
    def at(moment: datetime) -> str:
        return f"{t.short_date(moment)} {t.time(moment)}"

    if line.kind == "stalled":
        return t("digest.stalled_since", at=at(line.last_event_at))
    promised = line.promised_date if line.promise_source is PromiseSource.MERCHANT else None
    if line.kind == "late" and promised is not None:  # the merchant knows its own promise
        return t("digest.late_shop", day=t.day(promised, weekday=False, relative=False))
    if line.kind == "late" and line.expected_by is not None:
        return t("digest.late_since", at=at(line.expected_by))
    if line.kind == "late":
        return t("digest.late_undated", at=at(line.detected_at))
    return t("digest.recovered_since", at=at(line.detected_at))


def _count(t: Translator, kind: str, n: int) -> str:
    """'1 stalled', '2 bloqués': each language's own plural forms."""
    if kind == "stalled":
        return t.n("digest.count.stalled", "digest.count.stalled.plural", n)
    if kind == "late":
        return t.n("digest.count.late", "digest.count.late.plural", n)
    return t.n("digest.count.recovered", "digest.count.recovered.plural", n)


def digest_email(env: Environment, ctx: DigestContext, now: datetime) -> RenderedEmail:
    """The merchant's digest: a summary in the subject, one row per alert (tracking numbers
    masked), times in the merchant's zone."""
    t = Translator(ctx.locale, zone(ctx.timezone), now)
    words = _digest_words(t)
    rows = []
    for line in ctx.lines:
        status = f"digest.status.{line.status}"
        rows.append(
            {
                "order": ", ".join(line.order_numbers),
                "carrier": carrier_name(line.carrier),
                "tracking": mask_tracking(line.tracking_number),
                "alert": words.get(line.kind, line.kind),
                "status": t(status) if t.has(status) else line.status.replace("_", " "),
                "since": _since(t, line),
            }
        )
    counts = {k: sum(1 for line in ctx.lines if line.kind == k) for k in KINDS_ORDER}
    summary = ", ".join(_count(t, k, n) for k, n in counts.items() if n)
    subject = t("digest.subject", merchant=ctx.merchant_name, summary=summary)
    footer = t("digest.footer", minutes=ctx.minutes)
    values = {"lang": t.language, "w": words, "rows": rows, "subject": subject, "footer": footer}
    return email_of(env, "digest", subject, values)
