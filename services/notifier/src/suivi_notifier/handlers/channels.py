"""One claimed delivery → one send on its channel: the content rendered in the shopper's language
(a status or alert message, or a return or claim message), then the SMTP / SMS API / web push
adapter. No contact data leaves this module in a log line or an error string."""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Protocol

from suivi_notifier.adapters.aftersales_render import AftersalesContext, AftersalesRenderer
from suivi_notifier.adapters.merchant_book import MerchantBook
from suivi_notifier.adapters.pg_ledger import Delivery, PushTarget
from suivi_notifier.adapters.render import (
    MessageContext,
    PushPayload,
    RenderedEmail,
    Renderer,
    mail_brand,
)
from suivi_notifier.adapters.webpush import payload_bytes, topic_for
from suivi_notifier.domain.aftersales import AftersalesEvent, aftersales_stream
from suivi_notifier.domain.alerts import alert_kind
from suivi_notifier.domain.outcomes import Permanent, PushOutcome, SendOutcome
from suivi_notifier.domain.planning import Capabilities, Recipient
from suivi_notifier.links import Links
from suivi_schemas import Channel, ShipmentAlert
from suivi_schemas.ids import derived_event_id


@dataclass(frozen=True, slots=True)
class Job:
    delivery: Delivery
    attempt: int
    recipient: Recipient
    targets: tuple[PushTarget, ...] = ()
    alert: ShipmentAlert | None = None  # what an alert message (trigger '<kind>:<episode>') says
    aftersales: AftersalesEvent | None = None  # what a return or claim message says


class EmailSender(Protocol):
    def build(
        self,
        to: str,
        rendered: RenderedEmail,
        *,
        unsubscribe_url: str | None,
        message_id: str,
        now: datetime,
    ) -> EmailMessage: ...

    async def send(self, message: EmailMessage) -> SendOutcome: ...


class SmsSender(Protocol):
    async def send(self, to: str, body: str) -> SendOutcome: ...


class PushSender(Protocol):
    async def send(
        self, targets: tuple[PushTarget, ...], payload: bytes, *, topic: str, trigger: str
    ) -> PushOutcome: ...


@dataclass(frozen=True, slots=True)
class Channels:
    renderer: Renderer
    links: Links
    book: MerchantBook
    _: KW_ONLY
    email: EmailSender | None = None
    sms: SmsSender | None = None
    push: PushSender | None = None

    @property
    def aftersales(self) -> AftersalesRenderer:
        return AftersalesRenderer(self.renderer.env, self.renderer.clock)

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities(
            email=self.email is not None, sms=self.sms is not None, push=self.push is not None
        )

    def context(self, job: Job, channel: Channel) -> MessageContext:
        d, r, alert = job.delivery, job.recipient, job.alert
        return MessageContext(
            trigger=d.trigger,
            locale=r.locale,
            merchant_id=d.merchant_id,
            merchant_name=self.book.name(d.merchant_id),
            order_number=d.order_number,
            carrier=d.carrier,
            tracking_number=d.tracking_number,
            status_url=self.links.status_page(d.merchant_id, d.order_number),
            unsubscribe_url=self.links.unsubscribe(d.merchant_id, d.order_number, channel.value),
            name=r.name,
            last_event_at=alert.last_event_at if alert else None,
            expected_by=alert.expected_by if alert else None,
            promise_source=alert.promise_source if alert else None,
            promised_date=alert.promised_date if alert else None,
            timezone=r.timezone,
            parcels=r.parcels,
            delivered=r.delivered,
            # (an alert's time is in its own words; a status message dates its carrier event)
            event_at=None if alert else d.event_occurred_at,
            place=r.place,
            items=r.items,
            brand=mail_brand(self.book.branding(d.merchant_id)),
        )

    def aftersales_context(
        self, job: Job, event: AftersalesEvent, channel: Channel
    ) -> AftersalesContext:
        d, r = job.delivery, job.recipient
        return AftersalesContext(
            event=event,
            locale=event.locale or r.locale,
            merchant_name=self.book.name(d.merchant_id),
            page_url=self.links.aftersales_page(
                d.merchant_id, d.order_number, d.carrier, d.tracking_number
            ),
            unsubscribe_url=self.links.unsubscribe(d.merchant_id, d.order_number, channel.value),
            name=r.name,
            timezone=r.timezone,
            brand=mail_brand(self.book.branding(d.merchant_id)),
        )

    def _render(self, job: Job, channel: Channel) -> RenderedEmail | str | PushPayload:
        """The message of one channel: a return's or claim's, else a status or alert one."""
        event = job.aftersales
        if event is not None:
            ctx = self.aftersales_context(job, event, channel)
            if channel is Channel.EMAIL:
                return self.aftersales.email(ctx)
            return self.aftersales.sms(ctx) if channel is Channel.SMS else self.aftersales.push(ctx)
        plain = self.context(job, channel)
        if channel is Channel.EMAIL:
            return self.renderer.email(plain)
        return self.renderer.sms(plain) if channel is Channel.SMS else self.renderer.push(plain)

    async def send(self, job: Job, now: datetime) -> SendOutcome | PushOutcome:
        d, r = job.delivery, job.recipient
        if alert_kind(d.trigger) is not None and job.alert is None:
            return Permanent("alert_unknown")
        if aftersales_stream(d.trigger) is not None and job.aftersales is None:
            return Permanent("aftersales_unknown")
        if d.channel is Channel.EMAIL and self.email is not None and r.email:
            rendered = self._render(job, Channel.EMAIL)
            assert isinstance(rendered, RenderedEmail)
            message_id = derived_event_id("email", d.shipment_key, d.trigger).hex
            message = self.email.build(
                r.email,
                rendered,
                unsubscribe_url=self.links.unsubscribe(d.merchant_id, d.order_number, "email"),
                message_id=f"suivi.{message_id}",
                now=now,
            )
            return await self.email.send(message)
        if d.channel is Channel.SMS and self.sms is not None and r.phone:
            return await self.sms.send(r.phone, str(self._render(job, Channel.SMS)))
        if d.channel is Channel.PUSH and self.push is not None and job.targets:
            topic = topic_for(d.shipment_key)
            pushed = self._render(job, Channel.PUSH)
            assert isinstance(pushed, PushPayload)
            payload = payload_bytes(pushed, topic)
            return await self.push.send(job.targets, payload, topic=topic, trigger=d.trigger)
        return Permanent("channel_unavailable")
