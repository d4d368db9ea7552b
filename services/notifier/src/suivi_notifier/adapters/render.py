"""Message bodies from Jinja2 templates (package `templates/`), in the order's language."""

from __future__ import annotations

from dataclasses import dataclass

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from suivi_notifier.adapters.i18n import HEADLINES, WORDS, carrier_name, language


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
        headline, sentence = HEADLINES[lang][ctx.trigger]
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

    def unsubscribe_page(self, locale: str, channel: str, *, action: str, done: bool) -> str:
        lang = language(locale)
        template = self.env.get_template("unsubscribe.html.j2")
        return template.render(lang=lang, w=WORDS[lang], channel=channel, action=action, done=done)
